"""Public figures and the public network, per released quarter (``insights.releases``).

The hand-built quarter is April to June 2025, with k = 5. Six members P0..P5 exchange in a
ring (exchange i: P(i mod 6) gives P(i+1 mod 6) an hour), sixteen exchanges in all:

    April: i = 0..7   gardening ×4, lifts ×4        → 8 exchanges
    May:   i = 8..13  gardening ×2, lifts ×3, cleaning ×1  → 6
    June:  i = 14, 15 cleaning ×2                   → 2

By category: gardening 6, lifts 7, cleaning 3. By month: 8, 6, 2.
"""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coproduce import testing
from coproduce.communities.activities import Activity
from coproduce.communities.models import Category
from coproduce.insights import releases
from coproduce.insights.models import PublicRelease
from coproduce.ledger import services

QUARTER = datetime.date(2025, 4, 1)
MONTHS = [datetime.date(2025, 4, 10)] * 8 + [datetime.date(2025, 5, 10)] * 6 + [datetime.date(2025, 6, 10)] * 2


def _post(community, accounts, rows, keyed_by, prefix="x"):
    services.bulk_post_exchanges(community, [
        services.BulkRow(accounts[g].pk, accounts[r].pk, minutes, day, f"{prefix}{i}", category_id=category)
        for i, (g, r, minutes, day, category) in enumerate(rows)], keyed_by=keyed_by)


@pytest.fixture
def spring(riverside, coordinator):
    people = [testing.join(testing.make_person(f"p{i}@spring.example", f"Person {i}"), riverside) for i in range(6)]
    categories = {name: Category.objects.create(community=riverside, name=name, activity=activity)
                  for name, activity in (("Gardening", Activity.GARDENING), ("Lifts", Activity.TRANSPORT),
                                         ("Cleaning", Activity.CLEANING))}
    with transaction.atomic():
        accounts = [services.account_for_membership(m) for m in people]
    kinds = ["Gardening"] * 4 + ["Lifts"] * 4 + ["Gardening"] * 2 + ["Lifts"] * 3 + ["Cleaning"] * 3
    _post(riverside, accounts, [(i % 6, (i + 1) % 6, 60, MONTHS[i], categories[kinds[i]].pk) for i in range(16)],
          coordinator)
    return {"people": people, "accounts": accounts, "categories": categories}


def _rows(table):
    return {row[0]: row[1:] for row in table["rows"]}


def get_(client, name, community, **query):
    return client.get(reverse(f"insights:{name}", args=[community.slug]), query)


def test_quarters_are_released_thirty_days_after_they_end(riverside, spring):
    assert releases.release_date(datetime.date(2026, 7, 1)) == datetime.date(2026, 10, 30)
    on = releases.released_quarters(riverside, datetime.date(2026, 10, 30))
    assert on[0] == datetime.date(2026, 7, 1)
    before = releases.released_quarters(riverside, datetime.date(2026, 10, 29))
    assert before[0] == datetime.date(2026, 4, 1)
    # Back to the quarter of the first exchange, and no further.
    assert before[-1] == QUARTER
    assert len(before) == 5  # Apr 2025, Jul 2025, Oct 2025, Jan 2026, Apr 2026


def test_public_figures_for_a_quarter_by_hand(client, riverside, spring):
    response = get_(client, "public_figures", riverside, quarter="2025-04-01")
    assert response.status_code == 200
    tables = {t["name"]: t for t in response.context["tables"]}
    months = _rows(tables["per-month"])
    # June's 2 is below k; with the total shown the next smallest month (May, 6) is hidden too.
    assert months["April 2025"] == ["8", "8.0"]
    assert months["May 2025"] == ["not shown", "–"]
    assert months["June 2025"] == ["fewer than 5", "–"]
    assert months["Total"] == ["16", "16.0"]
    # By activity: gardening 6, transport (lifts) 7, cleaning 3, the nine other activities and
    # "no category" 0. The eleven hidden cells share 16 − 13 = 3 exchanges: each could hold
    # anything from 0 to 3, so nothing more needs hiding.
    activities = _rows(tables["by-activity"])
    assert activities["Transport"] == ["7", "7.0"]
    assert activities["Housing: gardening"] == ["6", "6.0"]
    assert activities["Housing: cleaning"] == ["fewer than 5", "–"]
    assert activities["Childcare"] == ["fewer than 5", "–"]  # 0: every row is listed, empty or not
    assert activities["Total"] == ["16", "16.0"]
    headline = _rows(tables["headline"])
    assert headline["Active members (gave or received at least once)"] == ["6"]
    assert headline["Reciprocity rate (active members who both gave and received)"] == ["100%"]
    body = response.content.decode()
    assert body.count('role="img"') == 2  # exchanges per month and by category, drawn on the server
    assert "Person 1" not in body


def test_a_release_never_changes_once_shown(client, riverside, spring, coordinator):
    first = get_(client, "public_figures", riverside, quarter="2025-04-01").context["tables"]
    # An exchange recorded today but dated in May 2025 (a late record) ...
    _post(riverside, spring["accounts"], [(0, 3, 600, datetime.date(2025, 5, 20), None)], coordinator, "late")
    again = get_(client, "public_figures", riverside, quarter="2025-04-01").context["tables"]
    assert again == first  # ... is not in the public figures: no two answers differ by it
    assert PublicRelease.objects.filter(community=riverside).count() == 1
    client.force_login(coordinator)
    dashboard = get_(client, "dashboard", riverside, start="2025-04", end="2025-06")
    assert _rows(dashboard.context["tables"][0])["Exchanges"][0] == 17  # coordinators see it


