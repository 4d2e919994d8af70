"""Issue 13: each role's home page passes axe at 1280 and 320 px, and the member's unread count
follows the messages: one arrives → the count rises → reading it clears it."""

import datetime

import pytest
from django.utils import timezone

from coproduce import testing
from coproduce.conversations.services import start_conversation
from coproduce.groups import services as groups
from coproduce.ledger.services import new_key, record_exchange
from coproduce.partners import services as partners
from coproduce.partners.tests.fixtures import membership
from coproduce.web.tests.browser.conftest import force_login
from coproduce.web.tests.browser.test_narrow_screen import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser


def test_a_message_raises_the_unread_count_and_reading_it_clears_it(new_browser, riverside, member, second_member):
    alice, bob = membership(member, riverside), membership(second_member, riverside)
    b = new_browser()
    force_login(b, member)
    page = b.visit("/home/")
    assert page.locator(".unread-messages").count() == 0
    assert page.locator(".site-header .badge").count() == 0

    start_conversation(sender=bob, recipient=alice, body="Hello Alice, could you help on Tuesday?")
    page = b.visit("/home/")
    assert page.locator(".unread-messages").inner_text() == "1 unread message"
    home = page.get_by_role("link", name="Home, 1 thing waiting for you")
    assert home.get_attribute("aria-current") == "page"

    page.locator(".unread-messages a").click()
    b.check()
    assert b.path == "/c/riverside/messages/"
    assert page.get_by_role("link", name="Messages, 1 unread").count() == 1
    page.get_by_role("link", name="Bob Brown").first.click()
    b.check()
    assert "Hello Alice" in page.content()
    assert page.locator(".site-header .badge").count() == 0  # read: no count left anywhere

    page.get_by_role("link", name="Home", exact=True).click()
    b.check()
    assert b.path == "/home/"
    assert page.locator(".unread-messages").count() == 0


@pytest.fixture
def busy_riverside(riverside, member, second_member, coordinator, staff, surgery, applicant):
    """Something in every section: Alice is a member who facilitates a group, Cora coordinates,
    Sam works at the surgery."""
    alice, bob = membership(member, riverside), membership(second_member, riverside)
    record_exchange(community=riverside, giver=alice, receiver=bob, minutes=90,
                    performed_on=timezone.localdate() - datetime.timedelta(days=1), keyed_by=second_member,
                    idempotency_key=new_key())
    record_exchange(community=riverside, giver=bob, receiver=alice, minutes=30,
                    performed_on=timezone.localdate() - datetime.timedelta(days=1), keyed_by=second_member,
                    idempotency_key=new_key())
    start_conversation(sender=bob, recipient=alice, body="Thank you for Tuesday, a very long message " * 5)
    group = testing.accept_invitations(groups.create_group(community=riverside, actor=coordinator,
                                                           name="Carers' circle with a rather long name",
                                                           facilitators=[alice]))
    start = timezone.now() - datetime.timedelta(hours=3)
    groups.add_session(group, actor=member, starts_at=start, ends_at=start + datetime.timedelta(hours=2),
                       capacity=4, place="Library back room")
    start = timezone.now() + datetime.timedelta(days=2)
    groups.add_session(group, actor=member, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                       capacity=4, place="Library back room")
    opportunity = partners.post_opportunity(surgery, actor=staff, title="Welcome desk volunteer",
                                            starts_on=timezone.localdate() + datetime.timedelta(days=5),
                                            places_needed=3)
    partners.sign_up(opportunity, membership=alice, actor=member)
    record_exchange(community=riverside, giver=alice, receiver=surgery, minutes=60,
                    performed_on=timezone.localdate() - datetime.timedelta(days=2), keyed_by=coordinator,
                    idempotency_key=new_key())
    return riverside


@pytest.mark.parametrize("width", [1280, 320])
def test_every_roles_home_passes_axe_and_fits_the_screen(new_browser, busy_riverside, member, coordinator, staff,
                                                         outsider, width):
    for person in (member, coordinator, staff, outsider):
        b = new_browser(viewport={"width": width, "height": 900})
        force_login(b, person)
        page = b.visit("/home/")
        if width == 320:
            assert_no_horizontal_scroll(page)
    b = new_browser(viewport={"width": width, "height": 900})
    page = b.visit("/")
    if width == 320:
        assert_no_horizontal_scroll(page)
