"""Which language a person reads (issue 18): their own choice, else their community's, else the
site's. Pages follow it through ``web.middleware``; e-mails are written in it for each recipient."""

from django.conf import settings
from django.core.cache import cache

from coproduce.communities.models import Community

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
_CACHE_SECONDS = 300


def community_language(slug: str) -> str | None:
    """A community's language by its slug (cached: read on every page of an anonymous visitor
    without a choice; ``forget_community_language`` when it changes)."""
    key = f"community-language:{slug}"
    found = cache.get(key)
    if found is None:
        found = Community.objects.filter(slug=slug).values_list("default_language", flat=True).first() or ""
        cache.set(key, found, _CACHE_SECONDS)
    return found or None


def forget_community_language(slug: str) -> None:
    cache.delete(f"community-language:{slug}")


def language_for(user, community: Community | None = None) -> str:
    """The language to write to ``user`` in, about ``community`` when it is known."""
    chosen = getattr(user, "language", "") or ""
    if chosen in LANGUAGE_CODES:
        return chosen
    if community is not None and community.default_language in LANGUAGE_CODES:
        return community.default_language
    return settings.LANGUAGE_CODE
