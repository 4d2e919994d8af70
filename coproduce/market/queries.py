"""Browsing and ranked full-text search of offers and requests, on PostgreSQL and SQLite.

One function, ``search_posts``, hides the backend: PostgreSQL uses the generated
``search_vector`` column with its GIN index (migration 0002), ts_rank and
websearch_to_tsquery; SQLite uses the FTS5 table ``market_post_fts`` with bm25. Both
weight the title above the description and drop the same kind of stop words, so the
demo on SQLite finds what production finds.
"""

from datetime import timedelta

from django.db import connection
from django.db.models import BooleanField, F, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from coproduce.market import text
from coproduce.market.models import Post

SORTS = ("relevance", "newest", "ending")
MAX_QUERY_WORDS = 8


def _sqlite_match(words: list[str], *, any_word: bool) -> str:
    # Each word quoted, so FTS5 syntax in the user's text ("NOT", "*", quotes) is inert.
    return (" OR " if any_word else " ").join(f'"{w}"' for w in words)


def text_filter(qs: QuerySet, query: str, *, any_word: bool = False) -> QuerySet:
    """Keep posts matching ``query`` and annotate ``rank`` (higher is better).

    ``any_word`` matches posts with at least one of the words (matching uses it to find
    candidates); the default needs all of them, like a search box should.
    """
    words = text.words(query)[:MAX_QUERY_WORDS]
    if not words:
        return qs.annotate(rank=Value(0.0, output_field=FloatField()))
    if connection.vendor == "postgresql":
        if any_word:
            tsquery = "to_tsquery('english', %s)"
            param = " | ".join(words)
        else:
            tsquery = "plainto_tsquery('english', %s)"
            param = " ".join(words)
        return qs.filter(
            RawSQL(f"market_post.search_vector @@ {tsquery}", (param,), output_field=BooleanField())
        ).annotate(rank=RawSQL(f"ts_rank(market_post.search_vector, {tsquery})", (param,),
                               output_field=FloatField()))
    match = _sqlite_match(words, any_word=any_word)
    return qs.filter(
        RawSQL("market_post.id IN (SELECT rowid FROM market_post_fts WHERE market_post_fts MATCH %s)",
               (match,), output_field=BooleanField())
    ).annotate(rank=RawSQL(
        "(SELECT -bm25(market_post_fts, 4.0, 1.0) FROM market_post_fts"
        " WHERE market_post_fts MATCH %s AND rowid = market_post.id)", (match,), output_field=FloatField()))


def search_posts(community, *, query: str = "", kind: str | None = None, category=None, area=None,
                 within_days: int | None = None, sort: str = "relevance", online: bool = False) -> QuerySet:
    """Open offers and requests of a community, filtered, searched and sorted; ready to paginate."""
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
    has_words = bool(text.words(query))
    if has_words:
        qs = text_filter(qs, query)
    if sort == "ending":
        return qs.order_by("expires_at", "id")
    if sort == "relevance" and has_words:
        return qs.order_by(F("rank").desc(), "-created_at", "-id")
    return qs.order_by("-created_at", "-id")
