"""The pages around the API: your access tokens (make, see once, revoke) and the API's docs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.accounts.mfa import TwoFactor, session_two_factor, two_factor_required
from coproduce.api import tokens as services
from coproduce.api.forms import TokenForm
from coproduce.api.models import AccessToken
from coproduce.api.reference import reference
from coproduce.members.views import add_form_errors


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = two_factor_required(request.user) and session_two_factor(request) == TwoFactor.DONE
        try:
            _token, made = services.create_token(request.user, name=data["name"], scopes=data["scopes"],
                                                days=data["days"], two_factor_done=done)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            form = TokenForm()
    response = render(request, "api/tokens.html", {
        "form": form, "made": made,
        "tokens": AccessToken.objects.filter(user=request.user, revoked_at__isnull=True),
    }, status=400 if form.errors else 201 if made else 200)
    add_never_cache_headers(response)  # the new token is on this page once; no cache keeps it
    return response


@login_required
@require_POST
def revoke(request, pk):
    token = get_object_or_404(AccessToken, pk=pk, user=request.user)
    services.revoke_token(token, actor=request.user)
    messages.success(request, _("Revoked: %(name)s no longer works.") % {"name": token.name})
    return redirect("api:tokens")


def docs(request):
    """The API's reference, from its OpenAPI schema (open to everyone, like the schema)."""
    info, operations, shapes = reference()
    return render(request, "api/docs.html", {"info": info, "operations": operations, "shapes": shapes})
