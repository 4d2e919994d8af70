"""Which category is this? A small multinomial naive Bayes model per community.

It learns from the community's own posts (open and past; the title counts twice) and from
its vocabulary (each word as if several posts used it, and the category's own name), so a
new community already gets suggestions and a busy one gets better ones. ``train`` rebuilds
it (and the community's words for typo tolerance) in the background (``tasks.retrain``);
``suggest_categories`` reads a few rows and never trains. Before the first training the
vocabulary alone is used.
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from coproduce.lib.translated import in_language
from coproduce.market import lexicon, text
from coproduce.market.models import ConceptWord, Post, PostStatus, TermCount, TextModel

TRAIN_POSTS = 50_000  # the newest ones: bounded work, and recent wording matters most
TITLE_WEIGHT = 2.0
BODY_WEIGHT = 1.0
CONCEPT_WEIGHT = 3.0  # a vocabulary word counts as if three posts used it
NAME_WEIGHT = 3.0  # so do the words of the category's own name
ALPHA = 0.1  # additive smoothing: small, because texts are short and most words are rare
PRIOR_POWER = 0.5  # a busy category should not swallow every short, vague text
MAX_QUERY_WORDS = 30
MIN_PROBABILITY = 0.02


@dataclass(frozen=True)
class CategoryGuess:
    pk: int
    name: str
    parent_name: str | None
    probability: float

    def __str__(self):
        return f"{self.parent_name}: {self.name}" if self.parent_name else self.name


@dataclass(frozen=True)
class CategoryRow:
    pk: int
    name: str
    parent_id: int | None
    retired: bool
    translations: dict | None = None

    @property
    def label(self) -> str:
        """The name in the reader's language (``name`` stays the one the classifier reads)."""
        return in_language(self.name, self.translations)


def category_rows(community_id: int) -> dict[int, CategoryRow]:
    """All of a community's categories as light rows, in one query (matching shares them)."""
    from coproduce.communities.models import Category

    rows = Category.objects.filter(community_id=community_id).values_list("id", "name", "parent_id", "retired",
                                                                          "translations")
    return {pk: CategoryRow(pk, name, parent_id, retired, texts) for pk, name, parent_id, retired, texts in rows}


def leaf_categories(categories: dict[int, CategoryRow]) -> dict[int, tuple[str, str | None]]:
    """Categories in use with no subcategories in use (what a post is filed under), with their
    parent's name."""
    in_use = {pk: c for pk, c in categories.items() if not c.retired}
    parents = {c.parent_id for c in in_use.values() if c.parent_id}
    return {pk: (c.name, categories[c.parent_id].name if c.parent_id in categories else None)
            for pk, c in in_use.items() if pk not in parents}


@dataclass(frozen=True)
class Model:
    totals: dict[int, tuple[int, float]]  # category id -> (documents, stems counted)
    vocabulary: int
    posts: int


def load_model(community_id: int) -> Model | None:
    """The trained model's summary row (None before the first training)."""
    row = TextModel.objects.filter(community_id=community_id, trained_at__isnull=False).values_list(
        "categories", "vocabulary", "posts").first()
    if row is None:
        return None
    return Model({int(pk): tuple(v) for pk, v in row[0].items()}, row[1], row[2])


def train(community) -> TextModel:
    """Count every word of the community's posts and vocabulary per category; replace the model
    and the community's words (lexicon) in one transaction. Runs in the background."""
    community_id = getattr(community, "pk", community)
    with transaction.atomic():
        model, _created = TextModel.objects.select_for_update().get_or_create(community_id=community_id)
        started = timezone.now()
        leaves = leaf_categories(category_rows(community_id))
        counts: dict[int, Counter] = defaultdict(Counter)
        documents: Counter = Counter()
        stem_posts: Counter = Counter()
        word_uses: Counter = Counter()
        posts = (Post.objects.filter(community_id=community_id).exclude(status=PostStatus.WITHDRAWN)
                 .order_by("-id").values_list("category_id", "search_title", "search_body", "title",
                                              "description")[:TRAIN_POSTS])
        trained_on = 0
        for category_id, title_stems, body_stems, title, description in posts.iterator(chunk_size=5000):
            in_title, in_body = title_stems.split(), body_stems.split()
            stem_posts.update(set(in_title) | set(in_body))
            word_uses.update(text.words(f"{title} {description}"))
            trained_on += 1
            if category_id not in leaves:
                continue
            documents[category_id] += 1
            bucket = counts[category_id]
            for stem in in_title:
                bucket[stem] += TITLE_WEIGHT
            for stem in in_body:
                bucket[stem] += BODY_WEIGHT
        for category_id, word, stem in ConceptWord.objects.filter(
                community_id=community_id, category_id__in=list(leaves)).values_list("category_id", "word", "stem"):
            counts[category_id][stem] += CONCEPT_WEIGHT
            word_uses[word] += 1
        for category_id, (name, _parent) in leaves.items():
            for word in text.words(name):
                counts[category_id][text.stem(word)] += NAME_WEIGHT
                word_uses[word] += 1

        TermCount.objects.filter(community_id=community_id).delete()
        TermCount.objects.bulk_create(
            [TermCount(community_id=community_id, stem=stem, category_id=category_id, count=n)
             for category_id, bucket in counts.items() for stem, n in bucket.items()], batch_size=5000)
        lexicon.rebuild(community_id, word_uses, stem_posts)
        model.categories = {str(pk): [documents[pk], sum(counts[pk].values())] for pk in leaves}
        model.vocabulary = len({stem for bucket in counts.values() for stem in bucket})
        model.posts = trained_on
        model.trained_at = started
        model.new_posts = 0
        model.queued_at = None
        model.save()
    return model


