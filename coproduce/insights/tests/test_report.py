"""The PDF report (issue 6, point 7): what a coordinator downloads and hands to a commissioner."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from coproduce.communities.activities import Activity
from coproduce.insights import figures
from coproduce.insights.models import CommunityValuation, Rate, RateSet
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


def test_report_holds_the_figures_worked_out_by_hand(client, riverside, coordinator, town, valued):
    person_a = town["people"]["A"]
    record_wellbeing(person_a, actor=coordinator, answers={
        "life_satisfaction": 6, "worthwhile": 7, "happiness": 5, "anxiety": 4, "loneliness": "often_always"})
    client.force_login(coordinator)
    month = _month(riverside)
    response = client.get(reverse("insights:report", args=[riverside.slug]), {"start": month, "end": month})
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


def test_report_without_a_rate_set_says_so(client, riverside, coordinator, town):
    client.force_login(coordinator)
    response = client.get(reverse("insights:report", args=[riverside.slug]))
    assert response.status_code == 200
    assert "has not chosen a rate set" in _pdf_text(response)


@pytest.mark.parametrize(("start", "end"), [("2024-05", "2024-01"), ("2999-01", "2999-02"), ("May", "2024-01")])
def test_a_bad_period_is_a_clear_error(client, riverside, coordinator, start, end):
    client.force_login(coordinator)
    response = client.get(reverse("insights:report", args=[riverside.slug]), {"start": start, "end": end})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert response.context["form"].errors


def test_who_may_download_the_report(client, riverside, town, member, other_coordinator, site_admin):
    url = reverse("insights:report", args=[riverside.slug])
    assert client.get(url).status_code == 302  # anonymous: log in first
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(other_coordinator)
    assert client.get(url).status_code == 403
    staff = town["people"]["D"].user
    Staff.objects.create(organisation=town["org"], user=staff, started_on=figures.community_month(riverside))
    client.force_login(staff)
    assert client.get(url).status_code == 403  # partner staff see their slice, not the report
    client.force_login(site_admin)
    assert client.get(url).status_code == 200


def test_a_server_without_pango_says_so(client, riverside, coordinator, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    client.force_login(coordinator)
    response = client.get(reverse("insights:report", args=[riverside.slug]))
    assert response.status_code == 503
    assert "needs the Pango library" in response.content.decode()
