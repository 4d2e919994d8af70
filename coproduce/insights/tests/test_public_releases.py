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
    # June's 2 is below k. With the total shown, May (6) hidden too would leave 8 for the two:
    # May is at least 5, so June could not be 4. April (8) leaves 10: June could be 0 to 4.
    assert months["April 2025"] == ["not shown", "–"]
    assert months["May 2025"] == ["6", "6.0"]
    assert months["June 2025"] == ["fewer than 5", "–"]
    assert months["Total"] == ["16", "16.0"]
    # By category (the community's own top-level categories, issue 13): gardening 6, lifts 7,
    # cleaning 3, the default categories and "no category" 0. The small cells would share
    # 16 − 13 = 3: together a count of 3, and none of them could be 4. Gardening (6) is hidden
    # too: they share 9, each could be 0 to 4.
    assert "by-activity" not in tables  # valuation activities are for the valuation page only
    categories = _rows(tables["by-category"])
    assert tables["by-category"]["headers"][0] == "Category"
    assert categories["Lifts"] == ["7", "7.0"]
    assert categories["Gardening"] == ["not shown", "–"]
    assert categories["Cleaning"] == ["fewer than 5", "–"]
    assert categories["Children and family"] == ["fewer than 5", "–"]  # 0: every row is listed, empty or not
    assert categories["Total"] == ["16", "16.0"]
    # Every exchange is person-to-person: the four empty types, shown as empty, would be counts
    # of 0, so the person-to-person row is hidden as well and only the total shows.
    assert _rows(tables["by-type"])["person-to-person"] == ["not shown", "–"]
    assert _rows(tables["by-type"])["Total"] == ["16", "16.0"]
    headline = _rows(tables["headline"])
    assert headline["Active members (gave or received at least once)"] == ["6"]
    # All six gave and received: 100% would say nobody did not, a count of 0 (issue 11).
    assert headline["Reciprocity rate (active members who both gave and received)"] == ["not shown (too few people)"]
    body = response.content.decode()
    assert body.count('role="img"') == 2  # exchanges per month and by category, drawn on the server
    assert "Exchanges by category" in body and "activity" not in body.lower()
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


def test_a_stricter_k_does_not_rebuild_the_release(client, riverside, spring, coordinator):
    """Frozen means frozen (issue 11, point 5): a change of k or rule rebuilt the quarter from
    today's records, so a late exchange could be read off by subtracting the two versions. Now the
    stored cells are served until a coordinator publishes a correction."""
    first = get_(client, "public_figures", riverside, quarter="2025-04-01").context["tables"]
    _post(riverside, spring["accounts"], [(0, 3, 600, datetime.date(2025, 5, 20), None)], coordinator, "late")
    riverside.small_count_k = 10
    riverside.save()
    assert get_(client, "public_figures", riverside, quarter="2025-04-01").context["tables"] == first
    release = PublicRelease.objects.get(community=riverside)
    assert (release.version, release.k) == (1, 5)
    corrected = releases.correct_release(riverside, QUARTER, actor=coordinator, reason="Protection raised to k = 10.")
    assert (corrected.version, corrected.k) == (2, 10)
    months = _rows(next(t for t in get_(client, "public_figures", riverside, quarter="2025-04-01")
                        .context["tables"] if t["name"] == "per-month"))
    assert months["April 2025"][0] == "fewer than 10"
    assert months["May 2025"][0] == "fewer than 10"  # 7 now, with the late exchange


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
    # A ring of six: 6 nodes, 6 ties, all made in April. It is the community's first quarter, so
    # new ties per month add up to the ties: May's and June's 0s, with April and the ties shown,
    # would be known to be 0. April is hidden, and then the ties (April alone would leave 6 − 5 =
    # 1 for May and June); with the ties hidden, so are the mean degree and the picture
    # (people × mean degree ÷ 2 would give the ties back, the picture's lines count them).
    assert rows["People and organisations in the network"] == ["6"]
    assert rows["Ties"] == ["not shown"]
    assert rows["Mean degree (ties per person)"] == ["not shown"]
    assert rows["Share in the largest connected group"] == ["not shown"]  # 1.00: nobody outside it
    assert rows["Average clustering"] == ["not shown"]
    assert rows["Ties bridging different areas"] == ["fewer than 5"]
    assert _rows(response.context["tables"][1]) == {"2025-04": ["not shown"], "2025-05": ["fewer than 5"],
                                                    "2025-06": ["fewer than 5"]}
    assert 'class="dot"' not in body and "No picture is drawn" in body
    for name in ("Person", "Betweenness", "p0@"):
        assert name not in body


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
    response = get_(client, "public_figures", riverside, quarter="2025-04-01", csv="by-category")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "Category,Exchanges,Hours"
    assert "Lifts,7,7.0" in lines


# Random small communities, audited by linear programming over everything the pages publish:
# test_release_audit.py.
