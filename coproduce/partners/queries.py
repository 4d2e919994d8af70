"""Read-side queries of partner organisations: where someone works, what they run."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from coproduce.partners.models import Opportunity, OpportunityStatus, Organisation, Signup, Staff


def organisations_of(user) -> list[Organisation]:
    """The organisations this person works for now (active staff), in every community."""
    ids = Staff.objects.active().filter(user=user).values("organisation_id")
    return list(Organisation.objects.filter(pk__in=ids).select_related("community").order_by("name", "pk"))


def current_opportunities(organisation_ids, *, today=None) -> QuerySet[Opportunity]:
    """Open opportunities of these organisations that have not ended, soonest first, with
    ``signed_up`` and their signups (with each person) prefetched."""
    today = today or timezone.localdate()
    return (Opportunity.objects.filter(organisation_id__in=list(organisation_ids), status=OpportunityStatus.OPEN)
            .filter(Q(ends_on__gte=today) | Q(ends_on__isnull=True, starts_on__gte=today))
            .annotate(signed_up=Count("signups"))
            .prefetch_related(Prefetch("signups", queryset=Signup.objects.select_related("membership__user")))
            .order_by("starts_on", "pk"))
