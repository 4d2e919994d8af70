from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from coproduce.accounts.mfa import TwoFactor, session_two_factor

# Pages someone without two-factor authentication still needs: to set it up or to leave.
_SET_UP_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/me/")


class RequireTwoFactorMiddleware:
    """Coordinators and site admins act only from a session that passed the authenticator step.

    Someone who has TOTP but whose session never used it (logged in some other way than
    allauth's log-in, or with a session cookie made without it) is logged out and asked to log
    in again, on every page, /accounts/ included: otherwise such a session could turn TOTP off.
    Someone who has no authenticator yet is sent to set one up.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        state = session_two_factor(request)
        if state is TwoFactor.ASK:
            logout(request)
            messages.warning(
                request,
                _("Log in again with your password and the code from your authenticator app."),
            )
            query = (
                f"?{urlencode({'next': request.get_full_path()})}"
                if request.method == "GET"
                else ""
            )
            return redirect(f"{reverse('account_login')}{query}")
        if state is TwoFactor.SET_UP and not request.path.startswith(_SET_UP_EXEMPT_PREFIXES):
            messages.warning(
                request,
                _(
                    "Coordinators and site admins must turn on two-factor "
                    "authentication before continuing."
                ),
            )
            # Encoded, so a return address with its own query string ("?q=a&page=2") survives.
            return redirect(
                f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)
