"""Measurement pages in the browser: the public figures draw their charts on the server and every
insights page passes axe-core, for the public and for coordinators."""

import pytest

from coproduce.insights.models import ReportRequest
from coproduce.insights.tests.test_public_releases import spring  # noqa: F401 (a pytest fixture)
from coproduce.insights.tests.test_published_figures_regressions import busy  # noqa: F401 (a pytest fixture)
from coproduce.insights.tests.test_release_audit import LATER
from coproduce.web.tests.browser.conftest import force_login

pytestmark = pytest.mark.browser


def test_public_figures_render_charts_without_axe_violations(new_browser, riverside, spring, busy):  # noqa: F811
    b = new_browser()
    page = b.visit("/c/riverside/figures/?quarter=2025-04-01")
    charts = page.locator("svg[role=img]")
    assert charts.count() == 2
    assert page.locator("svg[role=img] title").first.text_content() == "Exchanges per month"
    assert page.get_by_role("cell", name="fewer than 5").count() >= 1
    # Choosing a quarter with the form works without JavaScript-only widgets.
    page.get_by_role("combobox", name="Quarter").select_option("2025-04-01")
    page.get_by_role("button", name="Show").click()
    b.check()
    b.visit("/c/riverside/figures/network/?quarter=2025-04-01")
    assert b.page.locator("circle.dot").count() == 0  # its ties are hidden: so is the picture (issue 11)
    b.visit(f"/c/riverside/figures/network/?quarter={LATER.isoformat()}")
    assert b.page.locator("circle.dot").count() == 12
    b.visit("/c/riverside/figures/?quarter=junk", status=400)
    b.visit("/c/riverside/figures/?quarter=2025-04-01&version=9", status=404)


def test_coordinator_insights_pages_pass_axe(new_browser, riverside, coordinator, spring):  # noqa: F811
    b = new_browser()
    force_login(b, coordinator)
    base = "/c/riverside/insights"
    b.visit("/c/riverside/figures/?quarter=2025-04-01")  # released: the coordinator's pages list it
    for path in ("/", "/?start=2025-04&end=2025-06", "/value/?start=2025-04&end=2025-06",
                 "/network/?start=2025-04-01&end=2025-06-30", "/outreach/", "/areas/", "/indicators/",
                 "/valuation-rates/", "/co-production/", "/releases/", "/releases/2025-04-01/correct/"):
        b.visit(base + path)
    b.page.get_by_role("button", name="Publish the correction").click()  # no reason: the error, labelled
    b.check()
    b.visit(base + "/?start=2025-06&end=2025-04", status=400)  # the error message, labelled
    b.visit("/c/riverside/coordinate/wellbeing/")


def test_the_pdf_report_is_made_in_the_background(new_browser, riverside, coordinator):
    """The dashboard's button queues the report (a form: no JavaScript needed); the immediate
    backend has made it by the time the page shows, so the download is offered."""
    b = new_browser(java_script_enabled=False)
    force_login(b, coordinator)
    page = b.visit("/c/riverside/insights/?start=2025-04&end=2025-06")
    page.get_by_role("button", name="Make the report for Apr 2025 – Jun 2025 (PDF)").click()
    b.check()
    link = page.get_by_role("link", name="Download the report for Apr 2025 – Jun 2025 (PDF)")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "riverside-report-2025-04-to-2025-06.pdf"


def _waiting_report(riverside, coordinator):
    month = riverside.created_at.date().replace(day=1)
    return ReportRequest.objects.create(community=riverside, requested_by=coordinator, start=month, end=month)


def _finish(wanted):
    ReportRequest.objects.filter(pk=wanted.pk).update(status=ReportRequest.Status.DONE, pdf=b"%PDF-1.7 test")


def test_a_report_being_made_shows_itself_ready_with_javascript(new_browser, riverside, coordinator):
    """With JavaScript, htmx asks again every few seconds and swaps the status in place (no reload)."""
    wanted = _waiting_report(riverside, coordinator)
    b = new_browser()
    force_login(b, coordinator)
    page = b.visit(f"/c/riverside/insights/reports/{wanted.pk}/")
    assert "being made" in page.get_by_role("status").first.text_content()
    _finish(wanted)
    page.get_by_role("link", name="Download the report for").wait_for(timeout=15_000)
    b.check()


