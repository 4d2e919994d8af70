from django.db.models import Count, Q
from django.shortcuts import render

from coproduce.communities.models import Community


def home(request):
    """The front door: every community on this installation and how to join it."""
    communities = Community.objects.annotate(
        member_count=Count("memberships", filter=Q(memberships__status="active"))
    ).order_by("name")
    return render(request, "web/home.html", {"communities": communities})


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def permission_denied(request, exception):
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)
