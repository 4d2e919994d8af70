from django.db.models import Count, Q
from django.shortcuts import render

from coproduce.communities.models import Community
from coproduce.lib.disclosure import protect_count


def home(request):
    """The front door: every community on this installation and how to join it."""
    communities = list(Community.objects.annotate(
        member_count=Count("memberships", filter=Q(memberships__status="active"))
    ).order_by("name"))
    for community in communities:  # public: protected like every public count
        community.members = protect_count(community.member_count, community.small_count_k,
                                          community.small_count_rule)
    return render(request, "web/home.html", {"communities": communities})


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def permission_denied(request, exception):
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)
