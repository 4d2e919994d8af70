"""CSV downloads of the network, areas, outreach and co-production pages (issue 6, point 7).

Each table downloads through its page's own view (``?csv=<name>``), so through the page's own
permission check; the link keeps whatever the page was asked for (window, period, days).
"""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduce import testing
from coproduce.insights.assessment import CELLS, Cell, record_self_assessment
from coproduce.insights.figures import community_month
from coproduce.insights.models import AreaIndicator
from coproduce.insights.templatetags.figure_tables import csv_query
from coproduce.insights.views_network import _unique_name
from coproduce.ledger import services
from coproduce.ledger.services import community_today
from coproduce.partners.models import Organisation, Staff
from coproduce.testing import LOGIN, assert_status, each_persona, matrix_params


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def _exchange(community, giver, receiver, day, key):
    return services.record_exchange(community=community, giver=giver, receiver=receiver, minutes=60,
                                    performed_on=day, keyed_by=receiver.user, idempotency_key=key)


@pytest.fixture
def line(riverside, coordinator):
    """Ann (North) → Ben (North) → Cal (South), both today: a line of three with Ben in the middle."""
    north, south = riverside.areas.order_by("code")
    people = {key: testing.join(testing.make_person(f"{key}@example.org", name), riverside, area=area)
              for key, name, area in [("a", "Ann Ash", north), ("b", "Ben Birch", north), ("c", "Cal Cedar", south)]}
    today = community_today(riverside)
    _exchange(riverside, people["a"], people["b"], today, "ab")
    _exchange(riverside, people["b"], people["c"], today, "bc")
    return people, today


def scores(value, overrides=None):
    return {cell: Cell(value, "") for cell in CELLS} | (overrides or {})


@pytest.fixture
def library(riverside, coordinator):
    """Riverside Library, assessed twice (all 3s on 1 March, then assets 1, 2, 5 and the rest 4s on 1 June);
    Zeta Housing, never assessed."""
    library = Organisation.objects.create(community=riverside, name="Riverside Library", type="library")
    Organisation.objects.create(community=riverside, name="Zeta Housing", type="housing")
    record_self_assessment(library, actor=coordinator, cells=scores(3), assessed_on=datetime.date(2025, 3, 1))
    record_self_assessment(library, actor=coordinator, assessed_on=datetime.date(2025, 6, 1), cells=scores(
        4, {("assets", "individual"): Cell(1), ("assets", "service"): Cell(2), ("assets", "organisation"): Cell(5)}))
    return library


@pytest.fixture
def hall(hilltop):
    return Organisation.objects.create(community=hilltop, name="Hilltop Hall")


