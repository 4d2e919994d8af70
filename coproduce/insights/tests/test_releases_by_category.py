"""Public figures by the community's own categories (issue 13, point 6): new releases publish
exchanges by top-level category instead of by valuation activity, under the same joint
protection; releases published before keep their stored table by activity, corrections too."""

import datetime

import pytest
from django.urls import reverse

from coproduce.communities.models import Category
from coproduce.insights import releases
from coproduce.insights.models import PublicRelease
from coproduce.insights.tests.release_auditor import _range, _Reader, audit, read_release
from coproduce.insights.tests.test_published_figures_regressions import (
    _bulk,
    _people,
    _rows,
    _tables,
)
from coproduce.insights.tests.test_release_audit import EARLIER, LATER


def _child_of(community, top_name):
    top = Category.objects.get(community=community, parent=None, name=top_name)
    return top, top.children.order_by("position").first()


@pytest.fixture
def quarter(riverside, coordinator):
    """LATER's first month: 6 exchanges in "Home and garden" (one of its subcategories); its second
    month: 2 in a subcategory of "Transport and errands", a small count to be protected."""
    people = _people(riverside, 6)
    garden, garden_child = _child_of(riverside, "Home and garden")
    transport, transport_child = _child_of(riverside, "Transport and errands")
    rows = [(people[i], people[(i + 1) % 6], 60, LATER + datetime.timedelta(days=i), garden_child.pk)
            for i in range(6)]
    rows += [(people[i], people[(i + 2) % 6], 30, LATER.replace(month=LATER.month + 1) + datetime.timedelta(days=i),
              transport_child.pk) for i in range(2)]
    _bulk(riverside, coordinator, rows, "cat")
    return {"garden": garden, "transport": transport, "people": people}


def test_exchanges_count_in_their_top_level_category(client, riverside, quarter):
    tables, response = _tables(client, "public_figures", riverside, quarter=LATER.isoformat())
    by_category = _rows(tables["by-category"])
    # Every top-level category is listed, empty or not; subcategories are not (they count in their parent).
    tops = Category.objects.filter(community=riverside, parent=None).values_list("name", flat=True)
    assert set(by_category) == {*tops, "No category", "Total"}
    assert not set(Category.objects.filter(community=riverside).exclude(parent=None)
                   .values_list("name", flat=True)) & set(by_category)
    assert by_category["Transport and errands"] == ["fewer than 5", "–"]  # 2: hidden
    assert "by-activity" not in tables
    assert "Exchanges by category" in response.content.decode()


def test_an_auditor_combining_every_table_cannot_recover_a_hidden_category(client, riverside, quarter):
    """The attack: read the by-category table together with the per-month, by-type and by-area
    tables, the network figures and the charts, and narrow the hidden "Transport and errands"
    (truly 2, shown as "fewer than 5") by linear programming. It must stay anywhere from 0 to 4."""
    published = read_release(client, riverside.slug, LATER.isoformat())
    assert published.tables["by-category"]
    assert audit(published) == []
    reader = _Reader(published).build()
    cell = "by-category:Transport and errands"
    assert reader.hidden[cell] == "fewer than 5"
    assert _range(reader.m, cell) == (0, 4)
    # The month it happened in is small too; subtracting the shown months from the total must not
    # give it away either.
    assert _range(reader.m, f"per-month:{LATER.replace(month=LATER.month + 1):%B %Y}")[0] == 0


def test_a_retired_top_level_category_is_still_listed(client, riverside, quarter):
    quarter["transport"].retired = True
    quarter["transport"].save()
    tables, _response = _tables(client, "public_figures", riverside, quarter=LATER.isoformat())
    assert "Transport and errands" in _rows(tables["by-category"])


def test_releases_published_before_keep_their_table_by_activity(client, riverside, coordinator, quarter,
                                                                 monkeypatch):
    """Frozen: a quarter released before issue 13 keeps its stored table by activity, and so do its
    corrections (two versions split two ways could be subtracted cell by cell). A quarter released
    for the first time now is by category."""
    people = quarter["people"]
    _bulk(riverside, coordinator, [(people[1], people[4], 60, EARLIER, None)], "earlier")  # a quarter before
    with monkeypatch.context() as patch:  # as the code before issue 13 made it
        patch.setattr(releases, "breakdown_of", lambda previous: releases.BY_ACTIVITY)
        old = releases.release_for(riverside, LATER)
    stored = [t["name"] for t in old.figures["tables"]]
    assert "by-activity" in stored and "by-category" not in stored
    tables, response = _tables(client, "public_figures", riverside, quarter=LATER.isoformat())
    assert "by-activity" in tables and "by-category" not in tables
    assert "Exchanges by activity" in response.content.decode()
    assert audit(read_release(client, riverside.slug, LATER.isoformat())) == []

    _bulk(riverside, coordinator, [(quarter["people"][0], quarter["people"][3], 60, LATER, None)], "late")
    corrected = releases.correct_release(riverside, LATER, actor=coordinator, reason="A late record.")
    assert corrected.version == 2
    assert "by-activity" in [t["name"] for t in corrected.figures["tables"]]
    assert PublicRelease.objects.get(pk=old.pk).figures == old.figures  # never rewritten

    earlier, _response = _tables(client, "public_figures", riverside, quarter=EARLIER.isoformat())
    assert "by-category" in earlier and "by-activity" not in earlier


def test_public_figures_link_from_the_page(client, riverside, quarter):
    response = client.get(reverse("insights:public_figures", args=[riverside.slug]),
                          {"quarter": LATER.isoformat(), "csv": "by-category"})
    assert response.content.decode().splitlines()[0] == "Category,Exchanges,Hours"
