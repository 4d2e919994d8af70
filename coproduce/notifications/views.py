from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from coproduce.notifications.forms import PreferenceForm
from coproduce.notifications.models import Kind, Preference
from coproduce.notifications.preferences import read_unsubscribe_token, set_preferences


@login_required
def preferences(request):
    preference = Preference.objects.filter(user=request.user).first() or Preference(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        set_preferences(request.user, **form.cleaned_data)
        messages.success(request, _("Your e-mail choices are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


# One-click unsubscribe (RFC 8058): mail clients POST without a session or CSRF token;
# the signed token is the authority, and it can only switch one kind of e-mail off.
@csrf_exempt
def unsubscribe(request, token):
    found = read_unsubscribe_token(token)
    if found is None:
        raise Http404
    user = get_user_model().objects.filter(pk=found[0]).first()
    if user is None:
        raise Http404
    kind = Kind(found[1])
    if request.method == "POST":
        set_preferences(user, **{kind.value: False})
        return render(request, "notifications/unsubscribed.html", {"kind": kind})
    return render(request, "notifications/unsubscribe.html", {"kind": kind})
