from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from coproduce.communities.activities import Activity
from coproduce.insights.models import CommunityValuation, Rate, RateSet
from coproduce.insights.valuation import rate_set_for, replacement_value


@pytest.fixture
def rate_set(db):
    rates = RateSet.objects.create(name="Test set", currency="GBP", country="GB")
    Rate.objects.create(rate_set=rates, activity="adult_care", per_hour=Decimal("12.50"), source="t", year=2024)
    Rate.objects.create(rate_set=rates, activity="childcare", per_hour=Decimal("10.33"), source="t", year=2024)
    return rates


def test_hand_worked_example(rate_set):
    # adult care: 3.5 h × £12.50 = £43.75
    # childcare: 1.25 h × £10.33 = £12.9125 → £12.91
    # gardening: no rate in this set → not valued (2 h)
    result = replacement_value({"adult_care": Decimal("3.5"), "childcare": 1.25, "housing_gardening": 2}, rate_set)
    by_activity = {line.activity: line for line in result.lines}
    assert by_activity["adult_care"].value == Decimal("43.75")
    assert by_activity["childcare"].value == Decimal("12.91")
    assert by_activity["housing_gardening"].value is None
    assert by_activity["housing_gardening"].rate is None
    assert result.total == Decimal("56.66")
    assert result.hours_valued == Decimal("4.75")
    assert result.hours_not_valued == Decimal("2")
    assert result.currency == "GBP"


def test_bad_hours_and_activity(rate_set):
    with pytest.raises(ValueError):
        replacement_value({"adult_care": -1}, rate_set)
    with pytest.raises(ValueError):
        replacement_value({"adult_care": float("nan")}, rate_set)
    with pytest.raises(ValueError):
        replacement_value({"astrology": 1}, rate_set)
    assert replacement_value({}, rate_set).total == Decimal("0")


def test_negative_rate_is_refused(rate_set):
    rate = Rate(rate_set=rate_set, activity="transport", per_hour=Decimal("-1"), source="t", year=2024)
    with pytest.raises(ValidationError):
        rate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        rate.save()


def test_shipped_rate_sets_cite_their_sources(db):
    uk = RateSet.objects.get(country="GB")
    us = RateSet.objects.get(country="US")
    assert uk.currency == "GBP" and us.currency == "USD"
    assert us.rates.count() == 12
    assert set(us.rates.values_list("per_hour", flat=True)) == {Decimal("33.49")}
    for rate in Rate.objects.filter(rate_set__in=[uk, us]):
        assert rate.source and rate.year
    general = uk.rates.get(activity="general_volunteering")
    # The brief's statistic: median hourly pay of all employee jobs, full- and part-time (ASHE 2025).
    assert general.per_hour == Decimal("17.96") and general.year == 2025
    assert "Annual Survey of Hours and Earnings" in general.source and "all employee jobs" in general.source
    assert uk.rates.get(activity="adult_care").per_hour == Decimal("12.00")
    assert set(uk.rates.values_list("activity", flat=True)) == {"general_volunteering", "adult_care", "companionship"}
    # US: 10 h of anything at $33.49 = $334.90
    assert replacement_value({"transport": 4, "teaching": 6}, us).total == Decimal("334.90")


def test_shipped_uk_rates_are_sourced_and_the_rest_not_valued(db):
    uk = RateSet.objects.get(country="GB")
    for rate in uk.rates.all():
        assert rate.per_hour > 0 and rate.year
        assert any(publisher in rate.source for publisher in ("ONS", "Skills for Care")), rate.activity
    valued = set(uk.rates.values_list("activity", flat=True))
    not_valued = {str(label).lower() for activity, label in Activity.choices if activity not in valued}
    # The description names exactly the activities without a rate.
    listed = uk.description.split("Not yet valued (no confirmed ASHE occupation rate): ")[1].split(". ")[0]
    assert set(listed.lower().split("; ")) == not_valued
    result = replacement_value(dict.fromkeys(Activity.values, 1), uk)
    assert {line.activity for line in result.lines if line.valued} == valued
    assert all(line.rate is None for line in result.lines if not line.valued)
    assert result.hours_not_valued == len(not_valued)


def test_community_rate_set(riverside, rate_set):
    assert rate_set_for(riverside) is None
    CommunityValuation.objects.create(community=riverside, rate_set=rate_set)
    assert rate_set_for(riverside) == rate_set


def test_admin_lists_rate_sets(site_admin, client):
    client.force_login(site_admin)
    uk = RateSet.objects.get(country="GB")
    assert client.get("/admin/insights/rateset/").status_code == 200
    response = client.get(f"/admin/insights/rateset/{uk.pk}/change/")
    assert response.status_code == 200
    assert "17.96" in response.content.decode()


def test_coordinator_chooses_rate_set(riverside, coordinator, as_persona):
    from coproduce.audit.models import AuditAction, AuditEntry

    client = as_persona("coordinator")
    page = client.get("/c/riverside/insights/valuation-rates/").content.decode()
    assert "has not chosen a rate set" in page
    us = RateSet.objects.get(country="US")
    assert client.post("/c/riverside/insights/valuation-rates/", {"rate_set": us.pk}).status_code == 302
    assert rate_set_for(riverside) == us
    assert AuditEntry.objects.filter(action=AuditAction.RATE_SET_CHOSEN, community=riverside).count() == 1
    page = client.get("/c/riverside/insights/valuation-rates/").content.decode()
    assert "33.49" in page and "Independent Sector" in page
    assert client.post("/c/riverside/insights/valuation-rates/", {"rate_set": 99999}).status_code == 200


@pytest.mark.parametrize("bad", ["-1", "abc", "NaN"])
def test_admin_refuses_bad_rate(site_admin, client, bad):
    client.force_login(site_admin)
    rate_set = RateSet.objects.get(country="GB")
    before = Rate.objects.count()
    response = client.post("/admin/insights/rate/add/", {
        "rate_set": rate_set.pk, "activity": "transport", "per_hour": bad, "occupation": "Taxi drivers",
        "source": "test", "year": "2024"})
    assert response.status_code == 200  # the form again, with its error
    assert "errornote" in response.content.decode()
    assert Rate.objects.count() == before