# fmt: off
GET_MATRIX = [
    #                                                                 anon  outsd member o_mem coord o_crd admin
    ("/c/riverside/insights/network/?csv=network-figures",           (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/insights/network/?csv=new-ties",                  (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/insights/network/?csv=brokers",                   (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/insights/network/?csv=nothing-like-it",           (LOGIN, 403, 403, 403, 404, 403, 404)),
    ("/c/riverside/insights/areas/?csv=strength-by-area",            (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/insights/areas/?csv=crime-hours",                 (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/insights/areas/?csv=nothing-like-it",             (LOGIN, 403, 403, 403, 404, 403, 404)),
    ("/c/riverside/insights/outreach/?csv=outreach",                 (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/insights/outreach/?csv=nothing-like-it",          (LOGIN, 403, 403, 403, 404, 403, 404)),
    ("/c/riverside/insights/co-production/?csv=latest-scores",       (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/insights/co-production/?csv=nothing-like-it",     (LOGIN, 403, 403, 403, 404, 403, 404)),
    ("/c/riverside/insights/co-production/{library}/?csv=latest-scores",
                                                                     (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/insights/co-production/{library}/?csv=history",   (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/insights/co-production/{library}/?csv=nothing-like-it",
                                                                     (LOGIN, 403, 403, 403, 404, 403, 404)),
    ("/c/riverside/insights/co-production/{hall}/?csv=history",      (LOGIN, 404, 404, 404, 404, 404, 404)),
]
# fmt: on


@pytest.fixture
def ids(line, library, hall, riverside, hilltop, member, coordinator, other_member, other_coordinator,
        site_admin, outsider):
    north, south = riverside.areas.order_by("code")
    for area, value in ((north, 10), (south, 20)):
        AreaIndicator.objects.create(community=riverside, area=area, indicator="Crime", value=value)
    return {"library": library.pk, "hall": hall.pk}


@pytest.mark.parametrize(("url", "expected_by_persona"), matrix_params(GET_MATRIX))
def test_csv_permissions_as_for_the_page(url, expected_by_persona, ids, request, subtests):
    for _persona, expected, logged_in in each_persona(request, subtests, expected_by_persona):
        with logged_in as client:
            response = client.get(url.format(**ids))
            assert_status(response, expected)
            if expected == 200:
                assert response["Content-Type"].startswith("text/csv")


def test_network_csvs_by_hand(line, riverside, as_persona):
    _people, today = line
    client = as_persona("coordinator")
    url = reverse("insights:network", args=[riverside.slug])
    figures = rows_of(client.get(url, {"csv": "network-figures"}))
    assert figures[0] == ["Figure", "Value"]
    assert figures[1:4] == [["People and organisations in the network", "3"], ["Ties", "2"],
                            ["Mean degree (ties per person)", "1.33"]]  # 2 × 2 ties / 3
    assert ["Share in the largest connected group", "1.00"] in figures
    assert ["Ties bridging different areas", "1"] in figures  # Ben (North) – Cal (South)
    assert rows_of(client.get(url, {"csv": "new-ties"})) == [["Month", "New ties"], [today.strftime("%Y-%m"), "2"]]
    # Ben lies on the only shortest path between the one other pair (Ann, Cal): 1 of (3-1)(3-2)/2 = 1 pair
    assert rows_of(client.get(url, {"csv": "brokers"})) == [["Name", "Betweenness"], ["Ben Birch", "1.000"]]


def test_network_csv_keeps_the_window(line, riverside, as_persona):
    _people, today = line
    client = as_persona("coordinator")
    url = reverse("insights:network", args=[riverside.slug])
    # Months before this one (the network reads whole months: issue 19)
    this_month = today.replace(day=1)
    window = {"start": (this_month - datetime.timedelta(days=45)).isoformat(),
              "end": (this_month - datetime.timedelta(days=1)).isoformat()}
    body = client.get(url, window).content.decode()
    for name in ("network-figures", "new-ties", "brokers"):
        assert f'href="?start={window["start"]}&amp;end={window["end"]}&amp;csv={name}"' in body
    # the exchanges were today, so the months before it are empty
    figures = rows_of(client.get(url, {**window, "csv": "network-figures"}))
    assert figures[1] == ["People and organisations in the network", "0"]
    assert rows_of(client.get(url, {**window, "csv": "brokers"})) == [["Name", "Betweenness"]]


def test_areas_csvs_by_hand(line, riverside, as_persona):
    _people, today = line
    north, south = riverside.areas.order_by("code")
    for area, value in ((north, 10), (south, 20)):
        AreaIndicator.objects.create(community=riverside, area=area, indicator="Crime", value=value)
    client = as_persona("coordinator")
    url = reverse("insights:areas", args=[riverside.slug])
    # Hours are each giver's, in the giver's area (issue 11): North: Ann gave 1 h, Ben gave 1 h → 2 h,
    # 2 active, 1 of 2 both; South: Cal only received → 0 h, 1 active.
    assert rows_of(client.get(url, {"csv": "strength-by-area"})) == [
        ["Area", "Exchange hours (no population figures imported)",
         "Active members (no population figures imported)", "Reciprocity rate"],
        ["Riverside North", "2.00", "2.00", "0.50"],
        ["Riverside South", "0.00", "1.00", "0.00"],
    ]
    assert rows_of(client.get(url, {"csv": "crime-hours"})) == [
        ["Area code", "Exchange hours (no population figures imported)", "Crime"],
        ["E05000001", "2.00", "10.00"], ["E05000002", "0.00", "20.00"]]
    assert rows_of(client.get(url, {"csv": "crime-reciprocity"}))[1] == ["E05000001", "0.50", "10.00"]
    body = client.get(url, {"start": "2020-01-01", "end": today.isoformat()}).content.decode()
    assert f'href="?start=2020-01-01&amp;end={today.isoformat()}&amp;csv=crime-active"' in body


def test_indicators_that_slugify_alike_get_their_own_downloads():
    taken = {"strength-by-area"}
    assert [_unique_name(name, taken) for name in ("crime-hours", "crime-hours", "crime-hours")] == [
        "crime-hours", "crime-hours-2", "crime-hours-3"]


@pytest.fixture
def quiet(riverside, line):
    """55 members who never exchanged (more than one page of the outreach list), Dee with no area."""
    for i in range(55):
        testing.join(testing.make_person(f"q{i}@example.org", f"Quiet {i:02}"), riverside)
    dee = testing.join(testing.make_person("dee@example.org", "Dee Dogwood"), riverside)
    dee.area = None
    dee.save()
    return line


def test_outreach_csv_is_the_whole_list(quiet, riverside, as_persona):
    client = as_persona("coordinator")
    url = reverse("insights:outreach", args=[riverside.slug])
    # everyone quiet for a week: Ann, Ben and Cal exchanged today, so they are not on it
    rows = rows_of(client.get(url, {"days": "7", "page": "2", "csv": "outreach"}))
    assert rows[0] == ["Member", "Area", "Last exchange"]
    by_name = {row[0]: row for row in rows[1:]}
    assert len(rows) == 1 + 56  # the whole list, not the page asked for
    assert by_name["Quiet 00"] == ["Quiet 00", "Riverside North", "never"]
    assert by_name["Dee Dogwood"] == ["Dee Dogwood", "–", "never"]
    assert "Cora Coordinator" not in by_name and "Ann Ash" not in by_name
    page = client.get(url, {"days": "7", "page": "2"}).content.decode()
    assert 'href="?days=7&amp;csv=outreach"' in page  # the page number is not carried into the download


def test_outreach_csv_row_with_a_date(riverside, as_persona, member, second_member):
    from coproduce.members.models import Membership

    alice, bob = (Membership.objects.get(user=u, community=riverside) for u in (member, second_member))
    day = community_today(riverside) - datetime.timedelta(days=100)
    _exchange(riverside, alice, bob, day, "ab")
    client = as_persona("coordinator")
    url = reverse("insights:outreach", args=[riverside.slug])
    rows = rows_of(client.get(url, {"csv": "outreach"}))  # 90 days by default
    assert sorted(rows[1:]) == [["Alice Ashby", "Riverside North", day.isoformat()],
                                ["Bob Brown", "Riverside North", day.isoformat()]]
    assert rows_of(client.get(url, {"days": "200", "csv": "outreach"})) == [["Member", "Area", "Last exchange"]]


def test_outreach_csv_queries_are_constant(riverside, as_persona):
    client = as_persona("coordinator")
    url = reverse("insights:outreach", args=[riverside.slug])

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"csv": "outreach"})
        assert response.status_code == 200
        return len(queries), len(rows_of(response))

    for i in range(3):
        testing.join(testing.make_person(f"q{i}@example.org", f"Quiet {i}"), riverside)
    few, three = count()
    for i in range(3, 60):
        testing.join(testing.make_person(f"q{i}@example.org", f"Quiet {i}"), riverside)
    many, sixty = count()
    assert (three, sixty) == (1 + 3, 1 + 60)
    assert many == few


def test_partners_overview_csv_by_hand(library, as_persona):
    rows = rows_of(as_persona("coordinator").get("/c/riverside/insights/co-production/", {"csv": "latest-scores"}))
    assert rows == [
        ["Organisation", "Date", "Assets", "Capabilities", "Mutuality", "Networks", "Blurred roles", "Facilitating"],
        ["Riverside Library", "2025-06-01", "2.67", "4.0", "4.0", "4.0", "4.0", "4.0"],  # assets (1 + 2 + 5) / 3
        ["Zeta Housing", "Not assessed yet", "", "", "", "", "", ""],
    ]


def test_assessment_csvs_by_hand(library, as_persona):
    client = as_persona("coordinator")
    url = f"/c/riverside/insights/co-production/{library.pk}/"
    assert rows_of(client.get(url, {"csv": "history"})) == [
        ["Date", "People are assets", "Building on existing capabilities", "Mutuality and reciprocity",
         "Peer support networks", "Blurring distinctions", "Facilitating rather than delivering"],
        ["2025-06-01", "2.67", "4.0", "4.0", "4.0", "4.0", "4.0"],
        ["2025-03-01", "3.0", "3.0", "3.0", "3.0", "3.0", "3.0"],
    ]
    latest = rows_of(client.get(url, {"csv": "latest-scores"}))
    assert latest[0] == ["Principle", "2025-06-01", "2025-03-01"]
    assert latest[1] == ["People are assets", "2.67", "3.0"]
    body = client.get(url).content.decode()
    assert 'href="?csv=latest-scores"' in body and 'href="?csv=history"' in body


def test_partner_staff_get_their_own_history_as_for_the_page(library, riverside, client):
    staff = testing.make_person("sam@library.example", "Sam Staff")
    Staff.objects.create(organisation=library, user=staff, started_on=datetime.date(2020, 1, 1))
    client.force_login(staff)
    url = f"/c/riverside/insights/co-production/{library.pk}/"
    assert client.get(url).status_code == 200
    assert len(rows_of(client.get(url, {"csv": "history"}))) == 3
    assert client.get("/c/riverside/insights/co-production/", {"csv": "latest-scores"}).status_code == 403


def test_dashboard_link_keeps_the_month_period(riverside, coordinator, client):
    client.force_login(coordinator)
    month = community_month(riverside).strftime("%Y-%m")
    body = client.get(reverse("insights:dashboard", args=[riverside.slug]),
                      {"start": month, "end": month}).content.decode()
    assert f'href="?start={month}&amp;end={month}&amp;csv=headline"' in body


def test_csv_link_keeps_the_page_query_but_not_the_page_number():
    request = RequestFactory().get("/", {"days": "30", "page": "3", "csv": "old", "start": "2026-01"})
    assert csv_query(request.GET, "outreach") == "?days=30&start=2026-01&csv=outreach"
    table = {"name": "a b", "caption": "<Hours>"}
    html = Template("{% load figure_tables %}{% csv_link table %}").render(Context({"table": table}))
    assert html == '<p><a href="?csv=a+b">Download “&lt;Hours&gt;” as CSV</a></p>\n'  # no request: no query kept
