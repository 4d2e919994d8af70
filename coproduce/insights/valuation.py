"""Replacement value of hours (product brief, "Valuation"): hours × the activity's rate.

Pure arithmetic on Decimals, rounded to the penny only at the end of each line, so the
lines add up to the total shown.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from coproduce.communities.activities import Activity
from coproduce.insights.models import Rate, RateSet

PENNY = Decimal("0.01")


@dataclass(frozen=True)
class ValuedActivity:
    activity: str
    label: str
    hours: Decimal
    rate: Rate | None  # None: the rate set has no rate for this activity
    value: Decimal | None  # None when not valued

    @property
    def valued(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Valuation:
    rate_set: RateSet
    lines: list[ValuedActivity]
    total: Decimal  # sum of the valued lines
    hours_valued: Decimal
    hours_not_valued: Decimal

    @property
    def currency(self) -> str:
        return self.rate_set.currency


def _hours(value) -> Decimal:
    # float → str → Decimal keeps 2.5 as 2.5 rather than its binary expansion.
    hours = value if isinstance(value, Decimal) else Decimal(str(value))
    if not hours.is_finite() or hours < 0:
        raise ValueError(f"hours must be a non-negative number, not {value!r}")
    return hours


def replacement_value(hours_by_activity: Mapping[str, Decimal | float | int], rate_set: RateSet) -> Valuation:
    """Value each activity's hours at the rate set's rate; activities without a rate stay unvalued."""
    rates = rate_set.rates_by_activity()
    labels = dict(Activity.choices)
    lines = []
    for activity, raw_hours in hours_by_activity.items():
        if activity not in labels:
            raise ValueError(f"unknown activity {activity!r}")
        hours = _hours(raw_hours)
        rate = rates.get(activity)
        value = (hours * rate.per_hour).quantize(PENNY, ROUND_HALF_UP) if rate else None
        lines.append(ValuedActivity(activity, str(labels[activity]), hours, rate, value))
    valued = [line for line in lines if line.valued]
    return Valuation(
        rate_set=rate_set,
        lines=lines,
        total=sum((line.value for line in valued), Decimal("0.00")),
        hours_valued=sum((line.hours for line in valued), Decimal("0")),
        hours_not_valued=sum((line.hours for line in lines if not line.valued), Decimal("0")),
    )


def rate_set_for(community) -> RateSet | None:
    """The rate set the community chose (site admins set it in Django admin), or None."""
    from coproduce.insights.models import CommunityValuation

    chosen = CommunityValuation.objects.filter(community=community).select_related("rate_set").first()
    return chosen.rate_set if chosen else None


def choose_rate_set(community, rate_set: RateSet, *, actor) -> None:
    """Set the rate set a community values its hours with; audited."""
    from django.db import transaction

    from coproduce.audit.models import AuditAction
    from coproduce.audit.services import record_audit
    from coproduce.insights.models import CommunityValuation

    with transaction.atomic():
        CommunityValuation.objects.update_or_create(community=community, defaults={"rate_set": rate_set})
        record_audit(actor=actor, community=community, action=AuditAction.RATE_SET_CHOSEN, subject=rate_set.name,
                     rate_set=rate_set.pk)
