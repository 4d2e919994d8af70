"""Public releases: what the public sees, per completed calendar quarter, frozen when first shown.

Small-count protection of one table is not enough if anyone may ask for any period: the
figures for January–March minus those for January–February give March's, cell by cell,
including cells that March's own table hides. And because exchanges may be recorded late
with an earlier date, the same quarter asked for last week and today differs by the late
ones. So the public pages (figures and network) offer only whole calendar quarters, which
never overlap, and only once a quarter has been over for ``RELEASE_AFTER_DAYS`` (time for
late records and confirmations).

**Frozen.** The first time a quarter is shown, its protected figures are worked out and
stored, cell by cell (``PublicRelease.figures``: every table, chart value and the picture);
from then on the pages are served from that snapshot and nothing recomputes it, not even a
change of k or of the rule (a rebuild would let anyone subtract the two versions and read
off a late exchange's month, activity, area and length). A correction is explicit: a
coordinator asks for a new version with a reason (``correct_release``, audited); the page
says which version it is, why it was made and which figures changed, and earlier versions
stay readable. A correction is protected against the version before it too: a figure whose
change would be a small count is hidden in the new version (``_forced_by``).

**One protection for everything a release publishes** (issue 11). The figures page and the
network page of a quarter are one release, protected jointly (``coproduce.lib.disclosure``,
``protect_jointly``): the tables per month, by type and by category (by activity in releases
made before issue 13, ``breakdown_of``) all add up to the
exchanges' total; the by-area table (each giver's exchanges and hours in the giver's own
area) adds up to the givings, never fewer than the exchanges; hours add up to the hours'
total in every table; new ties per month add up to the ties in a community's first quarter
(and to at most the ties later); a table's hidden figures never hide what another shows.
Derived figures are only shown where they add nothing: the mean degree only beside both of
its counts, a rate only when the people it counts and those it leaves out are k or more,
clustering only over k or more people and ties. The method is joint complementary
suppression, the one statistical offices use for linked tables (τ-ARGUS, sdcTable); see the
README's "What the public and partners see" for why it was chosen over publishing fewer
totals. Under the rounding rule every count and every hour is rounded instead
(``controlled_round``: each table still adds up to its rounded total), and no ratio and no
picture is published (they would give the exact counts back).
"""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from coproduce.insights import figures as f
from coproduce.insights.models import ExchangeType, MonthlyRollup, PublicRelease
from coproduce.insights.network import PICTURE_MAX_NODES, anonymous_layout, network_for
from coproduce.insights.rollups import EXCHANGE_TYPES
from coproduce.insights.tables import table
from coproduce.lib.disclosure import (
    INF,
    ROUND,
    Constraint,
    adds_up,
    at_most,
    controlled_round,
    protect_jointly,
    protect_rate,
    round_to,
)

RELEASE_AFTER_DAYS = 30
QUARTERS_OFFERED = 8
TYPE_LABELS = dict(ExchangeType.choices)
MIN_MINUTES = 15  # the ledger records time in steps of 15 minutes: an exchange (a giving) is never shorter
MAX_LINE_MINUTES = 24 * 60  # nor one giver's line longer
HOURS_BASE = 5 * 60  # the rounding rule rounds hours to multiples of 5 hours
TOTALS = ("T", "G", "E")  # shared by several lines: hidden only when nothing else helps


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_period(start: datetime.date) -> f.Period:
    return f.Period(start, f.add_months(start, 2))


def quarter_label(start: datetime.date) -> str:
    return _("%(first)s to %(last)s") % {"first": f"{start:%B}", "last": f"{f.add_months(start, 2):%B %Y}"}


def release_date(start: datetime.date) -> datetime.date:
    """The first day the quarter starting on ``start`` may be released."""
    return quarter_period(start).last_day + datetime.timedelta(days=RELEASE_AFTER_DAYS)


