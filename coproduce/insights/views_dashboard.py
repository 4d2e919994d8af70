"""Issue 6 dashboards: coordinators' dashboard, a partner's slice, the public figures and the
core-economy account. Figures come from ``figures`` (roll-ups and aggregate SQL); anything a
partner or the public sees goes through ``coproduce.lib.disclosure`` first."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coproduce.insights import figures as f
from coproduce.insights import releases, report, tasks
from coproduce.insights.coordinator_figures import account_figures, dashboard_figures
from coproduce.insights.models import PublicRelease, ReportRequest
from coproduce.insights.tables import respond as _respond
from coproduce.insights.tables import table as _table
from coproduce.insights.valuation import rate_set_for
from coproduce.ledger.services import community_today
from coproduce.lib.charts import bar_chart
from coproduce.lib.disclosure import ROUND, protect_count, round_to
from coproduce.members.permissions import access_for, require_coordinator
from coproduce.partners.models import Organisation
from coproduce.partners.permissions import is_active_staff


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
    """(access, form, release or None, status, versions) for the public pages: the quarter asked
    for, released (its latest version, or ``?version=N``)."""
    access = access_for(request, slug)
    community = access.community
    quarters = releases.released_quarters(community, community_today(community))
    form = QuarterForm(request.GET, quarters=quarters)
    quarter = form.chosen_quarter()
    if quarter is None:
        return access, form, None, 400 if form.is_bound else 200, []
    latest = releases.release_for(community, quarter)
    versions = list(PublicRelease.objects.filter(community=community, period_start=quarter)
                    .order_by("version").only("version", "released_at", "reason", "changes", "community", "period_start"))
    asked = request.GET.get("version")
    if asked is None or asked == str(latest.version):
        return access, form, latest, 200, versions
    chosen = next((v for v in versions if str(v.version) == asked.strip()), None)
    if chosen is None:
        form.add_error(None, _("There is no version %(version)s of these figures: versions 1 to %(latest)s "
                               "have been released.") % {"version": asked[:20], "latest": latest.version})
        return access, form, None, 404, versions
    return access, form, PublicRelease.objects.get(pk=chosen.pk), 200, versions


def _public_charts(release) -> list:
    """Bar charts of exchanges per month and by category (by activity in releases made before issue 13),
    drawn from the release's stored cells."""
    k = release.k
    stored = release.figures.get("charts")
    if stored is None:  # released before issue 11: the values stored beside the tables
        stored = [{"name": t["name"], "title": title, "caption": t["caption"],
                   "bars": [[label, value, _("not shown")] for label, value in t.get("chart", [])]}
                  for name, title in (("per-month", _("Exchanges per month")), ("by-activity", _("Exchanges by activity")))
                  for t in release.figures["tables"] if t["name"] == name]
    charts = []
    for data in stored:
        if not data["bars"]:
            continue
        charts.append(mark_safe(bar_chart(  # escaped by bar_chart
            [label for label, _value, _text in data["bars"]], [value for _label, value, _text in data["bars"]],
            title=data["title"], chart_id=f"public-{data['name']}", y_label=_("exchanges"),
            missing_labels=[text for _label, _value, text in data["bars"]],
            desc=_("Bar chart; bars are not drawn for counts that are not shown (below %(k)s, or hidden so that "
                   "they cannot be worked out). The same figures are in the table “%(caption)s” below.")
            % {"k": k, "caption": data["caption"]})))
    return charts


def public_figures(request, slug):
    """Anyone: a released quarter's figures, protected against small counts (``insights.releases``)."""
    access, form, release, status, versions = public_release(request, slug)
    context = {"access": access, "community": access.community, "form": form, "release": release,
               "after_days": releases.RELEASE_AFTER_DAYS, "versions": versions}
    if release is None:
        return render(request, "insights/public_figures.html", {**context, "tables": []}, status=status)
    context.update({"k": release.k, "quarter": releases.quarter_label(release.period_start),
                    "charts": _public_charts(release), "rounded": release.rule == ROUND})
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
        if count.suppressed:
            hours = "–"
        elif rule == ROUND:  # every published number follows the rule: hours too, to multiples of 5
            hours = f"{round_to(minutes, releases.HOURS_BASE) // 60:,}"
        else:
            hours = f.hours(minutes)
        rows.append([month.strftime("%b %Y"), str(count), hours, str(protect_count(people, k, rule))])
    months = _table("with-organisation", _("Exchanges, hours and members with %(organisation)s, by month")
                    % {"organisation": organisation.name},
                    [_("Month"), _("Exchanges"), _("Hours"), _("Members who took part")], rows)
    return _respond(request, "insights/partner_slice.html", context, [months])




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
    """Coordinators: ask for the PDF report of a period. It is made in the background
    (``report.request_report``): GET shows what will be made, POST queues it and goes to its page."""
    access = require_coordinator(request, slug)
    source = request.POST if request.method == "POST" else request.GET
    form = f.PeriodForm(source, community=access.community)
    period = form.period()
    context = {"access": access, "community": access.community, "form": form, "period": period}
    if period is None:
        return render(request, "insights/report_request.html", context, status=400)
    if request.method == "POST":
        wanted = tasks.request_report(access.community, period, user=request.user)
        return redirect("insights:report_status", slug=slug, pk=wanted.pk)
    return render(request, "insights/report_request.html", context)


def _report_for(request, slug, pk) -> tuple:
    """(access, report request) for the community's coordinators; 403 otherwise. Whoever asked for
    it must still coordinate: the report's counts are not protected against small numbers."""
    access = access_for(request, slug)
    wanted = get_object_or_404(ReportRequest.objects.select_related("community"), pk=pk,
                               community=access.community)
    if not access.is_coordinator:
        raise PermissionDenied(_("Only the community's coordinators can see this report."))
    return access, wanted


REFRESH_SECONDS = 5


@login_required
def report_status(request, slug, pk):
    """The page for one report: "being made" (checked again every few seconds by htmx in place,
    which ``?auto=0`` turns off; without JavaScript "Check now"), then the download link, or what
    went wrong."""
    access, wanted = _report_for(request, slug, pk)
    pending = wanted.status == ReportRequest.Status.PENDING
    context = {"access": access, "community": access.community, "report": wanted, "period": report.period_of(wanted),
               "pending": pending, "refresh": REFRESH_SECONDS, "auto": request.GET.get("auto") != "0",
               "failed": wanted.status == ReportRequest.Status.FAILED}
    if request.headers.get("HX-Request") == "true":
        return render(request, "insights/_report_progress.html", context)
    return render(request, "insights/report_status.html", context)


@login_required
def report_download(request, slug, pk):
    access, wanted = _report_for(request, slug, pk)
    if wanted.status != ReportRequest.Status.DONE:
        return redirect("insights:report_status", slug=slug, pk=pk)
    response = HttpResponse(bytes(wanted.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{report.filename(access.community, report.period_of(wanted))}"')
    response["Cache-Control"] = "private, no-store"  # not for shared caches: small counts are not protected
    return response
