"""Public releases: what the public sees, per completed calendar quarter, frozen when first shown.

Small-count protection of one table is not enough if anyone may ask for any period: the
figures for January–March minus those for January–February give March's, cell by cell,
including cells that March's own table hides. And because exchanges may be recorded late
with an earlier date, the same quarter asked for last week and today differs by the late
ones. So the public pages (figures and network) offer only whole calendar quarters, which
never overlap, and only once a quarter has been over for ``RELEASE_AFTER_DAYS`` (time for
late records and confirmations). The first time a quarter is shown, its protected figures
are computed and stored (``PublicRelease``); from then on everyone sees exactly those
figures, so no two public answers differ by a few people. Exchanges recorded after a
release are in the coordinators' figures, not in the released ones (the page says when the
figures were released).

A release is rebuilt only if the community changes its protection (k or the rule), so a
stricter setting always applies.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from coproduce.insights import figures as f
from coproduce.insights.models import ExchangeType, MonthlyRollup, PublicRelease
from coproduce.insights.network import PICTURE_MAX_NODES, figure_rows, layout, network_for
from coproduce.insights.tables import table
from coproduce.lib.disclosure import protect_count, protect_rate, protect_series

RELEASE_AFTER_DAYS = 30
QUARTERS_OFFERED = 8
TYPE_LABELS = dict(ExchangeType.choices)


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_period(start: datetime.date) -> f.Period:
    return f.Period(start, f.add_months(start, 2))


def quarter_label(start: datetime.date) -> str:
    return _("%(first)s to %(last)s") % {"first": f"{start:%B}", "last": f"{f.add_months(start, 2):%B %Y}"}


def release_date(start: datetime.date) -> datetime.date:
    """The first day the quarter starting on ``start`` may be released."""
    return quarter_period(start).last_day + datetime.timedelta(days=RELEASE_AFTER_DAYS)


def released_quarters(community, today: datetime.date) -> list[datetime.date]:
    """Quarters the public may see, latest first: over for long enough, not before the community began."""
    latest = quarter_start(today)
    while release_date(latest) > today:
        latest = f.add_months(latest, -3)
    earliest = (MonthlyRollup.objects.filter(community=community).order_by("month")
                .values_list("month", flat=True).first())
    first = quarter_start(min(filter(None, [earliest, community.created_at.date()])))
    quarters = []
    while latest >= first and len(quarters) < QUARTERS_OFFERED:
        quarters.append(latest)
        latest = f.add_months(latest, -3)
    return quarters


def cell_text(cell) -> str:
    return str(cell) if cell is not None else "–"


def protected_split(name, caption, key_label, labels: dict, values: dict, k, rule):
    """Exchanges per key through protect_series, hours only where the count is shown.

    ``labels`` maps every key that could have exchanges (every category, area, type or month,
    in the order to show) to its label, so a row's presence tells nothing: a reader cannot
    narrow "fewer than k" down to 1 to k - 1. ``values`` maps keys to [minutes, exchanges].
    """
    cells, total = protect_series({str(key): values.get(key, [0, 0])[1] for key in labels}, k, rule)
    rows, chart = [], []
    for key, label in labels.items():
        cell = cells[str(key)]
        rows.append([label, str(cell), "–" if cell.suppressed else str(f.hours(values[key][0]))])
        chart.append([label, cell.value])
    total_hours = sum(values.get(key, [0, 0])[0] for key in labels)
    rows.append([_("Total"), cell_text(total), "–" if total is None or total.suppressed else str(f.hours(total_hours))])
    result = table(name, caption, [key_label, _("Exchanges"), _("Hours")], rows)
    result["chart"] = chart  # exchanges as shown (None where hidden), without the total
    return result


def _by_name(pairs, none_label) -> dict:
    """{key: label} sorted by label, with the "none" key (None) last."""
    return dict(sorted(pairs, key=lambda pair: str(pair[1]).lower())) | {None: none_label}


def _figures_tables(community, period: f.Period, k: int, rule: str) -> list[dict]:
    from coproduce.communities.activities import Activity
    from coproduce.communities.models import Area, Category

    now = f.rollup_figures(community, period)
    members = f.member_figures(community, period)
    # By activity rather than by category: a fixed list of twelve that every community shares,
    # so every row can be listed, empty or not, without a page of "fewer than k".
    activity_of = dict(Category.objects.filter(community=community).values_list("pk", "activity"))
    by_activity: dict = {}
    for category_id, (minutes, count) in now["by_category"].items():
        cell = by_activity.setdefault(activity_of.get(category_id), [0, 0])
        cell[0] += minutes
        cell[1] += count
    activities = {value: str(label) for value, label in Activity.choices} | {None: _("No category")}
    areas = _by_name(Area.objects.filter(community=community).values_list("pk", "name"), _("No area"))
    types = {key: str(TYPE_LABELS[key]) for key in now["by_type"]}
    months = {m: m.strftime("%B %Y") for m in period.months}
    reciprocity = protect_rate(members.reciprocal, members.active, k)
    headline = table("headline", _("Headline figures"), [_("Figure"), _("Value")], [
        [_("Active members (gave or received at least once)"), str(protect_count(members.active, k, rule))],
        [_("Reciprocity rate (active members who both gave and received)"),
         f"{reciprocity * 100:.0f}%" if reciprocity is not None else _("not shown (too few people)")],
    ])
    return [
        headline,
        protected_split("per-month", _("Exchanges and hours per month"), _("Month"), months, now["per_month"], k, rule),
        protected_split("by-type", _("Exchanges and hours by type"), _("Type"), types, now["by_type"], k, rule),
        protected_split("by-activity", _("Exchanges and hours by activity"), _("Activity"), activities,
                        by_activity, k, rule),
        protected_split("by-area", _("Exchanges and hours by area"), _("Area"), areas, now["by_area"], k, rule),
    ]


def _network(community, period: f.Period, k: int, rule: str) -> dict:
    result, _parties = network_for(community, period.start, period.last_day)
    big_enough = result.nodes >= k
    monthly, _total = protect_series(result.new_ties_by_month, k, rule, with_total=False)
    picture = None
    if big_enough:
        positions, edges, total = layout(result.graph, PICTURE_MAX_NODES)
        index = {node: i for i, node in enumerate(positions)}  # anonymous: dots are numbered, not named
        picture = {"positions": [[round(x, 4), round(y, 4)] for x, y in positions.values()],
                   "edges": [[index[a], index[b]] for a, b in edges], "total": total}
    return {
        "table": table("network", _("The exchange network"), [_("Figure"), _("Value")],
                       figure_rows(result, k=k, rule=rule)),
        "new_ties": table("new-ties", _("New ties per month (a pair's first exchange ever)"),
                          [_("Month"), _("New ties")], [[m, str(c)] for m, c in monthly.items()]),
        "picture": picture,
    }


def build_release(community, start: datetime.date) -> dict:
    """The protected figures of one quarter, as stored in a release (strings and numbers only)."""
    period = quarter_period(start)
    k, rule = community.small_count_k, community.small_count_rule
    return {"tables": _figures_tables(community, period, k, rule), "network": _network(community, period, k, rule)}


def release_for(community, start: datetime.date) -> PublicRelease:
    """The quarter's release, made now if it is the first time anyone asks (callers check the
    quarter is in ``released_quarters``)."""
    k, rule = community.small_count_k, community.small_count_rule
    existing = PublicRelease.objects.filter(community=community, period_start=start).first()
    if existing is not None and (existing.k, existing.rule) == (k, rule):
        return existing
    figures = build_release(community, start)
    if existing is not None:
        existing.k, existing.rule, existing.figures = k, rule, figures
        existing.save(update_fields=["k", "rule", "figures", "released_at"])
        return existing
    try:
        with transaction.atomic():
            return PublicRelease.objects.create(community=community, period_start=start, k=k, rule=rule,
                                                figures=figures)
    except IntegrityError:  # someone else released it a moment ago: everyone sees the same figures
        return PublicRelease.objects.get(community=community, period_start=start)
