"""The dashboard's figures (product brief, "Measurement: definitions"), from roll-ups and aggregate SQL.

Hours come from ``MonthlyRollup`` (never a scan of transfers). Per-member figures (active
members, reciprocity, median hours) come from one GROUP BY account query over the
entries of member accounts in the window.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from django import forms
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coproduce.insights.models import ExchangeType, MonthlyRollup
from coproduce.insights.rollups import EXCHANGE_TYPES


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    out, month = [], start
    while month <= end:
        out.append(month)
        month = add_months(month, 1)
    return out


def community_month(community) -> datetime.date:
    import zoneinfo

    return timezone.now().astimezone(zoneinfo.ZoneInfo(community.time_zone)).date().replace(day=1)


@dataclass(frozen=True)
class Period:
    start: datetime.date  # first day of the first month
    end: datetime.date  # first day of the last month

    @property
    def months(self) -> list[datetime.date]:
        return months_between(self.start, self.end)

    @property
    def last_day(self) -> datetime.date:
        return add_months(self.end, 1) - datetime.timedelta(days=1)

    def previous(self) -> "Period":
        n = len(self.months)
        return Period(add_months(self.start, -n), add_months(self.start, -1))

    def label(self) -> str:
        return f"{self.start:%b %Y} – {self.end:%b %Y}"


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From (month)"), input_formats=["%Y-%m"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    end = forms.DateField(label=_("To (month)"), input_formats=["%Y-%m"],
                          widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))

    def __init__(self, data, *, community):
        self.community = community
        self.this_month = community_month(community)
        self.default = Period(add_months(self.this_month, -11), self.this_month)
        super().__init__(data if data and ("start" in data or "end" in data) else None,
                         initial={"start": self.default.start, "end": self.default.end})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts."))
            if end > self.this_month or start > self.this_month:
                raise forms.ValidationError(_("The period lies in the future."))
        return cleaned

    def period(self) -> Period | None:
        """The chosen period; the default (last 12 months) when nothing was asked; None when invalid."""
        if not self.is_bound:
            return self.default
        if not self.is_valid():
            return None
        return Period(self.cleaned_data["start"].replace(day=1), self.cleaned_data["end"].replace(day=1))


def hours(minutes) -> Decimal:
    return (Decimal(int(minutes or 0)) / 60).quantize(Decimal("0.1"))


def _rollups(community, period: Period):
    return MonthlyRollup.objects.filter(community=community, month__gte=period.start, month__lte=period.end)


def rollup_figures(community, period: Period) -> dict:
    """Exchange minutes/exchanges per month, by type, by category and by area; gifts and grants separately."""
    rows = list(_rollups(community, period).values("month", "exchange_type", "category_id", "area_id")
                .annotate(m=Sum("minutes"), n=Sum("exchanges")))
    per_month = {m: [0, 0] for m in period.months}
    by_type = {t: [0, 0] for t in EXCHANGE_TYPES}
    by_category: dict = {}
    by_area: dict = {}
    other = {ExchangeType.GIFT: [0, 0], ExchangeType.POT_GRANT: [0, 0]}
    for row in rows:
        m, n = row["m"] or 0, row["n"] or 0
        if row["exchange_type"] in other:
            other[row["exchange_type"]][0] += m
            other[row["exchange_type"]][1] += n
            continue
        for bucket, key in ((per_month, row["month"]), (by_type, row["exchange_type"]),
                            (by_category, row["category_id"]), (by_area, row["area_id"])):
            cell = bucket.setdefault(key, [0, 0])
            cell[0] += m
            cell[1] += n
    total = [sum(v[0] for v in per_month.values()), sum(v[1] for v in per_month.values())]
    return {"per_month": per_month, "by_type": by_type, "by_category": by_category, "by_area": by_area,
            "other": other, "total": total}


_PER_MEMBER_SQL = """
SELECT e.account_id,
       SUM(CASE WHEN e.amount > 0 THEN e.amount ELSE 0 END) AS given,
       SUM(CASE WHEN e.amount < 0 THEN -e.amount ELSE 0 END) AS received
FROM ledger_entry e
JOIN ledger_transfer t ON t.id = e.transfer_id
JOIN ledger_account a ON a.id = e.account_id
WHERE t.community_id = %s AND t.status = 'posted' AND t.kind IN ('exchange', 'group')
  AND t.performed_on >= %s AND t.performed_on <= %s AND a.kind = 'member'
  AND NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r.reverses_id = t.id)