def first_quarter(community) -> datetime.date:
    """The community's first quarter: of its first exchange, or of its creation if earlier."""
    earliest = (MonthlyRollup.objects.filter(community=community).order_by("month")
                .values_list("month", flat=True).first())
    return quarter_start(min(filter(None, [earliest, community.created_at.date()])))


def released_quarters(community, today: datetime.date) -> list[datetime.date]:
    """Quarters the public may see, latest first: over for long enough, not before the community began."""
    latest = quarter_start(today)
    while release_date(latest) > today:
        latest = f.add_months(latest, -3)
    first = first_quarter(community)
    quarters = []
    while latest >= first and len(quarters) < QUARTERS_OFFERED:
        quarters.append(latest)
        latest = f.add_months(latest, -3)
    return quarters


# --- What a quarter's release is made of ------------------------------------------------------


def _by_name(pairs, none_label) -> dict:
    """{key: label} sorted by label, with the "none" key (None) last."""
    return dict(sorted(pairs, key=lambda pair: str(pair[1]).lower())) | {None: none_label}


def _key(value) -> str:
    return "-" if value is None else str(value)


class _Lines:
    """The release's variables (counts, their hours in minutes) and what links them."""

    def __init__(self):
        self.values: dict[str, int] = {}
        self.counts: list[str] = []  # in the order to prefer for hiding
        self.hours: dict[str, str] = {}  # count -> its hours
        self.constraints: list[Constraint] = []
        self.lines: list[tuple[list[str], str]] = []  # (cells, total) that add up, for rounding
        self.hour_lines: list[tuple[list[str], str]] = []

    def count(self, name: str, value: int, minutes: int | None = None, *, givings: bool = False) -> str:
        self.values[name] = int(value)
        if name not in self.counts:
            self.counts.append(name)
        if minutes is not None:
            hours = "H" if name == "T" else f"h:{name}"
            self.values[hours] = int(minutes)
            self.hours[name] = hours
            if hours != "H":
                self.constraints.append(at_most(name, hours, MIN_MINUTES))  # 15 minutes per exchange at least
                if givings:  # one giver's line is at most 24 hours
                    self.constraints.append(Constraint(((hours, 1), (name, -MAX_LINE_MINUTES)), equal=False))
        return name

    def line(self, cells: list[str], total: str, hours_total: str | None = None):
        self.constraints.append(adds_up(cells, total))
        self.lines.append((cells, total))
        if hours_total is not None:
            self.constraints.append(adds_up([self.hours[c] for c in cells], hours_total))
            self.hour_lines.append(([self.hours[c] for c in cells], hours_total))


# What the third table breaks exchanges down by. Releases made before issue 13 (and their
# corrections) use the twelve valuation activities; new releases use the community's own top-level
# categories, the words members use (issue 13, point 6).
BY_ACTIVITY, BY_CATEGORY = "activity", "category"


def breakdown_of(release: PublicRelease | None) -> str:
    """The breakdown a release uses, so that a correction keeps its first version's: two versions
    split by different partitions could be subtracted from each other to reveal hidden cells."""
    if release is None:
        return BY_CATEGORY
    cells = release.figures.get("cells", {})
    return BY_ACTIVITY if any(name.startswith("activity:") for name in cells) else BY_CATEGORY


def _split_by(community, by_category: dict, breakdown: str) -> tuple[dict, dict]:
    """({key: label}, {key: [minutes, count]}) of the exchanges by activity or by top-level category.

    Every row is listed, empty or not, from a list that does not depend on the quarter's exchanges
    (all twelve activities; all the community's top-level categories, retired ones too), so a row's
    presence tells nothing. A subcategory's exchanges count in its top-level category."""
    from coproduce.communities.activities import Activity
    from coproduce.communities.models import Category

    categories = list(Category.objects.filter(community=community).values_list("pk", "parent_id", "activity", "name"))
    if breakdown == BY_ACTIVITY:
        key_of = {pk: activity for pk, _parent, activity, _name in categories}
        labels = {value: str(label) for value, label in Activity.choices} | {None: _("No category")}
    else:
        key_of = {pk: parent or pk for pk, parent, _activity, _name in categories}
        labels = _by_name([(pk, name) for pk, parent, _activity, name in categories if parent is None],
                          _("No category"))
    split: dict = {}
    for category_id, (minutes, count) in by_category.items():
        cell = split.setdefault(key_of.get(category_id), [0, 0])
        cell[0] += minutes
        cell[1] += count
    return labels, split


