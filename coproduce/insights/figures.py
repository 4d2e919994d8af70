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


# Bounds of a period asked for: none longer than ten years, and none before the time bank started
# (nor before 1900, whatever ``started_on`` says, so a period and the one before it stay dates).
MAX_PERIOD_MONTHS = 120
EARLIEST = datetime.date(1900, 1, 1)


def first_month(community, this_month: datetime.date) -> datetime.date:
    """The month the community's figures start: the month it started, never in the future."""
    return min(max(community.started_on, EARLIEST).replace(day=1), this_month)


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
        self.first_month = first_month(community, self.this_month)
        self.default = Period(max(add_months(self.this_month, -11), self.first_month), self.this_month)
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
            if start < self.first_month:
                self.add_error("start", _("Figures start in %(month)s, when the time bank started: choose "
                                          "that month or a later one.") % {"month": f"{self.first_month:%B %Y}"})
            elif (end.year - start.year) * 12 + end.month - start.month >= MAX_PERIOD_MONTHS:
                raise forms.ValidationError(_("Choose a period of at most %(years)s years.")
                                            % {"years": MAX_PERIOD_MONTHS // 12})
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
    """Exchange [minutes, exchanges] per month, by type and by category; by area [minutes, givers]
    (each giver's minutes and exchanges in the giver's own area, so an exchange with givers in
    two areas counts in both); gifts and grants separately."""
    rows = list(_rollups(community, period).values("month", "exchange_type", "category_id", "area_id")
                .annotate(m=Sum("minutes"), n=Sum("exchanges"), g=Sum("givers")))
    per_month = {m: [0, 0] for m in period.months}
    by_type = {t: [0, 0] for t in EXCHANGE_TYPES}
    by_category: dict = {}
    by_area: dict = {}
    other = {ExchangeType.GIFT: [0, 0], ExchangeType.POT_GRANT: [0, 0]}
    for row in rows:
        m, n, g = row["m"] or 0, row["n"] or 0, row["g"] or 0
        if not (m or n or g):  # what a reversal left: nothing happened there
            continue
        if row["exchange_type"] in other:
            other[row["exchange_type"]][0] += m
            other[row["exchange_type"]][1] += n
            continue
        for bucket, key, count in ((per_month, row["month"], n), (by_type, row["exchange_type"], n),
                                   (by_category, row["category_id"], n), (by_area, row["area_id"], g)):
            cell = bucket.setdefault(key, [0, 0])
            cell[0] += m
            cell[1] += count
    total = [sum(v[0] for v in per_month.values()), sum(v[1] for v in per_month.values())]
    return {"per_month": per_month, "by_type": by_type, "by_category": by_category, "by_area": by_area,
            "other": other, "total": total}


@dataclass(frozen=True)
class MemberFigures:
    active: int
    reciprocal: int
    median_hours: Decimal | None

    @property
    def reciprocity(self) -> float | None:
        return self.reciprocal / self.active if self.active else None


def _member_figures(sums: list[tuple[int, int]]) -> MemberFigures:
    """From (given, received) minutes per member: who was active, who both gave and received."""
    active = [(given, received) for given, received in sums if given or received]
    mid = median([given + received for given, received in active]) if active else None
    return MemberFigures(len(active), sum(1 for given, received in active if given and received),
                         None if mid is None else hours(mid))


# Sums per member first (one pass over MemberMonth), then their consented age band and gender.
_MEMBER_MONTHS_SQL = """
WITH sums AS (
    SELECT mm.account_id, {columns}
    FROM insights_membermonth mm
    WHERE mm.community_id = %s AND mm.month >= %s AND mm.month <= %s
    GROUP BY mm.account_id
)
SELECT sums.*, d.age_band, d.gender
FROM sums
JOIN ledger_account a ON a.id = sums.account_id
LEFT JOIN members_membership m ON m.id = a.membership_id
LEFT JOIN members_demographics d ON d.user_id = m.user_id
"""


@dataclass(frozen=True)
class MembersInWindows:
    figures: dict[str, MemberFigures]  # per window name
    by_age_band: dict[str, tuple[int, int]]  # minutes given and received in the first window, consenting only
    by_gender: dict[str, tuple[int, int]]


def last_posted(community):
    """When the community's ledger last changed (its latest posting or reversal; one index read):
    what stored figures compare against to know they are stale."""
    from django.db.models import Max

    from coproduce.ledger.models import Transfer

    return Transfer.objects.filter(community=community).aggregate(last=Max("posted_at"))["last"]


def members_in_windows(community, windows: dict[str, Period]) -> MembersInWindows:
    """Per-member figures for several windows of whole months in ONE query over ``MemberMonth``
    (active members, reciprocity, median hours), and, for the first window, minutes given and
    received by age band and gender from members who consent to share them (a Demographics
    row exists only while they do).

    Cached until the community next posts (the latest ``posted_at``) or anyone's
    demographics change: at 100,000 members the query takes a second or two, a cached answer
    a millisecond, and a dashboard is read far more often than a large community posts."""
    from django.db.models import Count, Max

    from coproduce.lib.kept import kept
    from coproduce.members.models import Demographics

    demographics = Demographics.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    signature = [community.pk, last_posted(community), demographics["n"], demographics["last"],
                 *(f"{name}={w.start}/{w.end}" for name, w in windows.items())]
    return kept("members-in-windows", signature, lambda: _members_in_windows(community, windows))


def _members_in_windows(community, windows: dict[str, Period]) -> MembersInWindows:
    names = list(windows)
    columns, params = [], []
    for name in names:
        window = windows[name]
        for side in ("given", "received"):
            columns.append(f"SUM(CASE WHEN mm.month >= %s AND mm.month <= %s THEN mm.{side} ELSE 0 END) AS {side}_{len(columns)}")
            params += [window.start, window.end]
    first = min(w.start for w in windows.values())
    last = max(w.end for w in windows.values())
    with connection.cursor() as cursor:
        cursor.execute(_MEMBER_MONTHS_SQL.format(columns=", ".join(columns)), [*params, community.pk, first, last])
        rows = cursor.fetchall()
    figures = {name: _member_figures([(int(row[1 + 2 * i]), int(row[2 + 2 * i])) for row in rows])
               for i, name in enumerate(names)}
    splits: dict[str, dict[str, list[int]]] = {"age_band": {}, "gender": {}}
    for row in rows:
        given, received, age_band, gender = row[1], row[2], row[-2], row[-1]
        for field, value in (("age_band", age_band), ("gender", gender)):
            if value and (given or received):
                cell = splits[field].setdefault(value, [0, 0])
                cell[0] += int(given)
                cell[1] += int(received)
    return MembersInWindows(figures, *({k: tuple(v) for k, v in splits[f].items()} for f in ("age_band", "gender")))


def member_figures(community, period: Period) -> MemberFigures:
    """Active members, how many both gave and received, and the median hours (given + received)
    per active member, for exchanges performed in the period's months, net of reversals."""
    return members_in_windows(community, {"period": period}).figures["period"]


def new_members(community, period: Period) -> int:
    from coproduce.members.models import Membership

    return Membership.objects.filter(community=community, joined_at__date__gte=period.start,
                                     joined_at__date__lte=period.last_day).count()


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
