"""Typo tolerance: the words a community uses, and the nearest of them to a word nobody used.

``resolve`` looks up every query word at once: a word (or its stem) the community uses is
kept; a longer word nobody uses is replaced by the most similar words that are used
("hospitle" → "hospital", "labtop" → "laptop"), by trigram similarity as pg_trgm defines it.
PostgreSQL asks pg_trgm (GIN index on ``market_searchword.word``); SQLite counts shared
trigrams in ``market_searchword_trigram``. Both return the same words in the same order.
"""

import math
from collections import Counter
from dataclasses import dataclass

from django.db import connection

from coproduce.market import text
from coproduce.market.models import SearchWord

MIN_SIMILARITY = 0.4  # "hospitle"/"hospital" 0.5, "labtop"/"laptop" 0.4; "cat"/"car" is never tried
CLOSE_TO_BEST = 0.1  # also keep words nearly as similar as the best (two spellings of one thing)
MIN_LENGTH_TO_CORRECT = 4  # short words are too often someone else's word with one letter changed
CANDIDATES = 3
MAX_WORDS = 50_000  # per community: the most used ones


@dataclass(frozen=True)
class Term:
    """One word someone typed, as search and matching use it."""

    word: str  # folded, as typed
    stems: tuple[str, ...]  # its own stem, or the stems of the nearest words in use
    posts: int | None  # how many posts use it (None: no post does)
    corrected: bool = False
    categories: frozenset[int] = frozenset()  # categories whose vocabulary has one of its stems

    @property
    def weight(self) -> float:
        """Rarer words tell more: 1.0 for a word no post uses, about 0.2 for one in thousands."""
        return 1.0 / (1.0 + math.log1p(self.posts or 0) / 2)


def resolve(community_id: int, words: list[str], *, with_categories: bool = False) -> list[Term]:
    """Each distinct word with the stems to look for (and, if asked, the categories they name):
    one query for the stems in use and the vocabulary, and more only when some longer word is
    not in use (the trigram look-up, and the vocabulary of the words found for it)."""
    words = list(dict.fromkeys(words))
    if not words:
        return []
    stems = sorted({text.stem(w) for w in words})
    known, named = _known(community_id, stems, with_categories=with_categories)
    unknown = [w for w in words if text.stem(w) not in known and len(w) >= MIN_LENGTH_TO_CORRECT]
    near = {}
    if unknown:
        near = (_similar_pg if connection.vendor == "postgresql" else _similar_sqlite)(community_id, unknown)
    terms = []
    for word in words:
        own = text.stem(word)
        candidates = near.get(word, [])
        best = candidates[0][3] if candidates else 0.0
        if own in known or best < MIN_SIMILARITY:
            terms.append(Term(word, (own,), known.get(own)))
            continue
        chosen = [c for c in candidates if c[3] >= max(MIN_SIMILARITY, best - CLOSE_TO_BEST)]
        terms.append(Term(word, tuple(dict.fromkeys(c[1] for c in chosen)), max(c[2] for c in chosen),
                          corrected=True))
    if with_categories:
        missing = {s for t in terms for s in t.stems} - set(stems)
        if missing:
            named.update(_known(community_id, sorted(missing), with_categories=True)[1])
        terms = [Term(t.word, t.stems, t.posts, t.corrected,
                      frozenset().union(*(named.get(s, set()) for s in t.stems))) for t in terms]
    return terms