def _gather(community, start: datetime.date, breakdown: str = BY_CATEGORY) -> tuple[_Lines, dict]:
    """Every figure the quarter publishes, exact, as variables with their links; and what the
    tables need to label them."""
    from coproduce.communities.models import Area

    period = quarter_period(start)
    now = f.rollup_figures(community, period)
    members = f.member_figures(community, period)
    result, _parties = network_for(community, period.start, period.last_day)
    first = start == first_quarter(community)
    split_labels, split = _split_by(community, now["by_category"], breakdown)
    labels = {
        "month": {m: m.strftime("%B %Y") for m in period.months},
        "type": {t: str(TYPE_LABELS[t]) for t in EXCHANGE_TYPES},
        breakdown: split_labels,
        "area": _by_name(Area.objects.filter(community=community).values_list("pk", "name"), _("No area")),
    }
    data = {"month": now["per_month"], "type": now["by_type"], breakdown: split, "area": now["by_area"]}
    v = _Lines()
    v.count("T", now["total"][1], now["total"][0])
    for prefix in ("month", "type", breakdown, "area"):
        cells = [v.count(f"{prefix}:{_key(key)}", data[prefix].get(key, [0, 0])[1], data[prefix].get(key, [0, 0])[0],
                         givings=prefix == "area")
                 for key in labels[prefix]]
        if prefix == "area":
            v.count("G", sum(data["area"].get(key, [0, 0])[1] for key in labels["area"]))
            v.line(cells, "G", "H")
            v.constraints.append(at_most("T", "G"))  # every exchange has at least one giver
        else:
            v.line(cells, "T", "H")
    v.count("A", members.active)
    v.count("N", result.nodes)
    v.count("E", result.ties)
    v.constraints.append(at_most("A", "N"))  # every active member is in the network
    v.count("bridging:areas", result.bridging_areas)
    v.count("bridging:ages", result.bridging_age_bands)
    v.constraints += [at_most("bridging:areas", "E"), at_most("bridging:ages", "E")]
    new_months = [v.count(f"new:{m:%Y-%m}", result.new_ties_by_month.get(f"{m:%Y-%m}", 0)) for m in period.months]
    before = result.ties - sum(v.values[name] for name in new_months)  # ties first made before the quarter
    v.values["before"] = before
    v.constraints.append(adds_up([*new_months, "before"], "E"))
    v.counts.remove("T")
    v.counts.append("T")  # the shared totals last
    for name in ("G", "E"):
        v.counts.remove(name)
        v.counts.append(name)
    labels["new"] = {m: f"{m:%Y-%m}" for m in period.months}
    extra = {"period": period, "first": first, "result": result, "reciprocal": members.reciprocal,
             "labels": labels, "before_known": first, "breakdown": breakdown}
    return v, extra


def _forced_by(previous: PublicRelease | None, v: _Lines, k: int) -> dict[str, tuple[float, float]]:
    """Counts a correction must hide, each with the range its new range must overlap, so that
    comparing the two versions cannot tell a small change: a count shown before whose value or
    hours changed (it must stay possible that nothing changed), or one hidden before that would
    now be shown outside the range it was hidden in."""
    if previous is None or not previous.source:
        return {}
    shown = previous.figures.get("cells", {})
    ranges = previous.source.get("ranges", {})
    old = previous.source.get("values", {})
    forced = {}
    for name in v.counts:
        if name not in old:
            continue
        value, hours = v.values[name], v.hours.get(name)
        changed = value != old[name] or (hours is not None and v.values[hours] != old.get(hours))
        label_range = (0, k - 1) if value < k else (k, INF)
        if shown.get(name) is not None:
            if changed and label_range[0] <= old[name] <= label_range[1]:
                forced[name] = (old[name], old[name])
        elif name in ranges:
            low, high = ranges[name]
            high = INF if high is None else high
            if not low <= value <= high and label_range[0] <= high and low <= label_range[1]:
                forced[name] = (low, high)
    return forced


