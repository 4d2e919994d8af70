"""Read-side queries about memberships and applications."""

from django.db.models import QuerySet

from coproduce.members.models import Application, ApplicationStatus


def pending_applications(community) -> QuerySet[Application]:
    """Applications waiting for a coordinator's decision, oldest first."""
    return (Application.objects.filter(community=community, status=ApplicationStatus.PENDING)
            .select_related("user", "area").order_by("created_at", "pk"))
