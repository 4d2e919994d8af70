"""Issue 6 dashboards: each figure on a small hand-built community, worked out by hand."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduce import testing
from coproduce.communities.activities import Activity
from coproduce.insights import figures
from coproduce.insights.models import CommunityValuation, Rate, RateSet
from coproduce.ledger import services
from coproduce.members.models import Membership
from coproduce.partners.models import Organisation, OrganisationType, Staff


def _this_period(community):
    month = figures.community_month(community)
    return figures.Period(month, month)


def test_member_figures_by_hand(riverside, town):
    period = _this_period(riverside)
    result = figures.member_figures(riverside, period)
    # Active: A, B, C (D none; the reversed B→C counts nowhere). A and B both gave and received;
    # C only gave (90 to A, 30 to O). Hours given + received: A 60+30+90 = 180 min, B 90, C 120.
    assert result.active == 3
    assert result.reciprocal == 2
    assert result.reciprocity == pytest.approx(2 / 3)
    assert result.median_hours == Decimal("2.0")


def test_rollup_figures_by_hand(riverside, town):
    got = figures.rollup_figures(riverside, _this_period(riverside))
    assert got["total"] == [210, 4]  # 60 + 30 + 90 + 30, the reversed 15 netted out
    assert got["by_type"]["p2p"] == [180, 3]
    assert got["by_type"]["p2a"] == [30, 1]
    assert got["by_category"][town["gardening"].pk] == [90, 1]


def test_core_economy_account_by_hand(client, riverside, coordinator, town):
    rates = RateSet.objects.create(name="Test rates", currency="GBP", country="GB", description="Test set.")
    Rate.objects.create(rate_set=rates, activity=Activity.GARDENING, per_hour=Decimal("12.00"),
                        occupation="Gardener", source="ONS ASHE table 14", year=2024)
    CommunityValuation.objects.create(community=riverside, rate_set=rates)
    client.force_login(coordinator)
    response = client.get(reverse("insights:core_economy", args=[riverside.slug]))
    assert response.status_code == 200
    rows = {row[0]: row for row in response.context["tables"][0]["rows"]}
    # Gardening: 90 min = 1.5 h × £12.00 = £18.00. Cleaning (0.5 h) has no rate: not valued.
    assert rows["Housing: gardening"][1] == Decimal("1.5")
    assert rows["Housing: gardening"][2] == "18.00 GBP"
    assert rows["Housing: cleaning"][2] == "not valued"
    assert response.context["valuation"].total == Decimal("18.00")
    body = response.content.decode()
    assert "ONS ASHE table 14" in body and "2024" in body and "Household Satellite Account" in body
    csv = client.get(reverse("insights:core_economy", args=[riverside.slug]) + "?csv=core-economy-account")
    assert csv["Content-Type"].startswith("text/csv") and b"18.00 GBP" in csv.content


def test_dashboard_figures(client, riverside, coordinator, town):
    client.force_login(coordinator)
    response = client.get(reverse("insights:dashboard", args=[riverside.slug]))
    assert response.status_code == 200
    headline = {str(row[0]): row[1] for row in response.context["tables"][0]["rows"]}
    assert headline["Exchange hours"] == Decimal("3.5")
    assert headline["Active members"] == 3
    assert headline["Reciprocity rate (the period)"] == "67%"
    assert headline["Median hours per active member"] == Decimal("2.0")
    csv = client.get(reverse("insights:dashboard", args=[riverside.slug]) + "?csv=by-type")
    assert b"person-to-agency" in csv.content


@pytest.mark.parametrize("start,end", [("2024-05", "2024-03"), ("2999-01", "2999-02"), ("nonsense", "2024-01")])
def test_bad_period_is_a_form_error(client, riverside, coordinator, start, end):
    client.force_login(coordinator)
    response = client.get(reverse("insights:dashboard", args=[riverside.slug]), {"start": start, "end": end})
    assert response.status_code == 400
    assert response.context["form"].errors


def test_permissions(client, riverside, member, other_member, other_coordinator, coordinator, site_admin, town):
    slug = riverside.slug
    dashboard = reverse("insights:dashboard", args=[slug])
    value = reverse("insights:core_economy", args=[slug])
    partner = reverse("insights:partner_slice", args=[slug, town["org"].pk])
    for url in (dashboard, value, partner):
        assert client.get(url).status_code == 302  # anonymous → log in
    client.force_login(member)
    assert client.get(dashboard).status_code == 403
    assert client.get(value).status_code == 403
    assert client.get(partner).status_code == 403
    client.force_login(other_coordinator)
    assert client.get(dashboard).status_code == 403
    client.force_login(site_admin)
    assert client.get(dashboard).status_code == 200
    client.force_login(coordinator)
    assert client.get(partner).status_code == 200
    # Partner staff: their own organisation's slice only.
    staff = testing.make_person("sam@library.example", "Sam Staff")
    Staff.objects.create(organisation=town["org"], user=staff, started_on=datetime.date(2020, 1, 1))
    other_org = Organisation.objects.create(community=riverside, name="Other Org", type=OrganisationType.values[0])
    client.force_login(staff)
    response = client.get(partner)
    assert response.status_code == 200
    this_month = response.context["tables"][0]["rows"][-1]
    assert this_month[1:] == ["fewer than 5", "–", "fewer than 5"]  # C's one exchange
    assert client.get(reverse("insights:partner_slice", args=[slug, other_org.pk])).status_code == 403
    assert client.get(dashboard).status_code == 403


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_query_count_is_constant(client, riverside, coordinator, town):
    client.force_login(coordinator)
    url = reverse("insights:dashboard", args=[riverside.slug])
    people = list(Membership.objects.filter(community=riverside))
    accounts = services.member_accounts(riverside, people)
    day = services.community_today(riverside).replace(day=1)

    def post(n, prefix):
        services.bulk_post_exchanges(riverside, [
            services.BulkRow(accounts[i % len(accounts)].pk, accounts[(i + 1) % len(accounts)].pk, 15,
                             day - datetime.timedelta(days=(i * 7) % 300), f"{prefix}{i}") for i in range(n)],
            keyed_by=coordinator)

    post(10, "small")
    few = _queries(client, url)
    post(200, "large")
    assert _queries(client, url) == few


def test_age_and_gender_from_consenting_members_only(riverside, town):
    from django.utils import timezone

    from coproduce.members.models import Demographics

    # A (consented: 35 to 49, woman) gave 60, received 30 + 90; C (consented: 65 to 79, man) gave 90 + 30.
    # B has no demographics row (no consent), so B's 30 given / 60 received appear nowhere.
    Demographics.objects.create(user=town["people"]["A"].user, age_band="35_49", gender="woman",
                                consented_at=timezone.now())
    Demographics.objects.create(user=town["people"]["C"].user, age_band="65_79", gender="man",
                                consented_at=timezone.now())
    period = _this_period(riverside)
    members = figures.members_in_windows(riverside, {"period": period})
    assert members.by_age_band == {"35_49": (60, 120), "65_79": (120, 0)}
    assert members.by_gender == {"woman": (60, 120), "man": (120, 0)}


def test_partner_slice_by_month_by_hand(client, riverside, coordinator):
    """Six members each give the library half an hour in March 2025; two give in April.
    March shows 6 exchanges, 3.0 hours, 6 members; April's 2 are hidden, and there is no
    total, so no period asked for can reveal April by subtraction."""
    org = Organisation.objects.create(community=riverside, name="Library", type=OrganisationType.values[0])
    people = [testing.join(testing.make_person(f"m{i}@lib.example", f"M {i}"), riverside) for i in range(6)]
    with transaction.atomic():
        accounts = [services.account_for_membership(m) for m in people]
        library = services.account_for_organisation(org)
    rows = [(a, datetime.date(2025, 3, 3)) for a in accounts] + [(a, datetime.date(2025, 4, 3)) for a in accounts[:2]]
    services.bulk_post_exchanges(riverside, [services.BulkRow(a.pk, library.pk, 30, day, f"l{i}")
                                             for i, (a, day) in enumerate(rows)], keyed_by=coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("insights:partner_slice", args=[riverside.slug, org.pk]),
                          {"start": "2025-03", "end": "2025-04"})
    rows = {row[0]: row[1:] for row in response.context["tables"][0]["rows"]}
    assert rows == {"Mar 2025": ["6", Decimal("3.0"), "6"], "Apr 2025": ["fewer than 5", "–", "fewer than 5"]}


def test_member_figures_are_recomputed_after_a_posting_or_a_consent(riverside, town, coordinator):
    from django.utils import timezone

    from coproduce.members.models import Demographics

    period = _this_period(riverside)
    assert figures.member_figures(riverside, period).active == 3
    d = town["people"]["D"]
    services.record_exchange(community=riverside, giver=d, receiver=town["people"]["A"], minutes=30,
                             performed_on=period.start, keyed_by=coordinator, idempotency_key="late")
    assert figures.member_figures(riverside, period).active == 4  # D is active now: not a stale answer
    assert figures.members_in_windows(riverside, {"p": period}).by_gender == {}
    Demographics.objects.create(user=d.user, gender="woman", consented_at=timezone.now())
    assert figures.members_in_windows(riverside, {"p": period}).by_gender == {"woman": (30, 0)}
    Demographics.objects.filter(user=d.user).delete()  # consent withdrawn
    assert figures.members_in_windows(riverside, {"p": period}).by_gender == {}
