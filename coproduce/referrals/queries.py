from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from coproduce.referrals.models import Reason, Referral, Signpost, Step


def visible_to(user, community, *, is_coordinator: bool, staff_of=frozenset()):
    """Coordinators see every referral; anyone else sees those about them, and staff see the
    ones they made for an organisation they still work for (staff who left lose them)."""
    referrals = Referral.objects.filter(community=community).select_related(
        "organisation", "membership__user", "group", "service", "referred_by")
    if is_coordinator:
        return referrals
    return referrals.filter(Q(referred_by=user, organisation_id__in=list(staff_of)) | Q(membership__user=user))


def counts(community) -> dict:
    """Referrals by reason, by step and by where people were referred to, and signposting (details
    of a directory service given without a referral) by reason, for reports:
    {"by_reason": [(label, n)], "by_step": [...], "by_destination": [...], "signposted": [...],
    "signposted_total": n}. Four queries."""
    rows = Referral.objects.filter(community=community)
    by_reason = dict(rows.values_list("reason").annotate(n=Count("pk")))
    where = rows.order_by().aggregate(to_group=Count("pk", filter=Q(group__isnull=False)),
                                      to_service=Count("pk", filter=Q(service__isnull=False)),
                                      to_bank=Count("pk", filter=Q(group__isnull=True, service__isnull=True)))
    signposted = dict(Signpost.objects.filter(community=community).values_list("reason").annotate(n=Count("pk")))
    return {"by_reason": [(label, by_reason.get(value, 0)) for value, label in Reason.choices],
            "by_step": [(label, n) for _step, label, n in by_step(rows)],
            "by_destination": [(_("the time bank"), where["to_bank"]),
                               (_("a peer-support group"), where["to_group"]),
                               (_("a service in the directory"), where["to_service"])],
            "signposted": [(label, signposted.get(value, 0)) for value, label in Reason.choices],
            "signposted_total": sum(signposted.values())}


def by_step(referrals) -> list[tuple[str, str, int]]:
    """How many of these referrals are at each step, in the steps' order: [(step, label, n)]. One query."""
    found = dict(referrals.order_by().values_list("step").annotate(n=Count("pk")))
    return [(value, label, found.get(value, 0)) for value, label in Step.choices]