def _protect(v: _Lines, extra: dict, k: int, rule: str, forced) -> tuple[dict[str, int | None], dict]:
    """{variable: what is published (None: hidden)}, and the ranges a reader is left with."""
    if rule == ROUND:
        published = {name: round_to(v.values[name]) for name in v.counts}
        for hours in v.hours.values():
            published[hours] = round_to(v.values[hours], HOURS_BASE)
        for cells, total in v.lines:
            published |= controlled_round({c: v.values[c] for c in cells}, v.values[total], order=cells)
        for cells, total in v.hour_lines:
            published |= controlled_round({c: v.values[c] for c in cells}, v.values[total], HOURS_BASE, order=cells)
        new = [name for name in v.counts if name.startswith("new:")]
        # New ties add up to the ties in a first quarter, to the new ties (not published) later.
        target = v.values["E"] if extra["before_known"] else sum(v.values[name] for name in new)
        published |= controlled_round({c: v.values[c] for c in new}, target, order=new)
        # Hours beside a count rounded to 0 would say whether anyone is there: not shown. If the
        # hours shown and the total could then still prove those rows hold some hours, the total
        # of hours is not shown either.
        for count, hours in v.hours.items():
            if published[count] == 0 and hours != "H":
                published[hours] = None
        for cells, _total in v.hour_lines:
            blank = [c for c in cells if published[c] is None]
            shown = sum(published[c] + HOURS_BASE - 1 for c in cells if published[c] is not None)
            if blank and published["H"] is not None and published["H"] - HOURS_BASE // 2 - shown > 0:
                published["H"] = None
        return published, {}

    def shown_range(name, value):
        if name == "H" or name.startswith("h:"):  # hours are printed to 0.1 h: a range of minutes
            tenths = int(f.hours(value) * 10)
            return (max(0, 6 * tenths - 3), 6 * tenths + 3)
        return (value, value)

    unpublished = {"before": (0, 0) if extra["before_known"] else (0, INF)}
    values = {name: value for name, value in v.values.items() if name != "before"}
    protection = protect_jointly(values, v.constraints, k, counts=v.counts,
                                 together=v.hours, shown_range=shown_range, unpublished=unpublished,
                                 forced=forced, prefer_last=TOTALS)
    published = {name: None if name in protection.hidden else value for name, value in v.values.items()
                 if name != "before"}
    ranges = {name: [low, None if high == INF else high] for name, (low, high) in protection.ranges.items()}
    return published, {"ranges": ranges, "primary": sorted(protection.primary)}


def _count_text(published, name, k, values) -> str:
    value = published[name]
    if value is not None:
        return f"{value:,}"
    return _("fewer than %(k)s") % {"k": k} if values[name] < k else _("not shown")


def _hours_text(published, name, rule) -> str:
    value = published[name]
    if value is None:
        return "–"
    if rule == ROUND:
        return f"{value // 60:,}"
    return str(f.hours(value))


