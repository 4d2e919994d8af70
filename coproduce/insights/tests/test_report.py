"""The PDF report (issue 6, point 7; issue 13, point 7): what a coordinator asks for, is told is
being made, downloads (or follows the e-mailed link to) and hands to a commissioner."""

import io
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from coproduce.communities.activities import Activity
from coproduce.insights import figures
from coproduce.insights.models import CommunityValuation, Rate, RateSet, ReportRequest
from coproduce.outcomes.services import record_wellbeing
from coproduce.partners.models import Staff


@pytest.fixture
def valued(riverside, town):
    rates = RateSet.objects.create(name="Test rates", currency="GBP", country="GB", description="Test set.")
    Rate.objects.create(rate_set=rates, activity=Activity.GARDENING, per_hour=Decimal("12.00"),
                        occupation="Gardener", source="ONS ASHE table 14.5a", year=2024)
    CommunityValuation.objects.create(community=riverside, rate_set=rates)
    return rates


def _month(community):
    return figures.community_month(community).strftime("%Y-%m")


def _pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())  # lines wrap anywhere


@pytest.fixture
def make_report(client, django_capture_on_commit_callbacks):
    """Ask for a report as the logged-in client, as the dashboard's button does, and run the
    background task (the immediate backend runs it once the request's transaction commits).
    Returns the status page's response."""

    def make(community, **period):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("insights:report", args=[community.slug]), period)
        assert response.status_code == 302, response.content[:500]
        return client.get(response["Location"])

    return make


def _download(client, status_page):
    wanted = status_page.context["report"]
    return client.get(reverse("insights:report_download", args=[wanted.community.slug, wanted.pk]))


def test_report_holds_the_figures_worked_out_by_hand(client, riverside, coordinator, town, valued, make_report):
    person_a = town["people"]["A"]
    record_wellbeing(person_a, actor=coordinator, answers={
        "life_satisfaction": 6, "worthwhile": 7, "happiness": 5, "anxiety": 4, "loneliness": "often_always"})
    client.force_login(coordinator)
    month = _month(riverside)
    response = _download(client, make_report(riverside, start=month, end=month))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="riverside-report-{month}-to-{month}.pdf"' in response["Content-Disposition"]
    text = _pdf_text(response)
    assert "Riverside" in text
    # Exchange hours 60 + 30 + 90 + 30 = 210 min = 3.5 h (the reversed 15 min count nowhere).
    assert "Exchange hours 3.5" in text
    # Only gardening has a rate: 1.5 h × £12.00 = £18.00; the source is printed beside it.
    assert "18.00 GBP" in text
    assert "ONS ASHE table 14.5a" in text
    # Network: A–B, A–C, C–Library: 4 nodes, 3 ties, mean degree 2 × 3 / 4 = 1.50.
    assert "People and organisations in the network 4" in text
    assert "Ties 3" in text
    assert "Mean degree (ties per person) 1.50" in text
    # Outcomes and the method notes.
    assert "Wellbeing and loneliness" in text
    assert "How these figures are made" in text
    # No names in the report: the network picture is anonymous, brokers are not listed.
    assert "Person A" not in text


def test_report_without_a_rate_set_says_so(client, riverside, coordinator, town, make_report):
    client.force_login(coordinator)
    response = _download(client, make_report(riverside))
    assert response.status_code == 200
    assert "has not chosen a rate set" in _pdf_text(response)


@pytest.mark.parametrize(("start", "end"), [("2024-05", "2024-01"), ("2999-01", "2999-02"), ("May", "2024-01")])
def test_a_bad_period_is_a_clear_error(client, riverside, coordinator, start, end):
    client.force_login(coordinator)
    for method in (client.get, client.post):
        response = method(reverse("insights:report", args=[riverside.slug]), {"start": start, "end": end})
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert response.context["form"].errors
    assert not ReportRequest.objects.exists()


def test_who_may_ask_for_the_report(client, riverside, town, member, other_coordinator, site_admin):
    url = reverse("insights:report", args=[riverside.slug])
    assert client.get(url).status_code == 302  # anonymous: log in first
    assert client.post(url).status_code == 302
    client.force_login(member)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    client.force_login(other_coordinator)
    assert client.post(url).status_code == 403
    staff = town["people"]["D"].user
    Staff.objects.create(organisation=town["org"], user=staff, started_on=figures.community_month(riverside))
    client.force_login(staff)
    assert client.post(url).status_code == 403  # partner staff see their slice, not the report
    assert not ReportRequest.objects.exists()
    client.force_login(site_admin)
    assert client.get(url).status_code == 200


