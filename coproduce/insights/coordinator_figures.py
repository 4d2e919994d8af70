"""The coordinator's figures for a period, against the previous period: the dashboard's charts and
tables and the core-economy account. Shared by the pages and the PDF report (``report.py``)."""

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from coproduce.communities.models import Area, Category
from coproduce.insights import figures as f
from coproduce.insights.models import ExchangeType
from coproduce.insights.tables import table as _table
from coproduce.insights.valuation import value_minutes
from coproduce.lib.charts import Series, bar_chart, line_chart
from coproduce.lib.translated import in_language
from coproduce.members.models import AgeBand, Gender

TYPE_LABELS = dict(ExchangeType.choices)


def _pct(rate) -> str:
    return "–" if rate is None else f"{rate * 100:.0f}%"


def _labels(community):
    categories = {pk: in_language(name, texts) for pk, name, texts in Category.objects.filter(
        community=community).values_list("pk", "name", "translations")}
    areas = dict(Area.objects.filter(community=community).values_list("pk", "name"))
    return categories, areas


def _month_chart(period, previous, current_fig, previous_fig, chart_id):
    labels = [m.strftime("%b %Y") for m in period.months]
    now = [float(f.hours(current_fig["per_month"][m][0])) for m in period.months]
    before = [float(f.hours(previous_fig["per_month"][m][0])) for m in previous.months]
    title = _("Exchange hours per month")
    chart = mark_safe(line_chart(labels, [Series(period.label(), now), Series(previous.label(), before)],  # escaped
                                 title=title, chart_id=chart_id, y_label=_("hours"),
                                 desc=_("This period against the previous period of equal length. "
                                        "The same figures are in the table below.")))
    rows = [[label, a, b] for label, a, b in zip(labels, now, before, strict=True)]
    table = _table("hours-per-month", title, [_("Month"), period.label(), _("Previous period, same month")], rows)
    return chart, table


