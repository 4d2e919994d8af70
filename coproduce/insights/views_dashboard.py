"""Issue 6 dashboards: coordinators' dashboard, a partner's slice, the public figures and the
core-economy account. Figures come from ``figures`` (roll-ups and aggregate SQL); anything a
partner or the public sees goes through ``coproduce.lib.disclosure`` first."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coproduce.communities.models import Area, Category
from coproduce.insights import figures as f
from coproduce.insights import releases
from coproduce.insights.models import ExchangeType
from coproduce.insights.tables import respond as _respond
from coproduce.insights.tables import table as _table
from coproduce.insights.valuation import rate_set_for, replacement_value
from coproduce.ledger.services import community_today
from coproduce.lib.charts import Series, bar_chart, line_chart
from coproduce.lib.disclosure import protect_count
from coproduce.members.models import AgeBand, Gender
from coproduce.members.permissions import access_for, require_coordinator
from coproduce.partners.models import Organisation
from coproduce.partners.permissions import is_active_staff

TYPE_LABELS = dict(ExchangeType.choices)


def _pct(rate) -> str:
    return "–" if rate is None else f"{rate * 100:.0f}%"


def _labels(community):
    categories = dict(Category.objects.filter(community=community).values_list("pk", "name"))
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

    def split(name, caption, key_label, current, prior, label_of):
        keys = list(dict.fromkeys(list(current) + list(prior)))
        rows = [[label_of(k), f.hours(current.get(k, [0, 0])[0]), current.get(k, [0, 0])[1],
                 f.hours(prior.get(k, [0, 0])[0])] for k in keys]
        rows.sort(key=lambda r: str(r[0]))
        return _table(name, caption, [key_label, _("Hours"), _("Exchanges"), _("Hours, previous period")], rows)

    by_type = split("by-type", _("Exchange hours by type"), _("Type"), now["by_type"], before["by_type"],
                    lambda k: TYPE_LABELS.get(k, k))
    by_category = split("by-category", _("Exchange hours by category"), _("Category"), now["by_category"],
                        before["by_category"], lambda k: categories.get(k, _("No category")))
    by_area = split("by-area", _("Exchange hours by area (the giver's)"), _("Area"), now["by_area"],
                    before["by_area"], lambda k: areas.get(k, _("No area")))
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
            "type_chart": type_chart, "by_type": by_type, "tables": tables}


def _period(request, access, template, **extra):
    """(period, context, None) for the period asked for, or (None, context, a 400 page with the form's errors)."""
    form = f.PeriodForm(request.GET, community=access.community)
    period = form.period()
    context = {"access": access, "community": access.community, "form": form, "period": period, **extra}
    if period is None:
        return None, context, render(request, template, {**context, "tables": []}, status=400)
    return period, context, None


@login_required
def dashboard(request, slug):
    """Coordinators: the community's figures for a period, against the previous period."""
    access = require_coordinator(request, slug)
    period, context, error = _period(request, access, "insights/dashboard.html")
    if error:
        return error
    figures = dashboard_figures(access.community, period)
    return _respond(request, "insights/dashboard.html", {**context, **figures}, figures["tables"])


class QuarterForm(forms.Form):
    quarter = forms.ChoiceField(label=gettext_lazy("Quarter"))

    def __init__(self, data, *, quarters):
        super().__init__(data if data and "quarter" in data else None,
                         initial={"quarter": quarters[0].isoformat() if quarters else None})
        self.fields["quarter"].choices = [(q.isoformat(), releases.quarter_label(q)) for q in quarters]
        self.fields["quarter"].error_messages["invalid_choice"] = gettext_lazy(
            "Choose one of the quarters listed: figures are published once a quarter has been over for "
            "%(days)s days.") % {"days": releases.RELEASE_AFTER_DAYS}
        self.quarters = quarters

    def chosen_quarter(self):
        """The quarter asked for, the latest released one when nothing was asked, None when invalid."""
        if not self.is_bound:
            return self.quarters[0] if self.quarters else None
        return datetime.date.fromisoformat(self.cleaned_data["quarter"]) if self.is_valid() else None


def public_release(request, slug):
    """(access, form, release or None, status) for the public pages: the quarter asked for, released."""
    access = access_for(request, slug)
    community = access.community
    quarters = releases.released_quarters(community, community_today(community))
    form = QuarterForm(request.GET, quarters=quarters)
    quarter = form.chosen_quarter()
    if quarter is None:
        return access, form, None, 400 if form.is_bound else 200
    return access, form, releases.release_for(community, quarter), 200


def _public_charts(release) -> list:
    """Bar charts of exchanges per month and by category, drawn from the release's protected figures."""
    k = release.k
    charts = []
    for name, title in (("per-month", _("Exchanges per month")), ("by-activity", _("Exchanges by activity"))):
        data = next((t for t in release.figures["tables"] if t["name"] == name), None)
        if data and data.get("chart"):
            charts.append(mark_safe(bar_chart(  # escaped by bar_chart
                [label for label, _value in data["chart"]], [value for _label, value in data["chart"]],
                title=title, chart_id=f"public-{name}", y_label=_("exchanges"),
                missing_label=_("fewer than %(k)s") % {"k": k},
                desc=_("Bar chart; bars are not drawn for counts below %(k)s. The same figures are in the "
                       "table “%(caption)s” below.") % {"k": k, "caption": data["caption"]})))
    return charts


def public_figures(request, slug):
    """Anyone: a released quarter's figures, protected against small counts (``insights.releases``)."""
    access, form, release, status = public_release(request, slug)
    context = {"access": access, "community": access.community, "form": form, "release": release,
               "after_days": releases.RELEASE_AFTER_DAYS}
    if release is None:
        return render(request, "insights/public_figures.html", {**context, "tables": []}, status=status)
    context.update({"k": release.k, "quarter": releases.quarter_label(release.period_start),
                    "charts": _public_charts(release)})
    return _respond(request, "insights/public_figures.html", context, release.figures["tables"])


@login_required
def partner_slice(request, slug, organisation_pk):
    """An organisation's staff (and coordinators): hours with the organisation, small counts protected."""
    access = access_for(request, slug)
    community = access.community
    organisation = get_object_or_404(Organisation, pk=organisation_pk, community=community)
    if not access.is_coordinator and not is_active_staff(request.user, organisation):
        raise PermissionDenied(_("Only %(organisation)s's own staff and coordinators can see this.")
                               % {"organisation": organisation.name})
    k, rule = community.small_count_k, community.small_count_rule
    period, context, error = _period(request, access, "insights/partner_slice.html", organisation=organisation, k=k)
    if error:
        return error
    # Per calendar month only, with no totals: a month's figures are the same whatever period is
    # asked for, so comparing two periods cannot reveal a hidden month (a total over the period
    # would: January to March minus January to February is March).
    per_month = f.organisation_figures(community, organisation, period)
    rows = []
    for month in period.months:
        exchanges, minutes, people = per_month[month]
        count = protect_count(exchanges, k, rule)
        rows.append([month.strftime("%b %Y"), str(count), "–" if count.suppressed else f.hours(minutes),
                     str(protect_count(people, k, rule))])
    months = _table("with-organisation", _("Exchanges, hours and members with %(organisation)s, by month")
                    % {"organisation": organisation.name},
                    [_("Month"), _("Exchanges"), _("Hours"), _("Members who took part")], rows)
    return _respond(request, "insights/partner_slice.html", context, [months])


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
        valuation = replacement_value({a: f.hours(m) for a, m in minutes_by_activity.items() if m > 0}, rate_set)
        rows = [[line.label, line.hours,
                 f"{line.value} {rate_set.currency}" if line.valued else _("not valued"),
                 line.rate.per_hour if line.rate else "–", line.rate.occupation if line.rate else "",
                 line.rate.year if line.rate else "", line.rate.source if line.rate else ""]
                for line in sorted(valuation.lines, key=lambda line: line.label)]
        if unmapped:
            rows.append([_("No category"), f.hours(unmapped), _("not valued"), "–", "", "", ""])
        rows.append([_("Total"), valuation.hours_valued + valuation.hours_not_valued + f.hours(unmapped),
                     f"{valuation.total} {rate_set.currency}", "", "", "", ""])
        tables.append(_table("core-economy-account", _("Core economy account, %(period)s")
                             % {"period": period.label()},
                             [_("Activity"), _("Hours"), _("Replacement value"), _("Rate per hour"),
                              _("Market equivalent"), _("Rate year"), _("Source")], rows))
    return valuation, tables


@login_required
def core_economy_account(request, slug):
    """Coordinators: hours and replacement value by activity for a period, with method and sources."""
    access = require_coordinator(request, slug)
    rate_set = rate_set_for(access.community)
    period, context, error = _period(request, access, "insights/core_economy.html", rate_set=rate_set)
    if error:
        return error
    valuation, tables = account_figures(access.community, period, rate_set)
    return _respond(request, "insights/core_economy.html", {**context, "valuation": valuation}, tables)


@login_required
def report_pdf(request, slug):
    """Coordinators: the PDF report for a period (``report.build_pdf``)."""
    from coproduce.insights import report

    access = require_coordinator(request, slug)
    period, _context, error = _period(request, access, "insights/dashboard.html")
    if error:
        return error
    try:
        pdf = report.build_pdf(access.community, period)
    except report.PdfUnavailable as error:
        return render(request, "insights/dashboard.html", {"access": access, "community": access.community,
                                                           "form": None, "tables": [], "error": str(error)},
                      status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.filename(access.community, period)}"'
    return response