def test_who_may_see_and_download_a_made_report(client, riverside, hilltop, town, coordinator, member,
                                                other_coordinator, make_report):
    from coproduce import testing
    from coproduce.members.models import Role

    client.force_login(coordinator)
    wanted = make_report(riverside).context["report"]
    status = reverse("insights:report_status", args=[riverside.slug, wanted.pk])
    download = reverse("insights:report_download", args=[riverside.slug, wanted.pk])
    client.logout()
    for url in (status, download):
        response = client.get(url)
        assert response.status_code == 302  # anonymous: log in first
        assert "login" in response["Location"]
    client.force_login(member)
    assert client.get(status).status_code == 403
    assert client.get(download).status_code == 403
    client.force_login(other_coordinator)  # a coordinator elsewhere, under either community's address
    assert client.get(download).status_code == 403
    assert client.get(reverse("insights:report_download", args=[hilltop.slug, wanted.pk])).status_code == 404
    second = testing.make_person("second@coord.example", "Second Coordinator")
    testing.join(second, riverside, role=Role.COORDINATOR)
    testing.enable_totp(second)
    client.force_login(second)  # another coordinator of the community may download it too
    response = client.get(download)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    # Whoever asked for it and no longer coordinates loses it with the role (small counts inside).
    from coproduce.members.models import Membership
    from coproduce.members.services import change_role

    change_role(Membership.objects.get(user=coordinator, community=riverside), actor=second, role=Role.MEMBER)
    client.force_login(coordinator)
    assert client.get(status).status_code == 403
    assert client.get(download).status_code == 403


def test_the_report_is_made_in_the_background_and_e_mailed(client, riverside, coordinator, town, settings,
                                                          django_capture_on_commit_callbacks, monkeypatch):
    """With a worker (the database backend) the page first says "being made" and reloads itself; once
    the task has run it offers the download, and the requester is e-mailed a link to it."""
    from types import SimpleNamespace

    from coproduce.insights import tasks

    make_report = tasks.make_report
    client.force_login(coordinator)
    month = _month(riverside)
    enqueued = []
    settings.SITE_URL = "https://bank.example"
    # The worker has not picked the task up yet: queueing only records it.
    monkeypatch.setattr(tasks, "make_report", SimpleNamespace(enqueue=enqueued.append))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("insights:report", args=[riverside.slug]), {"start": month, "end": month})
        again = client.post(reverse("insights:report", args=[riverside.slug]), {"start": month, "end": month})
    assert response["Location"] == again["Location"]  # a second click does not queue a second report
    assert len(enqueued) == 1
    page = client.get(response["Location"])
    html = page.content.decode()
    # It checks again by itself with htmx, in place; without JavaScript "Check now" (never a page
    # that reloads itself, WCAG 2.2.1).
    assert 'http-equiv="refresh"' not in html
    assert 'hx-trigger="every 5s"' in html and "Check now" in html
    assert "is being made" in html
    assert "Download the report" not in html
    turned_off = client.get(response["Location"], {"auto": "0"}).content.decode()
    assert 'http-equiv="refresh"' not in turned_off and "hx-trigger" not in turned_off
    fragment = client.get(response["Location"], headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="report-progress"')  # the part htmx swaps
    assert client.get(reverse("insights:report_download", args=[riverside.slug, enqueued[0]])).status_code == 302
    assert not mail.outbox

    make_report.call(enqueued[0])  # what the worker runs

    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'http-equiv="refresh"' not in html and "hx-trigger" not in html  # it stops checking
    assert "Download the report for" in html
    [message] = mail.outbox
    assert message.to == [coordinator.email]
    assert "is ready" in message.subject
    assert f"https://bank.example{response['Location']}" in message.body
    download = _download(client, page)
    assert "Exchange hours 3.5" in _pdf_text(download)


def test_a_failed_run_says_so(client, riverside, coordinator, make_report, monkeypatch, caplog):
    from coproduce.insights import report

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report, "build_pdf", broken)
    client.force_login(coordinator)
    page = make_report(riverside)
    html = page.content.decode()
    assert "could not be made" in html
    assert "Something went wrong while the report was being made" in html
    assert "disk full" not in html  # the details are in the log, not on the page
    assert 'http-equiv="refresh"' not in html  # no endless "being made"
    assert "could not be made" in mail.outbox[0].subject
    assert _download(client, page).status_code == 302  # nothing to download: back to the page


def _page_texts(pdf: bytes, footer: str) -> list[str]:
    """Each page's text without the running footer (community · period, page n / m)."""
    texts = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        texts.append([line for line in lines if not line.startswith(footer)])
    return texts


def test_a_period_without_exchanges_has_no_empty_pages(client, riverside, coordinator, make_report):
    """No chart of nothing, and no page holding only a heading or nothing at all."""
    client.force_login(coordinator)
    month = _month(riverside)
    pdf = _download(client, make_report(riverside, start=month, end=month)).content
    headings = {"Exchanges", "Core economy account", "The exchange network", "Wellbeing and loneliness",
                "How these figures are made", "Sources of the rates"}
    pages = _page_texts(pdf, riverside.name)
    for number, lines in enumerate(pages, start=1):
        assert [line for line in lines if line not in headings], f"page {number} has no content: {lines}"
    text = " ".join(" ".join(lines) for lines in pages)
    assert "No exchanges in this period." in text
    assert "Nobody has answered the wellbeing questions yet." in text
    # Before: charts of zeros spread the empty report over 11 pages.
    assert len(pages) <= 5


def test_a_server_without_pango_says_so(client, riverside, coordinator, monkeypatch, make_report):
    import builtins

    real_import = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    client.force_login(coordinator)
    response = make_report(riverside)
    assert response.status_code == 200
    html = response.content.decode()
    assert "could not be made" in html
    assert "needs the Pango library" in html