def suggest_categories(community, words_typed: str, *, limit: int = 3) -> list[CategoryGuess]:
    """The likeliest categories for a text, best first (none when no word of it is known)."""
    community_id = getattr(community, "pk", community)
    typed = text.words(words_typed)[:MAX_QUERY_WORDS]
    if not typed:
        return []
    return guess(community_id, lexicon.resolve(community_id, typed), limit=limit)


_UNREAD = object()


def guess(community_id: int, terms: list[lexicon.Term], *, limit: int = 3, model=_UNREAD,
          categories: dict[int, CategoryRow] | None = None) -> list[CategoryGuess]:
    """Naive Bayes over resolved terms (``lexicon.resolve``): at most three queries, fewer when
    the caller already read the model summary or the categories."""
    return guess_many(community_id, {0: terms}, limit=limit, model=model, categories=categories)[0]


def guess_many(community_id: int, texts: dict, *, limit: int = 3, model=_UNREAD,
               categories: dict[int, CategoryRow] | None = None) -> dict:
    """``guess`` for several texts (key -> terms) with the same few queries."""
    wanted = {key: Counter(stem for term in terms for stem in term.stems) for key, terms in texts.items()}
    every = set().union(*wanted.values()) if wanted else set()
    if not every:
        return {key: [] for key in texts}
    if model is _UNREAD:
        model = load_model(community_id)
    if model is not None:
        totals, vocabulary = model.totals, model.vocabulary
        rows = list(TermCount.objects.filter(community_id=community_id, stem__in=sorted(every))
                    .values_list("stem", "category_id", "count"))
    else:
        totals, vocabulary, rows = _vocabulary_only(community_id, every)
    leaves = leaf_categories(categories if categories is not None else category_rows(community_id))
    known: dict[str, dict[int, float]] = defaultdict(dict)
    for stem, category_id, n in rows:
        if category_id in leaves:
            known[stem][category_id] = n
    vocabulary = max(vocabulary, len(known), 1)
    ranker = _Ranker(known, totals, vocabulary, leaves)
    return {key: ranker.rank(counts, limit) for key, counts in wanted.items()}


class _Ranker:
    """Posterior of each category for many texts against one model. A word found in many
    categories counts for less (its weight falls with the share of categories using it, as in
    TF-IDF weighted naive Bayes): "morning" should not outvote "labrador".

    A category's log likelihood of a word is log((n + ALPHA) / denominator), which is
    log(ALPHA / denominator) + log(1 + n / ALPHA): the first part is the same for every word, and
    the second is zero where the category never used the word. So a text costs one pass over
    the categories plus one over the few (word, category) counts it touches, not categories ×
    words (``requests_for_member`` ranks a hundred texts a page)."""

    def __init__(self, known: dict, totals: dict, vocabulary: int, leaves: dict):
        self.known, self.leaves = known, leaves
        self.spread = math.log(1 + len(leaves))
        self.prior, self.unseen = {}, {}
        for pk in leaves:
            documents, total = totals.get(pk, (0, 0.0))
            self.prior[pk] = PRIOR_POWER * math.log(documents + 1)
            self.unseen[pk] = math.log(ALPHA / (total + ALPHA * vocabulary))
        self.boosts = {stem: [(pk, math.log(1 + n / ALPHA)) for pk, n in counts.items()]
                       for stem, counts in known.items()}

    def rank(self, wanted: Counter, limit: int) -> list[CategoryGuess]:
        present = [stem for stem in wanted if stem in self.known]
        if not present:
            return []
        weights = {stem: wanted[stem] * math.log(1 + len(self.leaves) / len(self.known[stem])) / self.spread
                   for stem in present}
        weight = sum(weights.values())
        scores = {pk: prior + weight * self.unseen[pk] for pk, prior in self.prior.items()}
        for stem in present:
            w = weights[stem]
            for pk, boost in self.boosts[stem]:
                scores[pk] += w * boost
        top = max(scores.values())
        exp = {pk: math.exp(score - top) for pk, score in scores.items()}
        whole = sum(exp.values())
        likely = sorted((pk for pk, e in exp.items() if round(e / whole, 4) >= MIN_PROBABILITY),
                        key=lambda pk: (-exp[pk], pk))[:limit]
        return [CategoryGuess(pk, self.leaves[pk][0], self.leaves[pk][1], round(exp[pk] / whole, 4)) for pk in likely]


def _vocabulary_only(community_id: int, wanted):
    """Before the first training: the same model over the vocabulary alone (two queries)."""
    from django.db.models import Count

    per_category = dict(ConceptWord.objects.filter(community_id=community_id).values("category_id")
                        .annotate(n=Count("id")).values_list("category_id", "n"))
    totals = {pk: (0, n * CONCEPT_WEIGHT) for pk, n in per_category.items()}
    stems = Counter(ConceptWord.objects.filter(community_id=community_id, stem__in=list(wanted))
                    .values_list("stem", "category_id"))
    rows = [(stem, category_id, n * CONCEPT_WEIGHT) for (stem, category_id), n in stems.items()]
    vocabulary = sum(per_category.values())
    return totals, vocabulary, rows
