"""The PDF report for a period (issue 6, point 7): the dashboard's charts and tables, the core
economy account, the network figures, outcomes, partners' self-assessments and the method notes.

One HTML template (``insights/report.html``) printed by WeasyPrint. Everything it shows is built
by the same functions as the pages, so the report and the screens never disagree. Charts are
the server's own SVG, inline; WeasyPrint is given a URL fetcher that refuses everything, so
printing never reaches the network.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coproduce.accounts.emails import with_footer
from coproduce.communities.languages import language_for
from coproduce.insights import figures as f
from coproduce.insights.assessment import latest_assessments, overview_table
from coproduce.insights.coordinator_figures import account_figures, dashboard_figures
from coproduce.insights.models import ReportRequest
from coproduce.insights.network import described_picture, figure_rows, layout, network_for
from coproduce.insights.tables import table
from coproduce.insights.valuation import rate_set_for
from coproduce.members.models import Membership
from coproduce.outcomes.reports import distribution_chart, wellbeing_report


class ReportFetchRefused(ValueError):
    pass


def _no_fetch(url, timeout=10, ssl_context=None):
    """The report embeds everything it shows; never fetch (a template mistake must not reach the web)."""
    raise ReportFetchRefused(f"The report does not load external resources ({url}).")


def _network_section(community, period: f.Period) -> dict:
    start, end = period.start, period.last_day
    result, _parties = network_for(community, start, end)
    title = _("Exchange network, %(start)s to %(end)s") % {"start": start, "end": end}
    positions, edges, total = layout(result.graph)
    picture = None
    if positions:
        picture = mark_safe(described_picture(  # built and escaped there
            positions, edges, total, title=title, chart_id="report-network"))
    return {
        "picture": picture,
        "tables": [
            table("network", title, [_("Figure"), _("Value")], figure_rows(result)),
            table("new-ties", _("New ties per month (a pair's first exchange ever)"), [_("Month"), _("New ties")],
                  [[month, count] for month, count in result.new_ties_by_month.items()]),
        ],
    }


def _outcomes_section(community) -> dict:
    items = []
    reports = wellbeing_report(Membership.objects.filter(community=community))
    for index, item in enumerate(reports):
        chart, chart_table = distribution_chart(item, index)
        # Nobody has answered this question yet: a line says so, not an empty chart and table of zeros.
        items.append({"chart": mark_safe(chart) if item.answered else None,  # escaped by the chart function
                      "table": chart_table, "question": item.question})

    def fmt(value, places=1):
        return "–" if value is None else f"{value:.{places}f}"

    change = table("wellbeing-change", _("Wellbeing and loneliness: change from first to latest answer"),
                   [_("Question"), _("People answering"), _("Mean latest answer"),
                    _("People answering twice or more"), _("Mean change"), _("Share improved")],
                   [[r.question, r.answered, fmt(r.mean_latest), r.people_with_change, fmt(r.mean_change),
                     "–" if r.share_improved is None else f"{r.share_improved * 100:.0f}%"] for r in reports])
    return {"change": change, "items": items, "answered": any(r.answered for r in reports)}


def _assessment_section(community) -> dict | None:
    scores = overview_table(latest_assessments(community), assessed_only=True)
    return scores if scores["rows"] else None


def _with_source_notes(account: dict) -> tuple[dict, list[str]]:
    """The account table with its long Source column turned into note numbers, and the notes:
    a page is too narrow for the sources beside the figures, so they follow the table."""
    notes: list[str] = []
    rows = []
    for row in account["rows"]:
        *figures, source = row
        if source and source not in notes:
            notes.append(source)
        rows.append([*figures, f"[{notes.index(source) + 1}]" if source else ""])
    return {**account, "headers": [*account["headers"][:-1], _("Note")], "rows": rows}, notes


def report_context(community, period: f.Period) -> dict:
    rate_set = rate_set_for(community)
    valuation, account_tables = account_figures(community, period, rate_set)
    account_tables, source_notes = (_with_source_notes(account_tables[0]) if account_tables else (None, []))
    return {
        "community": community,
        "period": period,
        "generated": timezone.localtime(),
        "dashboard": dashboard_figures(community, period),
        "rate_set": rate_set,
        "valuation": valuation,
        "account": account_tables,
        "source_notes": source_notes,
        "network": _network_section(community, period),
        "outcomes": _outcomes_section(community),
        "assessments": _assessment_section(community),
    }


def render_html(community, period: f.Period) -> str:
    return render_to_string("insights/report.html", report_context(community, period))


class PdfUnavailable(RuntimeError):
    """The server cannot print PDFs (WeasyPrint's system libraries are missing)."""


def load_weasyprint():
    """WeasyPrint's HTML class, loaded on first use (it loads Pango, which only the report needs)."""
    try:
        from weasyprint import HTML
    except OSError as error:  # Pango not installed on this server
        raise PdfUnavailable(_("PDF reports are not available on this server: it needs the Pango library "
                               "(on Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0).")) from error
    return HTML


def build_pdf(community, period: f.Period) -> bytes:
    """The report as PDF bytes."""
    html = load_weasyprint()
    return html(string=render_html(community, period), url_fetcher=_no_fetch).write_pdf()


def filename(community, period: f.Period) -> str:
    return f"{community.slug}-report-{period.start:%Y-%m}-to-{period.end:%Y-%m}.pdf"


# --- Made in the background -------------------------------------------------------------------

GENERIC_FAILURE = gettext_lazy("Something went wrong while the report was being made. It has been logged; "
                               "please try again later, or ask the site administrator if it happens again.")


def period_of(wanted: ReportRequest) -> f.Period:
    return f.Period(wanted.start, wanted.end)


def email_requester(wanted: ReportRequest) -> None:
    """Tell the requester the report is ready (with a link to it) or could not be made."""
    user = wanted.requested_by
    if not user.email:
        return
    period = period_of(wanted)
    link = settings.SITE_URL + reverse("insights:report_status", args=[wanted.community.slug, wanted.pk])
    ready = wanted.status == ReportRequest.Status.DONE
    with translation.override(language_for(user, wanted.community)):  # the requester's, not the worker's
        subject = (_("Your report for %(period)s is ready") if ready
                   else _("Your report for %(period)s could not be made")) % {"period": period.label()}
        body = with_footer(render_to_string("insights/email/report_ready.txt", {
            "user": user, "community": wanted.community, "period": period, "ready": ready, "link": link,
            "error": wanted.error}))
    send_mail(subject, body, None, [user.email])