def dashboard_figures(community, period: f.Period) -> dict:
    """The coordinator dashboard's charts and tables for a period, against the previous period
    (also printed in the PDF report)."""
    previous = period.previous()
    now, before = f.rollup_figures(community, period), f.rollup_figures(community, previous)
    members = f.members_in_windows(community, {  # one query for all three windows and the splits
        "now": period, "before": previous,
        "year": f.Period(f.add_months(period.end, -11), period.end)})  # 12-month reciprocity
    members_now, members_before, window = (members.figures[name] for name in ("now", "before", "year"))
    new_now, new_before = f.new_members(community, period), f.new_members(community, previous)
    categories, areas = _labels(community)
    chart, month_table = _month_chart(period, previous, now, before, "hours")
    headline = _table("headline", _("Headline figures"), [_("Figure"), period.label(), previous.label()], [
        [_("Exchange hours"), f.hours(now["total"][0]), f.hours(before["total"][0])],
        [_("Exchanges"), now["total"][1], before["total"][1]],
        [_("Active members"), members_now.active, members_before.active],
        [_("New members"), new_now, new_before],
        [_("Reciprocity rate (12 months to the period's end)"), _pct(window.reciprocity), "–"],
        [_("Reciprocity rate (the period)"), _pct(members_now.reciprocity), _pct(members_before.reciprocity)],
        [_("Median hours per active member"), members_now.median_hours if members_now.median_hours is not None
         else "–", members_before.median_hours if members_before.median_hours is not None else "–"],
        [_("Gifts (hours, not exchange hours)"), f.hours(now["other"]["gift"][0]),
         f.hours(before["other"]["gift"][0])],
        [_("Grants from the pot (hours, not exchange hours)"), f.hours(now["other"]["pot_grant"][0]),
         f.hours(before["other"]["pot_grant"][0])],
    ])

    def split(name, caption, key_label, current, prior, label_of, count_label=None):
        keys = list(dict.fromkeys(list(current) + list(prior)))
        rows = [[label_of(k), f.hours(current.get(k, [0, 0])[0]), current.get(k, [0, 0])[1],
                 f.hours(prior.get(k, [0, 0])[0])] for k in keys]
        rows.sort(key=lambda r: str(r[0]))
        return _table(name, caption, [key_label, _("Hours"), count_label or _("Exchanges"),
                                      _("Hours, previous period")], rows)

    by_type = split("by-type", _("Exchange hours by type"), _("Type"), now["by_type"], before["by_type"],
                    lambda k: TYPE_LABELS.get(k, k))
    by_category = split("by-category", _("Exchange hours by category"), _("Category"), now["by_category"],
                        before["by_category"], lambda k: categories.get(k, _("No category")))
    by_area = split("by-area", _("Exchange hours by area: each giver's hours in the giver's own area (an "
                                 "exchange with givers from two areas counts in both)"), _("Area"), now["by_area"],
                    before["by_area"], lambda k: areas.get(k, _("No area")), _("Givers' exchanges"))
    demographic = []
    for field, labels, name, caption in (
            ("age_band", dict(AgeBand.choices), "by-age", _("Hours given and received by age band "
                                                             "(consenting members only)")),
            ("gender", dict(Gender.choices), "by-gender", _("Hours given and received by gender "
                                                             "(consenting members only)"))):
        split_rows = members.by_age_band if field == "age_band" else members.by_gender
        demographic.append(_table(name, caption, [_("Group"), _("Hours given"), _("Hours received")],
                                  [[labels.get(k, k), f.hours(g), f.hours(r)] for k, (g, r) in sorted(split_rows.items())]))
    type_chart = mark_safe(bar_chart([r[0] for r in by_type["rows"]], [float(r[1]) for r in by_type["rows"]],  # escaped
                                     title=by_type["caption"], chart_id="by-type", y_label=_("hours")))
    tables = [headline, month_table, by_type, by_category, by_area, *demographic]
    return {"period": period, "previous": previous, "chart": chart, "month_table": month_table,
            "type_chart": type_chart, "by_type": by_type, "tables": tables,
            # Whether the charts have anything to draw (the PDF prints a line instead of an empty chart).
            "has_exchanges": bool(now["total"][1] or before["total"][1])}



def account_figures(community, period: f.Period, rate_set) -> tuple:
    """(valuation, [the core-economy account table]) for a period; (None, []) without a rate set."""
    activity_of = dict(Category.objects.filter(community=community).values_list("pk", "activity"))
    minutes_by_activity: dict[str, int] = {}
    unmapped = 0
    for category_id, (minutes, _n) in f.rollup_figures(community, period)["by_category"].items():
        activity = activity_of.get(category_id)
        if activity is None:
            unmapped += minutes
        else:
            minutes_by_activity[activity] = minutes_by_activity.get(activity, 0) + minutes
    tables, valuation = [], None
    if rate_set is not None:
        # From exact minutes; each row rounded for display, the Total the exact total rounded.
        valuation = value_minutes({a: m for a, m in minutes_by_activity.items() if m > 0}, rate_set)
        rows = [[line.label, line.hours,
                 f"{line.value} {rate_set.currency}" if line.valued else _("not valued"),
                 line.rate.per_hour if line.rate else "–", line.rate.occupation if line.rate else "",
                 line.rate.year if line.rate else "", line.rate.source if line.rate else ""]
                for line in sorted(valuation.lines, key=lambda line: line.label)]
        if unmapped:
            rows.append([_("No category"), f.hours(unmapped), _("not valued"), "–", "", "", ""])
        rows.append([_("Total"), f.hours(sum(minutes_by_activity.values()) + unmapped),
                     f"{valuation.total} {rate_set.currency}", "", "", "", ""])
        tables.append(_table("core-economy-account", _("Core economy account, %(period)s")
                             % {"period": period.label()},
                             [_("Activity"), _("Hours"), _("Replacement value"), _("Rate per hour"),
                              _("Market equivalent"), _("Rate year"), _("Source")], rows))
    return valuation, tables