def test_a_stricter_k_rebuilds_the_release(client, riverside, spring):
    get_(client, "public_figures", riverside, quarter="2025-04-01")
    riverside.small_count_k = 10
    riverside.save()
    tables = get_(client, "public_figures", riverside, quarter="2025-04-01").context["tables"]
    months = _rows(next(t for t in tables if t["name"] == "per-month"))
    assert months["April 2025"][0] == "fewer than 10"
    assert PublicRelease.objects.get(community=riverside).k == 10


@pytest.mark.parametrize("quarter", ["2025-05-01", "2999-01-01", "junk", "2020-01-01"])
def test_only_released_quarters_can_be_asked_for(client, riverside, spring, quarter):
    response = get_(client, "public_figures", riverside, quarter=quarter)
    assert response.status_code == 400
    assert "Choose one of the quarters listed" in response.content.decode()
    assert not PublicRelease.objects.exists()
    current = releases.quarter_start(services.community_today(riverside)).isoformat()
    assert get_(client, "public_network", riverside, quarter=current).status_code == 400


def test_nothing_released_yet_says_so(client, riverside):
    response = get_(client, "public_figures", riverside)
    assert response.status_code == 200
    assert "No figures have been published yet" in response.content.decode()


def test_public_network_by_hand_names_nobody(client, riverside, spring):
    response = get_(client, "public_network", riverside, quarter="2025-04-01")
    assert response.status_code == 200
    body = response.content.decode()
    rows = _rows(response.context["tables"][0])
    # A ring of six: 6 nodes, 6 ties, mean degree 2, all in one group, no triangles.
    assert rows["People and organisations in the network"] == ["6"]
    assert rows["Ties"] == ["6"]
    assert rows["Mean degree (ties per person)"] == ["2.00"]
    assert rows["Share in the largest connected group"] == ["1.00"]
    assert rows["Average clustering"] == ["0.00"]
    assert rows["Ties bridging different areas"] == ["fewer than 5"]
    assert body.count('class="dot"') == 6
    for name in ("Person", "Betweenness", "p0@"):
        assert name not in body
    assert _rows(response.context["tables"][1]) == {"2025-04": ["6"]}  # all six ties new in April


def test_public_network_below_k_draws_nothing(client, riverside, spring):
    riverside.small_count_k = 10
    riverside.save()
    body = get_(client, "public_network", riverside, quarter="2025-04-01").content.decode()
    assert 'class="dot"' not in body
    assert "fewer than 10" in body


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "member", "other_coordinator", "coordinator"])
@pytest.mark.parametrize("name", ["public_figures", "public_network"])
def test_public_pages_are_open_to_everyone(riverside, spring, as_persona, persona, name):
    assert as_persona(persona).get(reverse(f"insights:{name}", args=[riverside.slug]),
                                   {"quarter": "2025-04-01"}).status_code == 200


def test_unknown_community_is_not_found(client, riverside):
    assert client.get(reverse("insights:public_figures", args=["nowhere"])).status_code == 404


def test_csv_of_a_public_table(client, riverside, spring):
    response = get_(client, "public_figures", riverside, quarter="2025-04-01", csv="by-activity")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "Activity,Exchanges,Hours"
    assert "Transport,7,7.0" in lines


# Random small communities: whatever they did, nothing public shows a count below k, and no
# hidden cell can be worked out from the totals shown (checked by brute force).

exchange = st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 2), st.integers(0, 2))


def _count_cells(release):
    """Every published cell that is a count of exchanges, people or ties."""
    for t in release["tables"]:
        if t["name"] == "headline":
            yield t["rows"][0][1]
        else:
            yield from (row[1] for row in t["rows"])
    network = release["network"]
    for _name, value in network["table"]["rows"]:
        if "." not in value:  # the ratios are written with two decimals
            yield value
    yield from (row[1] for row in network["new_ties"]["rows"])


def _label(cell):
    return int(cell.replace(",", "")) if cell.replace(",", "").isdigit() else cell


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(exchange, max_size=24), st.integers(2, 6))
def test_no_public_output_shows_a_small_count_or_a_recoverable_cell(riverside, coordinator, rows, k):
    with transaction.atomic():
        riverside.small_count_k = k
        riverside.save()
        people = [testing.join(testing.make_person(f"h{i}@example.org", f"H {i}"), riverside) for i in range(6)]
        accounts = [services.account_for_membership(m) for m in people]
        categories = [Category.objects.create(community=riverside, name=f"C{i}", activity=Activity.GARDENING).pk
                      for i in range(2)] + [None]
        posted = [(g, r, 30, datetime.date(2025, 4 + month, 5), categories[c])
                  for g, r, month, c in rows if g != r]
        if posted:
            _post(riverside, accounts, posted, coordinator)
        release = releases.build_release(riverside, QUARTER)
        transaction.set_rollback(True)
    for cell in _count_cells(release):
        value = _label(cell)
        assert not isinstance(value, int) or value >= k, cell
    for t in release["tables"]:
        if t["name"] == "headline":
            continue
        labels = [_label(row[1]) for row in t["rows"][:-1]]
        total = _label(t["rows"][-1][1])
        assert testing.recoverable_cells(labels, total if isinstance(total, int) else None, k) == set(), t
