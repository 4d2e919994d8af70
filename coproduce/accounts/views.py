from urllib.parse import urlencode

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp import views as totp_views
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from coproduce.accounts.mfa import MFA_METHOD


def admin_login(request):
    """The Django admin's log-in page hands over to allauth's, so site admins log in the one way
    everyone does: the same TOTP step and the same throttling. It never reads a password."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if admin.site.has_permission(request):
            return redirect(next_url)
        # Sending them to log in would bring them straight back here.
        raise PermissionDenied(_("Only site admins can use the admin pages."))
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


class ActivateTOTPView(totp_views.ActivateTOTPView):
    """allauth's page for setting up an authenticator app, where the code just typed from the new
    app also counts as this session's authenticator step: the person has just shown they hold it.
    Without it, a coordinator who set up TOTP would be logged out on the very next page."""

    def form_valid(self, form):
        response = super().form_valid(form)
        user = self.request.user
        authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        record_authentication(
            self.request,
            user,
            MFA_METHOD,
            id=authenticator.pk,
            type=authenticator.type,
            activated=True,
        )
        return response


activate_totp = ActivateTOTPView.as_view()