GROUP BY e.account_id
"""


@dataclass(frozen=True)
class MemberFigures:
    active: int
    reciprocal: int
    median_hours: Decimal | None

    @property
    def reciprocity(self) -> float | None:
        return self.reciprocal / self.active if self.active else None


def member_figures(community, start: datetime.date, end: datetime.date) -> MemberFigures:
    """Active members, how many both gave and received, and the median hours (given + received) per
    active member, for posted exchanges performed from ``start`` to ``end`` (dates), reversed ones excluded."""
    with connection.cursor() as cursor:
        cursor.execute(_PER_MEMBER_SQL, [community.pk, start, end])
        rows = cursor.fetchall()
    active = len(rows)
    reciprocal = sum(1 for _pk, given, received in rows if given and received)
    mid = median([(given + received) for _pk, given, received in rows]) if rows else None
    return MemberFigures(active, reciprocal, None if mid is None else hours(mid))


def new_members(community, period: Period) -> int:
    from coproduce.members.models import Membership

    return Membership.objects.filter(community=community, joined_at__date__gte=period.start,
                                     joined_at__date__lte=period.last_day).count()


_DEMOGRAPHIC_SQL = """
SELECT d.{field}, SUM(CASE WHEN e.amount > 0 THEN e.amount ELSE 0 END),
       SUM(CASE WHEN e.amount < 0 THEN -e.amount ELSE 0 END)
FROM ledger_entry e
JOIN ledger_transfer t ON t.id = e.transfer_id
JOIN ledger_account a ON a.id = e.account_id
JOIN members_membership m ON m.id = a.membership_id
JOIN members_demographics d ON d.user_id = m.user_id
WHERE t.community_id = %s AND t.status = 'posted' AND t.kind IN ('exchange', 'group')
  AND t.performed_on >= %s AND t.performed_on <= %s AND a.kind = 'member' AND d.{field} <> ''
  AND NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r.reverses_id = t.id)
GROUP BY d.{field}
"""


def demographic_split(community, period: Period, field: str) -> dict[str, tuple[int, int]]:
    """Minutes given and received by age band or gender, from consenting members only
    (a Demographics row exists only while the member consents)."""
    assert field in ("age_band", "gender")
    with connection.cursor() as cursor:
        cursor.execute(_DEMOGRAPHIC_SQL.format(field=field), [community.pk, period.start, period.last_day])
        return {value: (int(given), int(received)) for value, given, received in cursor.fetchall()}


_ORGANISATION_SQL = """
SELECT t.performed_on, COUNT(DISTINCT t.id),
       SUM(CASE WHEN e.account_id = %s THEN ABS(e.amount) ELSE 0 END)
FROM ledger_transfer t
JOIN ledger_entry e ON e.transfer_id = t.id
WHERE t.community_id = %s AND t.status = 'posted' AND t.kind IN ('exchange', 'group')
  AND t.performed_on >= %s AND t.performed_on <= %s
  AND EXISTS (SELECT 1 FROM ledger_entry o WHERE o.transfer_id = t.id AND o.account_id = %s)
  AND NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r.reverses_id = t.id)
GROUP BY t.performed_on
"""

_ORGANISATION_PEOPLE_SQL = """
SELECT DISTINCT t.performed_on, e.account_id
FROM ledger_transfer t
JOIN ledger_entry e ON e.transfer_id = t.id
JOIN ledger_account a ON a.id = e.account_id
WHERE t.community_id = %s AND t.status = 'posted' AND t.kind IN ('exchange', 'group')
  AND t.performed_on >= %s AND t.performed_on <= %s AND a.kind = 'member'
  AND EXISTS (SELECT 1 FROM ledger_entry o WHERE o.transfer_id = t.id AND o.account_id = %s)
  AND NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r.reverses_id = t.id)
"""


def _as_date(day) -> datetime.date:
    return datetime.date.fromisoformat(day) if isinstance(day, str) else day


def organisation_figures(community, organisation, period: Period) -> dict[datetime.date, tuple[int, int, int]]:
    """{month: (exchanges, minutes, members)} for exchanges the organisation took part in."""
    from coproduce.ledger.models import Account

    account = Account.objects.filter(organisation=organisation).first()
    totals = {m: [0, 0] for m in period.months}
    people: dict[datetime.date, set] = {m: set() for m in period.months}
    if account is not None:
        with connection.cursor() as cursor:
            cursor.execute(_ORGANISATION_SQL, [account.pk, community.pk, period.start, period.last_day, account.pk])
            for day, count, minutes in cursor.fetchall():
                cell = totals[_as_date(day).replace(day=1)]
                cell[0] += count
                cell[1] += int(minutes or 0)
            cursor.execute(_ORGANISATION_PEOPLE_SQL, [community.pk, period.start, period.last_day, account.pk])
            for day, member_account in cursor.fetchall():
                people[_as_date(day).replace(day=1)].add(member_account)
    return {m: (totals[m][0], totals[m][1], len(people[m])) for m in period.months}