def test_a_report_being_made_without_javascript_is_checked_with_a_link(new_browser, riverside, coordinator):
    """Without JavaScript nothing reloads by itself (a page that reloads itself fails WCAG 2.2.1):
    "Check now" shows the download once the report is ready (and the requester is e-mailed)."""
    wanted = _waiting_report(riverside, coordinator)
    b = new_browser(java_script_enabled=False)
    force_login(b, coordinator)
    page = b.visit(f"/c/riverside/insights/reports/{wanted.pk}/")
    assert 'http-equiv="refresh"' not in page.content()
    assert page.get_by_role("link", name="Download the report for").count() == 0
    _finish(wanted)
    page.get_by_role("link", name="Check now").click()
    b.check()
    assert page.get_by_role("link", name="Download the report for").count() == 1


def test_a_failed_report_says_so(new_browser, riverside, coordinator):
    wanted = _waiting_report(riverside, coordinator)
    ReportRequest.objects.filter(pk=wanted.pk).update(status=ReportRequest.Status.FAILED,
                                                      error="Something went wrong.")
    b = new_browser()
    force_login(b, coordinator)
    page = b.visit(f"/c/riverside/insights/reports/{wanted.pk}/")
    assert "could not be made" in page.get_by_role("alert").text_content()


def test_valuation_pages_show_how_categories_count(new_browser, riverside, coordinator):
    b = new_browser()
    force_login(b, coordinator)
    page = b.visit("/c/riverside/insights/valuation-rates/")
    assert page.get_by_role("table", name="How each category counts in the valuation").count() == 1
    page.get_by_role("link", name="Change how categories count").click()
    b.check()
    page.get_by_role("combobox", name="Lifts (part of Transport and errands)").select_option("general_volunteering")
    page.get_by_role("button", name="Save").click()
    b.check()
    assert "1 category changed" in page.content()
    b.visit("/c/riverside/coordinate/categories/")


def test_recent_activity_groups_runs_behind_a_disclosure(new_browser, riverside, coordinator):
    import datetime

    from django.utils import timezone

    from coproduce.audit.models import AuditAction, AuditEntry

    now = timezone.now()
    AuditEntry.objects.bulk_create([
        AuditEntry(community=riverside, actor=coordinator, action=AuditAction.REFERRAL_STEP, subject=f"Referral {i}",
                   created_at=now - datetime.timedelta(minutes=10 + i)) for i in range(4)])
    b = new_browser()
    force_login(b, coordinator)
    page = b.visit("/c/riverside/coordinate/")
    assert page.get_by_text("moved 4 referrals on").count() == 1
    assert not page.get_by_text("Referral 3").is_visible()
    page.get_by_text("Show the 4 entries").click()
    assert page.get_by_text("Referral 3").is_visible()
    b.check()


def _network_being_worked_out(riverside, monkeypatch):
    """A large bank's network page (issue 19) whose snapshot the worker has not reached yet."""
    import datetime

    from coproduce.insights import network_snapshots
    from coproduce.insights.models import NetworkSnapshot

    monkeypatch.setattr(network_snapshots, "INLINE_MAX_PARTIES", 0)
    return NetworkSnapshot.objects.create(community=riverside, start=datetime.date(2025, 4, 1),
                                          end=datetime.date(2025, 6, 30))


def test_a_network_being_worked_out_shows_itself_with_javascript(new_browser, riverside, coordinator, spring,  # noqa: F811
                                                                 monkeypatch):
    from coproduce.insights.network_snapshots import work_out_network

    snapshot = _network_being_worked_out(riverside, monkeypatch)
    b = new_browser()
    force_login(b, coordinator)
    page = b.visit("/c/riverside/insights/network/?start=2025-04-01&end=2025-06-30")
    assert "being worked out now: waiting for its turn" in page.get_by_role("status").first.text_content()
    work_out_network.call(snapshot.pk)
    page.get_by_role("rowheader", name="People and organisations in the network").wait_for(timeout=15_000)
    assert "Worked out on" in page.content()
    b.check()


def test_a_network_being_worked_out_without_javascript_is_checked_with_a_link(new_browser, riverside, coordinator,
                                                                              spring, monkeypatch):  # noqa: F811
    from coproduce.insights.network_snapshots import work_out_network

    snapshot = _network_being_worked_out(riverside, monkeypatch)
    b = new_browser(java_script_enabled=False)
    force_login(b, coordinator)
    page = b.visit("/c/riverside/insights/network/?start=2025-04-01&end=2025-06-30")
    assert 'http-equiv="refresh"' not in page.content()
    work_out_network.call(snapshot.pk)
    page.get_by_role("link", name="Check now").click()
    b.check()
    assert page.get_by_role("rowheader", name="People and organisations in the network").count() == 1
