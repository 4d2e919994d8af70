"""Browsing and ranked search of offers and requests, the same on PostgreSQL and SQLite.

``search_posts`` ranks instead of filtering. A query is read as a few *terms* (words
without stop words, stemmed, misspellings replaced by the nearest words the community uses:
``lexicon.resolve``), each widened through the concept vocabulary to the categories it
names ("walkies" → Dog walking: the concept vocabulary, ``ConceptWord``). A post is found when any term
is in its title or description, or when it is among the newest ``CATEGORY_POOL`` open
posts of a category a term names, and ranked by

1. how many of the terms it covers (all of them first),
2. the sum of each covered term's weight (rarer words weigh more) × 1.0 in the title,
   0.6 in the description only, 0.5 through its category only,
3. newest first.

Posts store their stems (``Post.search_title``/``search_body``) and an inverted index of
them (``PostTerm``), made in Python: both databases find the same candidates and rank them
with the same SQL expression, so both return the same posts in the same order.

Cost is bounded whatever the number of posts. One query reads the words in use and the
vocabulary (a second looks up trigrams when a word is misspelt). One query gathers the
candidates (the newest ``TEXT_POOL`` posts using each word, through an index range scan per
word, and the newest ``CATEGORY_POOL`` open posts of each category a word names, through a
partial index), scores each once, counts them (a window) and returns one page of ids. One
loads that page's posts with their people. So a word used in a handful of posts finds all of them, and one
used in thousands finds its newest few hundred rather than reading all of them.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.db.models import BooleanField, IntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from coproduce.market import lexicon, text
from coproduce.market.models import Post, PostKind

SORTS = ("relevance", "newest", "ending")
MAX_QUERY_WORDS = 12  # a 5,000-character paste is read as its first dozen words
IN_TITLE, IN_BODY, BY_CATEGORY = 1.0, 0.6, 0.5
CATEGORY_POOL = 200  # newest open posts per category a query word names
TEXT_POOL = 500  # a word finds the newest this many posts that use it (open or not), through PostTerm
SCALE = 1000  # scores are integers (weight × SCALE): exact and fast on both databases


@dataclass
class Concept:
    """One term of a query: the stems that count as it and the categories it names."""

    word: str
    stems: tuple[str, ...]
    weight: float
    categories: frozenset[int] = frozenset()
    posts: int | None = None  # how many posts use it, as of the last training (None: none or unknown)


@dataclass
class Plan:
    concepts: list[Concept] = field(default_factory=list)
    community_id: int | None = None

    def __bool__(self) -> bool:
        return bool(self.concepts)

    @property
    def stems(self) -> list[str]:
        return list(dict.fromkeys(s for c in self.concepts for s in c.stems))

    @property
    def categories(self) -> set[int]:
        return set().union(*(c.categories for c in self.concepts))


def plan(community_id: int, query: str, *, max_words: int = MAX_QUERY_WORDS) -> Plan:
    """Read a query into terms with the categories they name (one query, two with a misspelling)."""
    typed = text.words(query)[:max_words]
    return plan_from_terms(community_id, lexicon.resolve(community_id, typed, with_categories=True))


def plan_from_terms(community_id: int, terms: list[lexicon.Term]) -> Plan:
    """A plan from resolved terms (the categories they name count only if resolved with them)."""
    found = [Concept(t.word, t.stems, round(t.weight, 4), t.categories, t.posts) for t in terms]
    return Plan(found, community_id)


def _contains(column: str) -> str:
    function = "strpos({0}, %s)" if connection.vendor == "postgresql" else "instr({0}, %s)"
    return function.format(column) + " > 0"


def _conditions(concept: Concept) -> list[tuple[str, list, float]]:
    """(SQL, its parameters, weight) for each way a post covers a concept, best first."""
    padded = [f" {s} " for s in concept.stems]
    found = [
        (" OR ".join(_contains("market_post.search_title") for _s in padded), padded, IN_TITLE),
        (" OR ".join(_contains("market_post.search_body") for _s in padded), padded, IN_BODY),
    ]
    if concept.categories:
        ids = sorted(concept.categories)
        found.append((f"market_post.category_id IN ({', '.join(['%s'] * len(ids))})", ids, BY_CATEGORY))
    return found


def _ranking(plan: Plan) -> tuple[str, list, str, list]:
    """(coverage SQL, params, score SQL, params) for a post: the same on both databases."""
    coverage, score, coverage_params, score_params = [], [], [], []
    for concept in plan.concepts:
        conditions = _conditions(concept)
        score.append("(CASE " + " ".join(f"WHEN {sql} THEN %s" for sql, _p, _w in conditions) + " ELSE 0 END)")
        for _sql, params, weight in conditions:
            score_params += [*params, round(concept.weight * weight * SCALE)]
        coverage.append("(CASE WHEN " + " OR ".join(f"({sql})" for sql, _p, _w in conditions)
                        + " THEN 1 ELSE 0 END)")
        for _sql, params, _weight in conditions:
            coverage_params += params
    return " + ".join(coverage), coverage_params, " + ".join(score), score_params


def _candidates(plan: Plan, *, category_pool: int) -> tuple[str, list] | None:
    """SQL true for the candidates, each source bounded by an index range scan: the newest
    TEXT_POOL posts using each word (all of them, for rarer words) and the newest
    ``category_pool`` open posts of each category a word names. Whatever the number of posts.

    On PostgreSQL the ids are gathered once into an array (an init plan) and the posts read
    by primary key; ``IN (subquery)`` may be planned there as a scan of every post."""
    parts, params = [], []
    for stem in plan.stems:
        parts.append("SELECT post_id FROM market_postterm WHERE community_id = %s AND stem = %s"
                     " ORDER BY created_at DESC LIMIT %s")
        params += [plan.community_id, stem, TEXT_POOL]
    for category_id in sorted(plan.categories) if category_pool else []:
        parts.append("SELECT id FROM market_post WHERE category_id = %s AND status = 'open'"
                     " ORDER BY created_at DESC LIMIT %s")
        params += [category_id, category_pool]
    if not parts:
        return None
    ids = " UNION ".join(f"SELECT * FROM ({part}) AS part{i}" for i, part in enumerate(parts))
    if connection.vendor == "postgresql":
        return f"market_post.id = ANY(ARRAY({ids}))", params
    return f"market_post.id IN ({ids})", params


def ranked_ids(qs: QuerySet, plan: Plan, *, start: int = 0, stop: int | None = None,
               category_pool: int = CATEGORY_POOL) -> tuple[list[int], int]:
    """One page of the ids of ``qs`` that match ``plan``, best first, and how many candidates
    match, in one query: each candidate scored once, counted with a window, cut to the page."""
    among = _candidates(plan, category_pool=category_pool)
    if among is None:
        return [], 0
    coverage, coverage_params, score, score_params = _ranking(plan)
    candidates = qs.order_by().filter(RawSQL(*among, output_field=BooleanField())).annotate(
        cov=RawSQL(coverage, coverage_params, output_field=IntegerField()),
        sc=RawSQL(score, score_params, output_field=IntegerField()))
    sql, params = candidates.values("id", "cov", "sc", "created_at").query.sql_with_params()
    limit = "" if stop is None else f" LIMIT {int(stop) - int(start)}"
    offset = f" OFFSET {int(start)}" if start else ""
    if not limit and offset:
        limit = " LIMIT -1" if connection.vendor == "sqlite" else " LIMIT ALL"
    sql = (f"SELECT r.id, COUNT(*) OVER () FROM ({sql}) AS r"
           f" ORDER BY r.cov DESC, r.sc DESC, r.created_at DESC, r.id DESC{limit}{offset}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if rows:
        return [pk for pk, _total in rows], rows[0][1]
    if start:  # past the end: the total still counts
        return [], ranked_ids(qs, plan, start=0, stop=1, category_pool=category_pool)[1]
    return [], 0


class SearchResults:
    """A ranked search, sliced and counted like a queryset (``Paginator`` needs nothing else).

    Counting reads the first page too (one query), so the usual first page costs one ranking
    query and one query loading its posts.
    """

    def __init__(self, qs: QuerySet, plan: Plan, *, page_size: int = 20):
        self.qs, self.plan, self.page_size = qs, plan, page_size
        self._count: int | None = None
        self._pages: dict[tuple[int, int | None], list[int]] = {}

    def _ids(self, start: int, stop: int | None) -> list[int]:
        key = (start, stop)
        if key not in self._pages:
            self._pages[key], self._count = ranked_ids(self.qs, self.plan, start=start, stop=stop)
        return self._pages[key]

    def count(self) -> int:
        if self._count is None:
            self._ids(0, self.page_size)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if isinstance(key, int):
            found = self[key:key + 1]
            if not found:
                raise IndexError(key)
            return found[0]
        start, stop = key.start or 0, key.stop
        first = self._pages.get((0, self.page_size))
        if stop is not None and stop <= start:
            ids = []
        elif first is not None and stop is not None and stop <= self.page_size:
            ids = first[start:stop]  # the page counting already read
        else:
            ids = self._ids(start, stop)
        loaded = self.qs.in_bulk(ids)
        return [loaded[pk] for pk in ids if pk in loaded]

    def __iter__(self):
        return iter(self[0:None])

    def __contains__(self, post) -> bool:
        return any(p.pk == post.pk for p in self)


def best_ids(qs: QuerySet, query: str, *, community_id: int, limit: int,
             max_words: int = MAX_QUERY_WORDS) -> list[int]:
    """The ids of the ``limit`` posts of ``qs`` that best match ``query`` as search reads it,
    best first (the caller loads only the fields it needs)."""
    query_plan = plan(community_id, query, max_words=max_words)
    if not query_plan:
        return []
    return ranked_ids(qs, query_plan, stop=limit)[0]


def search_posts(community, *, query: str = "", kind: str | None = None, category=None, area=None,
                 within_days: int | None = None, sort: str = "relevance", online: bool = False):
    """Open offers and requests of a community, filtered, searched and sorted; ready to paginate
    (a QuerySet, or for a ranked search a ``SearchResults``)."""
    qs = Post.objects.filter(community=community).open().for_list()
    if kind:
        qs = qs.filter(kind=kind)
    if category is not None:
        qs = qs.filter(Q(category=category) | Q(category__parent=category))
    if online:
        qs = qs.filter(area__isnull=True)
    elif area is not None:
        qs = qs.filter(area=area)
    if within_days:
        qs = qs.filter(created_at__gte=timezone.now() - timedelta(days=within_days))
    query_plan = plan(community.pk, query) if text.words(query) else Plan()
    if not query_plan:
        return qs.order_by("expires_at", "id") if sort == "ending" else qs.order_by("-created_at", "-id")
    if sort == "relevance":
        return SearchResults(qs, query_plan)
    # Sorted another way, a search still finds what relevance finds (ids of the ranked search).
    ids, _total = ranked_ids(qs, query_plan)
    found = qs.filter(pk__in=ids)
    return found.order_by("expires_at", "id") if sort == "ending" else found.order_by("-created_at", "-id")


def brokerage_queue(community) -> QuerySet:
    """Open requests nobody has taken up within the community's brokerage days, oldest first:
    the coordinators' queue of requests waiting for a helper."""
    cutoff = timezone.now() - timedelta(days=community.brokerage_after_days)
    return (Post.objects.filter(community=community, kind=PostKind.REQUEST, created_at__lte=cutoff)
            .open().for_list().order_by("created_at", "id"))


def open_posts_of(membership) -> QuerySet:
    """A member's own open offers and requests, newest first."""
    return Post.objects.filter(author=membership).open().for_list().order_by("-created_at", "-id")
