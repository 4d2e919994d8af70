"""The language of each page (issue 18). Django's LocaleMiddleware has read the language cookie
and the browser's Accept-Language; this, after the log-in, puts first what the person chose on
their profile. For someone who has chosen nothing (no profile choice, no cookie from the
switcher), a community that chose Welsh or Spanish shows its pages in it first, whatever the
browser asks for (most browsers in Wales ask for English); a community in the site's language
leaves the browser's wish alone."""

import re

from django.conf import settings
from django.utils import translation

from coproduce.communities.languages import LANGUAGE_CODES, community_language

_COMMUNITY_PATH = re.compile(r"^/c/([-a-zA-Z0-9_]+)/")


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in LANGUAGE_CODES:
            chosen = user.language
        elif settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            found = _COMMUNITY_PATH.match(request.path_info)
            if found:
                language = community_language(found.group(1))
                chosen = language if language != settings.LANGUAGE_CODE else None
        if chosen and chosen != request.LANGUAGE_CODE:
            translation.activate(chosen)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def keep_language_chosen_before_log_in(sender, request, user, **kwargs):
    """Someone who switched language on the log-in page and has no choice on their profile yet
    keeps it: their e-mails follow from now on."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "") if request is not None else ""
    if not user.language and chosen in LANGUAGE_CODES:
        user.language = chosen
        user.save(update_fields=["language"])
