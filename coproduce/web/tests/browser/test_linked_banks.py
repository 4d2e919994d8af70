"""Linked time banks in the browser: two communities on the live server, linked both ways over
real HTTP to itself (each signs its requests with its own key). A member on a phone records help
a member of the other bank gave, finds that bank's offers, and a coordinator checks that both
ledgers agree. Axe-clean, no sideways scrolling."""

import pytest

from coproduce.federation import services
from coproduce.federation.models import Crossing, CrossingState
from coproduce.market import services as market
from coproduce.members.models import Membership
from coproduce.web.tests.browser.conftest import force_login, overflow_at

pytestmark = pytest.mark.browser


@pytest.fixture
def linked(live_server, riverside, hilltop, coordinator, other_coordinator, member, other_member):
    for here, there, actor in ((riverside, hilltop, coordinator), (hilltop, riverside, other_coordinator)):
        services.link_bank(here, name=there.name, peer_url=live_server.url, peer_slug=there.slug,
                           peer_public_key=services.node_for(there).public_key, we_may_owe=600, they_may_owe=600,
                           actor=actor)
    olga = Membership.objects.get(user=other_member, community=hilltop)
    market.create_post(author=olga, actor=other_member, kind="offer", title="Bicycle repairs",
                       category=hilltop.categories.first(), visible_to_linked_banks=True)
    return olga


def test_a_member_records_help_from_another_bank_and_finds_its_offers(new_browser, member, linked):
    b = new_browser(viewport={"width": 360, "height": 740})
    force_login(b, member)
    page = b.visit("/c/riverside/ledger/")
    page.get_by_role("link", name="Linked time banks").click()
    b.check()
    page.get_by_label("Their member number there").fill(str(linked.pk))
    page.get_by_label("How long").fill("1:30")
    page.get_by_label("What they did").fill("Fixed my bicycle")
    page.get_by_role("button", name="Record").click()
    b.check()
    assert "Recorded: done." in page.content()
    assert page.get_by_role("cell", name="Olga Other, Hilltop Time Bank").is_visible()
    assert not overflow_at(page)
    crossing = Crossing.objects.get(link__community__slug="hilltop")
    assert crossing.state == CrossingState.COMPLETED and crossing.minutes == 90
    page.get_by_label("Words or a sentence").fill("bicycle")
    page.get_by_role("button", name="Search").click()
    b.check()
    assert "Bicycle repairs" in page.content() and "Posted by Olga" in page.content()


def test_a_coordinator_sees_the_link_and_checks_it(new_browser, coordinator, linked):
    b = new_browser()
    force_login(b, coordinator)
    page = b.visit("/c/riverside/linked/manage/")
    assert services.node_for(linked.community.__class__.objects.get(slug="riverside")).public_key in page.content()
    page.get_by_role("button", name="Check with Hilltop Time Bank").click()
    b.check()
    assert "Both time banks agree" in page.content()