def _tables(v: _Lines, extra: dict, published: dict, k: int, rule: str) -> tuple[list, list, list]:
    """(figures tables, network tables, charts)."""
    labels, result = extra["labels"], extra["result"]
    rounded = rule == ROUND

    def count(name):
        return _count_text(published, name, k, v.values)

    def split(prefix, name, caption, key_label, count_header=None, total="T"):
        rows, chart = [], []
        for key, label in labels[prefix].items():
            cell = f"{prefix}:{_key(key)}"
            rows.append([label, count(cell), _hours_text(published, v.hours[cell], rule)])
            chart.append([label, published[cell], count(cell)])
        rows.append([_("Total"), count(total), _hours_text(published, "H", rule)])
        headers = [key_label, count_header or _("Exchanges"), _("Hours")]
        return table(name, caption, headers, rows), chart

    active = published["A"]
    if rounded:
        reciprocity = _("not shown (figures are rounded)")
    else:
        rate = protect_rate(extra["reciprocal"], v.values["A"], k) if active is not None else None
        reciprocity = f"{rate * 100:.0f}%" if rate is not None else _("not shown (too few people)")
    headline = table("headline", _("Headline figures"), [_("Figure"), _("Value")], [
        [_("Active members (gave or received at least once)"), count("A")],
        [_("Reciprocity rate (active members who both gave and received)"), reciprocity],
    ])
    per_month, month_chart = split("month", "per-month", _("Exchanges and hours per month"), _("Month"))
    by_type, _chart = split("type", "by-type", _("Exchanges and hours by type"), _("Type"))
    if extra["breakdown"] == BY_ACTIVITY:
        by_split, split_chart = split("activity", "by-activity", _("Exchanges and hours by activity"),
                                      _("Activity"))
        split_title = _("Exchanges by activity")
    else:
        by_split, split_chart = split("category", "by-category", _("Exchanges and hours by category"),
                                      _("Category"))
        split_title = _("Exchanges by category")
    by_area, _chart = split("area", "by-area", _("Givers' exchanges and hours by area (each giver's own area; "
                                                 "an exchange with givers from two areas counts in both)"),
                            _("Area"), _("Givers' exchanges"), total="G")
    charts = [{"name": "per-month", "title": _("Exchanges per month"), "caption": per_month["caption"],
               "bars": month_chart},
              {"name": by_split["name"], "title": split_title, "caption": by_split["caption"],
               "bars": split_chart}]
    nodes, ties = published["N"], published["E"]

    def ratio(value, shown):
        return f"{value:.2f}" if shown and value is not None else _("not shown")

    mean_degree_shown = not rounded and nodes is not None and ties is not None
    largest = None if result.largest_component_share is None else round(result.largest_component_share * result.nodes)
    share_shown = (not rounded and nodes is not None and largest is not None
                   and protect_rate(largest, result.nodes, k) is not None)
    clustering = result.average_clustering
    clustering_shown = (not rounded and nodes is not None and ties is not None and clustering is not None
                        and f"{clustering:.2f}" not in ("0.00", "1.00"))  # 0 or 1 would count triangles
    network = table("network", _("The exchange network"), [_("Figure"), _("Value")], [
        [_("People and organisations in the network"), count("N")],
        [_("Ties"), count("E")],
        [_("Mean degree (ties per person)"), ratio(result.mean_degree, mean_degree_shown)],
        [_("Share in the largest connected group"), ratio(result.largest_component_share, share_shown)],
        [_("Average clustering"), ratio(clustering, clustering_shown)],
        [_("Ties bridging different areas"), count("bridging:areas")],
        [_("Ties bridging different age bands (consenting members)"), count("bridging:ages")],
    ])
    caption = _("New ties per month (a pair's first exchange ever)")
    new_ties = table("new-ties", caption, [_("Month"), _("New ties")],
                     [[label, count(f"new:{label}")] for label in labels["new"].values()])
    return [headline, per_month, by_type, by_split, by_area], [network, new_ties], charts


def _picture(result, published, k, rule, secret) -> dict | None:
    """The anonymous picture, only where it tells no count a table hides: people and ties both
    shown (so k or more), under the suppression rule (a picture's dots and lines are exact)."""
    if rule == ROUND or published["N"] is None or published["E"] is None or result.graph is None:
        return None
    positions, edges, total = anonymous_layout(result.graph, secret, PICTURE_MAX_NODES)
    if len(positions) < k or len(edges) < k:
        return None
    return {"positions": [[round(x, 4), round(y, 4)] for x, y in positions], "edges": [list(e) for e in edges],
            "total": total}


