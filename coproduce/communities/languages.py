"""Which language a person reads (issue 18): their own choice, else their community's, else the
site's. Pages follow it through ``web.middleware``; e-mails are written in it for each recipient."""

from django.conf import settings
from django.utils import translation

from coproduce.communities.models import Community

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def has_chosen(request) -> bool:
    """Whether the person chose a language: on their profile, or with the switcher (its cookie)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in LANGUAGE_CODES:
        return True
    return request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "") in LANGUAGE_CODES


def show_in_community_language(request, community: Community) -> None:
    """On a community's pages, for someone who chose no language: a community that chose Welsh or
    Spanish shows its pages in it first, whatever the browser asks for (most browsers in Wales
    ask for English); a community in the site's language leaves the browser's wish alone. Called
    where the page reads its community anyway, so it costs no query."""
    language = community.default_language
    if language == settings.LANGUAGE_CODE or language not in LANGUAGE_CODES or has_chosen(request):
        return
    translation.activate(language)
    request.LANGUAGE_CODE = translation.get_language()


def language_for(user, community: Community | None = None) -> str:
    """The language to write to ``user`` in, about ``community`` when it is known."""
    chosen = getattr(user, "language", "") or ""
    if chosen in LANGUAGE_CODES:
        return chosen
    if community is not None and community.default_language in LANGUAGE_CODES:
        return community.default_language
    return settings.LANGUAGE_CODE
