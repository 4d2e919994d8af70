"""The marketplace's figures for coordinators: credits spent at each venue and in each kind of
venue, month by month; how many members spend credits, and come back; and the venues' own
return (members who have since come back as paying customers, where a venue records it).

Every count of people is protected like the public figures (``lib.disclosure``): a venue's
month with fewer than k redemptions shows neither its count nor its credits, and a share is
withheld when it, or what it leaves out, counts fewer than k members.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from coproduce.ledger import services as ledger
from coproduce.lib.disclosure import protect_count, protect_rate
from coproduce.members.models import Membership
from coproduce.partners.models import OrganisationType, Redemption

MONTHS = 12


@dataclass(frozen=True)
class VenueMonth:
    venue: str
    month: datetime.date
    redemptions: int | None  # None: fewer than k, withheld
    minutes: int | None


@dataclass(frozen=True)
class Marketplace:
    since: datetime.date
    by_venue: list[VenueMonth]
    by_kind: list[tuple[str, int | None, int | None]]  # (kind of venue, redemptions, minutes)
    spenders: int | None
    share_spending: float | None  # of active members
    share_repeat: float | None  # of those who spent, spent twice or more
    came_back_paying: int | None


def marketplace(community) -> Marketplace:
    k = community.small_count_k
    since = ledger.community_today(community).replace(day=1) - relativedelta(months=MONTHS - 1)
    spent = Redemption.objects.filter(listing__organisation__community=community, redeemed_on__gte=since)

    def cell(n: int, minutes: int) -> tuple[int | None, int | None]:
        shown = protect_count(n, k).value if n >= k else None
        return shown, (minutes if shown is not None else None)

    by_venue = []
    for row in (spent.annotate(month=TruncMonth("redeemed_on"))
                .values("listing__organisation__name", "month")
                .annotate(n=Count("id"), minutes=Sum("minutes"))
                .order_by("listing__organisation__name", "month")):
        month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
        by_venue.append(VenueMonth(row["listing__organisation__name"], month, *cell(row["n"], row["minutes"])))
    kinds = dict(OrganisationType.choices)
    by_kind = [(str(kinds.get(row["listing__organisation__type"], row["listing__organisation__type"])),
                *cell(row["n"], row["minutes"]))
               for row in (spent.values("listing__organisation__type")
                           .annotate(n=Count("id"), minutes=Sum("minutes"))
                           .order_by("-minutes", "listing__organisation__type"))]
    per_member = list(spent.values("membership_id").annotate(n=Count("id")).values_list("n", flat=True))
    spenders, repeaters = len(per_member), sum(1 for n in per_member if n >= 2)
    members = Membership.objects.active().filter(community=community).count()
    came_back = spent.filter(came_back_paying_on__isnull=False).values("membership_id").distinct().count()
    return Marketplace(
        since=since, by_venue=by_venue, by_kind=by_kind,
        spenders=protect_count(spenders, k).value if spenders >= k else None,
        share_spending=protect_rate(spenders, members, k),
        share_repeat=protect_rate(repeaters, spenders, k),
        came_back_paying=came_back if came_back >= k else None,
    )