def build_release(community, start: datetime.date, *, secret: str = "", previous: PublicRelease | None = None,
                  k: int | None = None, rule: str | None = None) -> tuple[dict, dict]:
    """(figures, source) of one quarter: the published cells exactly as served, and privately the
    exact values they were protected from and the ranges a reader is left with."""
    k = community.small_count_k if k is None else k
    rule = community.small_count_rule if rule is None else rule
    v, extra = _gather(community, start, breakdown_of(previous))
    forced = {} if rule == ROUND else _forced_by(previous, v, k)
    published, audit = _protect(v, extra, k, rule, forced)
    tables, network_tables, charts = _tables(v, extra, published, k, rule)
    picture = _picture(extra["result"], published, k, rule, secret or "preview")
    figures = {"format": 3 if extra["breakdown"] == BY_CATEGORY else 2, "tables": tables, "charts": charts,
               "network": {"tables": network_tables, "picture": picture},
               "cells": {name: published[name] for name in v.counts}, "first_quarter": extra["first"]}
    source = {"values": v.values, **audit}
    return figures, source


def latest_release(community, start: datetime.date) -> PublicRelease | None:
    return (PublicRelease.objects.filter(community=community, period_start=start).order_by("-version").first())


def release_for(community, start: datetime.date) -> PublicRelease:
    """The quarter's latest release, made now if it is the first time anyone asks (callers check
    the quarter is in ``released_quarters``). Never rebuilt: see ``correct_release``."""
    existing = latest_release(community, start)
    if existing is not None:
        return existing
    secret = secrets.token_hex(16)
    figures, source = build_release(community, start, secret=secret)
    try:
        with transaction.atomic():
            return PublicRelease.objects.create(community=community, period_start=start, version=1,
                                                k=community.small_count_k, rule=community.small_count_rule,
                                                figures=figures, source=source, secret=secret)
    except IntegrityError:  # someone else released it a moment ago: everyone sees the same figures
        return PublicRelease.objects.get(community=community, period_start=start, version=1)


def changed_figures(before: dict, after: dict) -> list[list[str]]:
    """[[table caption, row label], ...] whose printed value differs between two versions' figures."""
    def rows(figures):
        found = {}
        for t in [*figures.get("tables", []), *figures.get("network", {}).get("tables", [])]:
            for row in t["rows"]:
                found[(t["caption"], str(row[0]))] = [str(cell) for cell in row[1:]]
        return found

    old, new = rows(before), rows(after)
    return [list(key) for key in new if old.get(key) != new[key]] + [list(key) for key in old if key not in new]


MAX_REASON = 2000


@transaction.atomic
def correct_release(community, start: datetime.date, *, actor, reason: str) -> PublicRelease:
    """A new version of a released quarter, from today's records and protection settings, with the
    reason; audited. Refused without a reason, for a quarter never released, or when nothing
    would change."""
    from coproduce.audit.models import AuditAction
    from coproduce.audit.services import record_audit

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the figures are being corrected: the public page shows it.")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("Keep the reason under %(n)s characters.") % {"n": MAX_REASON}})
    previous = (PublicRelease.objects.select_for_update().filter(community=community, period_start=start)
                .order_by("-version").first())
    if previous is None:
        raise ValidationError(_("These figures have not been released yet: there is nothing to correct."))
    secret = secrets.token_hex(16)
    figures, source = build_release(community, start, secret=secret, previous=previous)
    changes = changed_figures(previous.figures, figures)
    if not changes and (previous.k, previous.rule) == (community.small_count_k, community.small_count_rule):
        raise ValidationError(_("Nothing would change: the figures of version %(version)s are still right.")
                              % {"version": previous.version})
    release = PublicRelease.objects.create(
        community=community, period_start=start, version=previous.version + 1, k=community.small_count_k,
        rule=community.small_count_rule, figures=figures, source=source, secret=secret, released_by=actor,
        reason=reason, changes=changes)
    record_audit(actor=actor, community=community, action=AuditAction.RELEASE_CORRECTED,
                 subject=f"{quarter_label(start)} v{release.version}", quarter=start.isoformat(),
                 version=release.version, reason=reason, changed=len(changes))
    return release