def _known(community_id: int, stems: list[str], *, with_categories: bool) -> tuple[dict, dict]:
    """(stem -> posts using it) for the stems in use and, if asked, (stem -> category ids) from the
    vocabulary (categories in use): one query."""
    marks = ", ".join(["%s"] * len(stems))
    sql = ("SELECT DISTINCT stem, posts, CAST(NULL AS BIGINT) FROM market_searchword"
           f" WHERE community_id = %s AND stem IN ({marks})")
    params = [community_id, *stems]
    if with_categories:
        sql += (f" UNION ALL SELECT w.stem, CAST(NULL AS BIGINT), w.category_id FROM market_conceptword w"
                f" JOIN communities_category c ON c.id = w.category_id"
                f" WHERE w.community_id = %s AND w.stem IN ({marks}) AND NOT c.retired")
        params += [community_id, *stems]
    known: dict[str, int] = {}
    named: dict[str, set[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for stem, posts, category_id in cursor.fetchall():
            if category_id is None:
                known[stem] = posts
            else:
                named.setdefault(stem, set()).add(category_id)
    return known, named


def _similar_pg(community_id: int, words: list[str]) -> dict[str, list[tuple]]:
    # ``%`` is pg_trgm's similarity operator (threshold 0.3, below ours), served by the GIN index.
    sql = """
        SELECT q.word, s.word, s.stem, s.posts, s.sim
        FROM unnest(%s::text[]) AS q(word)
        CROSS JOIN LATERAL (
            SELECT w.word, w.stem, w.posts, similarity(w.word, q.word) AS sim
            FROM market_searchword w
            WHERE w.community_id = %s AND w.word %% q.word
            ORDER BY sim DESC, w.posts DESC, w.word
            LIMIT %s
        ) s
    """
    found: dict[str, list[tuple]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [words, community_id, CANDIDATES])
        for query_word, word, stem, posts, sim in cursor.fetchall():
            found.setdefault(query_word, []).append((word, stem, posts, round(float(sim), 6)))
    return found


def _similar_sqlite(community_id: int, words: list[str]) -> dict[str, list[tuple]]:
    # The same similarity pg_trgm computes: shared trigrams / (ours + theirs - shared).
    parts, params = [], []
    for word in words:
        grams = sorted(text.trigrams(word))
        parts.append(f"""SELECT * FROM (
            SELECT %s AS q, w.word, w.stem, w.posts,
                   COUNT(*) * 1.0 / (%s + w.trigram_count - COUNT(*)) AS sim
            FROM market_searchword_trigram t JOIN market_searchword w ON w.id = t.word_id
            WHERE t.community_id = %s AND t.trigram IN ({", ".join(["%s"] * len(grams))})
            GROUP BY w.id HAVING sim >= 0.3
            ORDER BY sim DESC, w.posts DESC, w.word LIMIT %s)""")
        params += [word, len(grams), community_id, *grams, CANDIDATES]
    found: dict[str, list[tuple]] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for query_word, word, stem, posts, sim in cursor.fetchall():
            found.setdefault(query_word, []).append((word, stem, posts, round(float(sim), 6)))
    for candidates in found.values():
        candidates.sort(key=lambda c: (-c[3], -c[2], c[0]))
    return found


def rebuild(community_id: int, word_counts: Counter, stem_posts: Counter) -> int:
    """Replace a community's words: ``word_counts`` (word -> uses) and ``stem_posts`` (stem ->
    posts using it). Call inside the retraining transaction. Returns how many words."""
    kept = [w for w, _n in word_counts.most_common(MAX_WORDS)]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM market_searchword_trigram WHERE community_id = %s", [community_id])
    SearchWord.objects.filter(community_id=community_id).delete()
    rows = SearchWord.objects.bulk_create(
        [SearchWord(community_id=community_id, word=w, stem=text.stem(w), posts=stem_posts[text.stem(w)],
                    trigram_count=len(text.trigrams(w))) for w in kept], batch_size=2000)
    if connection.vendor == "sqlite":
        if any(row.pk is None for row in rows):  # bulk_create returns ids on SQLite 3.35+
            ids = dict(SearchWord.objects.filter(community_id=community_id).values_list("word", "pk"))
        else:
            ids = {row.word: row.pk for row in rows}
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO market_searchword_trigram (community_id, trigram, word_id) VALUES (%s, %s, %s)",
                [(community_id, gram, ids[w]) for w in kept for gram in text.trigrams(w)])
    return len(kept)
