"""The language of each page (issue 18). Django's LocaleMiddleware has read the language cookie
and the browser's Accept-Language; this, after the log-in, puts first what the person chose on
their profile. (A community's own language is applied where its pages read the community:
``communities.languages.show_in_community_language``.)"""

from django.conf import settings
from django.utils import translation

from coproduce.communities.languages import LANGUAGE_CODES


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in LANGUAGE_CODES \
                and user.language != request.LANGUAGE_CODE:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def keep_language_chosen_before_log_in(sender, request, user, **kwargs):
    """Someone who switched language on the log-in page and has no choice on their profile yet
    keeps it: their e-mails follow from now on."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "") if request is not None else ""
    if not user.language and chosen in LANGUAGE_CODES:
        user.language = chosen
        user.save(update_fields=["language"])
