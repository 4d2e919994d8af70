"""The members' gifts layer: skills by area, every cell protected like a public count, and
checked against a count made here from the memberships themselves."""

from collections import Counter

import pytest

from coproduce import testing
from coproduce.assets.gifts import gifts_by_area
from coproduce.communities.models import Category
from coproduce.members.models import Membership
from coproduce.members.services import leave_community


def _members(riverside, area, skills, n, prefix):
    made = []
    for i in range(n):
        user = testing.make_person(f"{prefix}{i}@example.org", f"{prefix.title()} {i}")
        testing.join(user, riverside)
        membership = Membership.objects.get(user=user, community=riverside)
        membership.area = area
        membership.save(update_fields=["area"])
        membership.skills.set(skills)
        made.append(membership)
    return made


@pytest.fixture
def offers(riverside):
    north, south = riverside.areas.order_by("code")[:2]
    gardening = Category.objects.get(community=riverside, name="Gardening")
    subcategories = list(Category.objects.filter(community=riverside, parent=gardening.parent)[:2]) \
        if gardening.parent else [gardening]
    lifts = Category.objects.filter(community=riverside).exclude(pk=gardening.pk).exclude(
        parent=gardening.parent).filter(parent__isnull=False).first()
    _members(riverside, north, subcategories, 6, "green")  # two skills in one category: counted once
    _members(riverside, north, [lifts], 3, "driver")  # fewer than k = 5
    _members(riverside, south, [lifts], 5, "south")
    left = _members(riverside, south, [lifts], 1, "gone")[0]
    leave_community(left, actor=left.user)  # who left is not counted
    return north, south, gardening, lifts


def _independent(riverside):
    """Count members per (area, top-level category) straight from the memberships."""
    counts = Counter()
    for m in Membership.objects.filter(community=riverside, status="active", area__isnull=False):
        tops = {(c.parent or c).name for c in m.skills.select_related("parent")}
        for top in tops:
            counts[(m.area.name, top)] += 1
    return counts


def test_cells_match_an_independent_count_and_small_ones_are_hidden(riverside, offers):
    riverside.small_count_k = 5
    riverside.save(update_fields=["small_count_k"])
    shown = {(g.area.name, name): cell.value for g in gifts_by_area(riverside) for name, cell in g.cells}
    truth = _independent(riverside)
    assert set(shown) == set(truth)
    for key, n in truth.items():
        assert shown[key] == (n if n >= 5 else None), key
    assert None in shown.values()  # the three drivers of the north are hidden


def test_rounding_rule_rounds_every_cell(riverside, offers):
    riverside.small_count_k = 5
    riverside.small_count_rule = "round"
    riverside.save(update_fields=["small_count_k", "small_count_rule"])
    for gifts in gifts_by_area(riverside):
        for _name, cell in gifts.cells:
            assert cell.value % 5 == 0


def test_the_layer_follows_the_directory_page_for_members_only(client, riverside, offers, member, other_member):
    url = "/c/riverside/directory/gifts/"
    for persona in (None, other_member):  # anonymous, and a member of another community
        if persona:
            client.force_login(persona)
        refused = client.get(url)
        assert refused.status_code in (302, 403) and "members offer" not in refused.content.decode()
    client.force_login(member)
    directory = client.get("/c/riverside/directory/").content.decode()
    assert f'hx-get="{url}"' in directory and f'href="{url}"' in directory  # a link without JavaScript
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and "What members offer" in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"]
    page = client.get(url).content.decode()
    assert "<html" in page and page.count("What members offer, area by area") >= 1
    for gifts in gifts_by_area(riverside):
        assert gifts.area.name in page
