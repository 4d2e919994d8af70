from django.db.models import Count, Q

from coproduce.referrals.models import Reason, Referral, Step


def visible_to(user, community, *, is_coordinator: bool, staff_of=frozenset()):
    """Coordinators see every referral; anyone else sees those about them, and staff see the
    ones they made for an organisation they still work for (staff who left lose them)."""
    referrals = Referral.objects.filter(community=community).select_related(
        "organisation", "membership__user", "group", "referred_by")
    if is_coordinator:
        return referrals
    return referrals.filter(Q(referred_by=user, organisation_id__in=list(staff_of)) | Q(membership__user=user))


def counts(community) -> dict:
    """Referrals by reason and by step (for reports): {"by_reason": [(label, n)], "by_step": [...]}."""
    rows = Referral.objects.filter(community=community)
    by_reason = dict(rows.values_list("reason").annotate(n=Count("pk")))
    return {"by_reason": [(label, by_reason.get(value, 0)) for value, label in Reason.choices],
            "by_step": [(label, n) for _step, label, n in by_step(rows)]}


def by_step(referrals) -> list[tuple[str, str, int]]:
    """How many of these referrals are at each step, in the steps' order: [(step, label, n)]. One query."""
    found = dict(referrals.order_by().values_list("step").annotate(n=Count("pk")))
    return [(value, label, found.get(value, 0)) for value, label in Step.choices]
