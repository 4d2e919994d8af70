"""The language of each page (issue 18). Django's LocaleMiddleware has read the language cookie
and the browser's Accept-Language; this, after the log-in, puts first what the person chose on
their profile. (A community's own language is applied where its pages read the community:
``communities.languages.show_in_community_language``.)"""

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


CHOSEN_BEFORE_LOG_IN = "language_chosen_before_log_in"


def keep_language_chosen_before_log_in(sender, request, user, **kwargs):
    """Someone who switched language in this visit before logging in, and has no choice on their
    profile yet, keeps it: their e-mails follow from now on. (The session, not the cookie: on a
    library's computer the cookie may be the last person's.)"""
    chosen = request.session.pop(CHOSEN_BEFORE_LOG_IN, "") if request is not None else ""
    if not user.language and chosen in LANGUAGE_CODES:
        user.language = chosen
        user.save(update_fields=["language"])
