from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from coproduce.accounts.mfa import has_two_factor, two_factor_required

# Pages someone without two-factor authentication still needs: to set it up or to leave.
_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/me/")


class RequireTwoFactorMiddleware:
    """Send coordinators and site admins to set up TOTP before they can use anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_EXEMPT_PREFIXES)
            and two_factor_required(user)
            and not has_two_factor(user)
        ):
            messages.warning(request, _("Coordinators and site admins must turn on two-factor "
                                        "authentication before continuing."))
            # Encoded, so a return address with its own query string ("?q=a&page=2") survives.
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
