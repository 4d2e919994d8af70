"""Replacement value of hours (product brief, "Valuation"): hours × the activity's rate.

Exact arithmetic (fractions) from exact minutes: nothing is rounded until it is shown. Each
line's value is rounded to the penny for display, and the total is the exact total rounded,
never a sum of rounded lines (product brief, "Rounding"), so it agrees with the dashboard's
hours to the minute.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

from coproduce.communities.activities import Activity
from coproduce.insights.models import Rate, RateSet

PENNY = Decimal("0.01")
TENTH = Decimal("0.1")


def _rounded(value: Fraction, step: Decimal, rounding=ROUND_HALF_UP) -> Decimal:
    """An exact value rounded to ``step`` (for display)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(step, rounding)


@dataclass(frozen=True)
class ValuedActivity:
    activity: str
    label: str
    exact_hours: Fraction
    rate: Rate | None  # None: the rate set has no rate for this activity
    exact_value: Fraction | None  # None when not valued

    @property
    def hours(self) -> Decimal:
        """Hours to show: rounded to 0.1 h as every page rounds hours (``figures.hours``)."""
        return _rounded(self.exact_hours, TENTH, ROUND_HALF_EVEN)

    @property
    def value(self) -> Decimal | None:
        """Value to show: rounded to the penny."""
        return None if self.exact_value is None else _rounded(self.exact_value, PENNY)

    @property
    def valued(self) -> bool:
        return self.exact_value is not None


@dataclass(frozen=True)
class Valuation:
    rate_set: RateSet
    lines: list[ValuedActivity]
    exact_total: Fraction  # the valued lines' exact values, added up
    hours_valued: Fraction
    hours_not_valued: Fraction

    @property
    def total(self) -> Decimal:
        """The exact total rounded to the penny (not the rounded lines added up)."""
        return _rounded(self.exact_total, PENNY)

    @property
    def hours_valued_shown(self) -> Decimal:
        return _rounded(self.hours_valued, TENTH, ROUND_HALF_EVEN)

    @property
    def currency(self) -> str:
        return self.rate_set.currency


def _hours(value) -> Fraction:
    # float → str → Fraction keeps 2.5 as 2.5 rather than its binary expansion.
    if isinstance(value, Fraction):
        hours = value
    else:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        if not number.is_finite():
            raise ValueError(f"hours must be a non-negative number, not {value!r}")
        hours = Fraction(number)
    if hours < 0:
        raise ValueError(f"hours must be a non-negative number, not {value!r}")
    return hours


def replacement_value(hours_by_activity: Mapping[str, Fraction | Decimal | float | int], rate_set: RateSet
                      ) -> Valuation:
    """Value each activity's hours at the rate set's rate; activities without a rate stay unvalued."""
    rates = rate_set.rates_by_activity()
    labels = dict(Activity.choices)
    lines = []
    for activity, raw_hours in hours_by_activity.items():
        if activity not in labels:
            raise ValueError(f"unknown activity {activity!r}")
        hours = _hours(raw_hours)
        rate = rates.get(activity)
        value = hours * Fraction(rate.per_hour) if rate else None
        lines.append(ValuedActivity(activity, str(labels[activity]), hours, rate, value))
    valued = [line for line in lines if line.valued]
    return Valuation(
        rate_set=rate_set,
        lines=lines,
        exact_total=sum((line.exact_value for line in valued), Fraction(0)),
        hours_valued=sum((line.exact_hours for line in valued), Fraction(0)),
        hours_not_valued=sum((line.exact_hours for line in lines if not line.valued), Fraction(0)),
    )


def value_minutes(minutes_by_activity: Mapping[str, int], rate_set: RateSet) -> Valuation:
    """``replacement_value`` of exact minutes (what the roll-ups hold)."""
    return replacement_value({activity: Fraction(int(minutes), 60) for activity, minutes in minutes_by_activity.items()},
                             rate_set)


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


# --- How categories count (issue 13, point 6) -------------------------------------------------
# Members, coordinators and the public see the community's own categories; the twelve valuation
# activities appear only on the valuation pages, where coordinators see and set which activity
# each category counts as.


def category_mapping(community) -> list[dict]:
    """Every category (top-level first, each followed by its subcategories) with the activity it
    counts as in the valuation, in one query."""
    from coproduce.communities.models import Category

    labels = dict(Activity.choices)
    categories = list(Category.objects.filter(community=community).order_by("position", "name"))
    children: dict = {}
    for category in categories:
        if category.parent_id is not None:
            children.setdefault(category.parent_id, []).append(category)
    rows = []
    for top in (c for c in categories if c.parent_id is None):
        for category in [top, *children.get(top.pk, [])]:
            rows.append({"category": category, "top": category is top, "parent": top if category is not top else None,
                         "activity": category.activity, "activity_label": labels.get(category.activity, "")})
    return rows


def map_categories(community, activities: Mapping[int, str], *, actor) -> int:
    """Set the valuation activity of categories ({category pk: activity}); audited once, with what
    changed. Returns how many changed. Past figures are worked out afresh from each category's
    activity, so the core economy account of any period follows the new mapping."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from coproduce.audit.models import AuditAction
    from coproduce.audit.services import record_audit
    from coproduce.communities.models import Category

    bad = [pk for pk, activity in activities.items() if activity not in Activity.values]
    if bad:
        raise ValidationError(_("Choose one of the activities listed."))
    with transaction.atomic():
        categories = {c.pk: c for c in Category.objects.select_for_update().filter(community=community,
                                                                                     pk__in=list(activities))}
        if len(categories) != len(activities):
            raise ValidationError(_("Choose a category of this community."))
        changed = [(c, activities[pk]) for pk, c in categories.items() if c.activity != activities[pk]]
        for category, activity in changed:
            category.activity = activity
        Category.objects.bulk_update([c for c, _activity in changed], ["activity"])
        if changed:
            record_audit(actor=actor, community=community, action=AuditAction.SETTINGS_CHANGED,
                         subject=_("How categories count in the valuation"),
                         changes={c.name: activity for c, activity in changed})
    return len(changed)
