from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from coproduce.communities.languages import LANGUAGE_CODES
from coproduce.communities.models import Community
from coproduce.lib.disclosure import protect_count
from coproduce.members.counts import active_members_of
from coproduce.members.models import Membership, Role
from coproduce.web.home import build_home, matching_for
from coproduce.web.middleware import CHOSEN_BEFORE_LOG_IN


def home(request):
    """The front door: a visitor sees every time bank; someone logged in goes to their own home."""
    if request.user.is_authenticated:
        return redirect("my_home")
    return time_banks(request)


def time_banks(request):
    """Every community on this installation and how to join it."""
    communities = list(Community.objects.order_by("name"))
    counts = active_members_of(communities)
    for community in communities:  # public: protected like every public count
        community.member_count = counts[community.pk]
        community.members = protect_count(community.member_count, community.small_count_k,
                                          community.small_count_rule)
    return render(request, "web/home.html", {"communities": communities})


@login_required
def my_home(request):
    """Where everyone lands after logging in: a section per role they hold, per community."""
    return render(request, "web/my_home.html", {"home": build_home(request.user)})


@login_required
def my_home_matching(request, slug):
    """The member's matching part of the home page: a fragment for htmx, a page without it."""
    membership = (Membership.objects.active().filter(user=request.user, community__slug=slug, role=Role.MEMBER)
                  .select_related("community", "user").first())
    if membership is None:
        raise Http404
    template = "web/_home_matching.html" if request.headers.get("HX-Request") == "true" else "web/home_matching.html"
    return render(request, template, {"matching": matching_for(membership), "community": membership.community})


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def permission_denied(request, exception):
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


@require_POST
def set_language(request):
    """The switcher on every page: the language for this browser (Django's cookie), and for a
    person logged in, on their profile too, so their e-mails follow. Back to the same page."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if language not in LANGUAGE_CODES:
        return response
    if request.user.is_authenticated:
        if request.user.language != language:
            request.user.language = language
            request.user.save(update_fields=["language"])
    else:
        # Kept for this visit's log-in only: on a shared computer the cookie outlives the person.
        request.session[CHOSEN_BEFORE_LOG_IN] = language
    return response
