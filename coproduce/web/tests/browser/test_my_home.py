"""Issue 13: each role's home page passes axe at 1280 and 320 px, and the member's unread count
follows the messages: one arrives → the count rises → reading it clears it."""

import datetime
import re

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


def _queue(page, words: str) -> str:
    return " ".join(page.locator(".queues li").filter(has_text=words).inner_text().split())


def test_coordinator_queue_counts_follow_applications(new_browser, riverside, coordinator, applicant):
    from coproduce.members.models import Application
    from coproduce.members.services import apply_to_community

    b = new_browser()
    force_login(b, coordinator)
    page = b.visit("/home/")
    assert _queue(page, "membership application") == "1 membership application"

    newcomer = testing.make_person("nia@example.org", "Nia Newcomer")
    apply_to_community(user=newcomer, community=riverside, offers="Reading to children", needs="",
                       heard_from="friend", consent=True, area=riverside.areas.first())
    page = b.visit("/home/")
    assert _queue(page, "membership application") == "2 membership applications"

    application = Application.objects.get(user=newcomer)
    page = b.visit(f"/c/riverside/coordinate/applications/{application.pk}/")
    page.get_by_role("button", name="Approve").click()
    b.check()
    page = b.visit("/home/")
    assert _queue(page, "membership application") == "1 membership application"


def test_facilitator_registers_to_take_clear_once_taken(new_browser, busy_riverside, member):
    b = new_browser()
    force_login(b, member)  # Alice facilitates the carers' circle, whose last session has ended
    page = b.visit("/home/")
    facilitating = page.locator("section[id^=facilitator-]")
    assert "1 session has no register yet." in facilitating.inner_text()
    facilitating.get_by_role("link", name=re.compile("^Take the register")).click()
    b.check()
    page.get_by_label(re.compile("Alice Ashby")).check()
    page.get_by_role("button", name="Record attendance").click()
    b.check()
    page = b.visit("/home/")
    assert "Every register is taken" in page.locator("section[id^=facilitator-]").inner_text()


def test_partner_staff_see_sign_ups_and_referral_steps_move(new_browser, riverside, staff, surgery, member,
                                                            second_member, coordinator):
    from coproduce.referrals.models import Referral
    from coproduce.referrals.services import make_referral

    alice, bob = membership(member, riverside), membership(second_member, riverside)
    opportunity = partners.post_opportunity(surgery, actor=staff, title="Welcome desk volunteer",
                                            starts_on=timezone.localdate() + datetime.timedelta(days=5),
                                            places_needed=3)
    b = new_browser()
    force_login(b, staff)
    page = b.visit("/home/")
    section = page.locator(f"#partner-{surgery.pk}")
    assert "0 of 3 signed up" in section.inner_text()
    assert "You have not referred anyone yet." in section.inner_text()

    partners.sign_up(opportunity, membership=alice, actor=member)
    make_referral(surgery, actor=staff, reason="isolation", consent=True, membership=bob)
    page = b.visit("/home/")
    section = page.locator(f"#partner-{surgery.pk}")
    assert "1 of 3 signed up (Alice Ashby)" in " ".join(section.inner_text().split())
    assert _steps(section)["Received"] == 1 and sum(_steps(section).values()) == 1

    # The coordinator moves it on (partner staff follow it; moving it is the time bank's job).
    cora = new_browser()
    force_login(cora, coordinator)
    page = cora.visit(f"/c/riverside/referrals/{Referral.objects.get(membership=bob).pk}/")
    page.get_by_label("Next step").select_option(value="contacted")
    if not page.get_by_label("Date").input_value():
        page.get_by_label("Date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Save step").click()
    cora.check()
    page = b.visit("/home/")
    steps = _steps(page.locator(f"#partner-{surgery.pk}"))
    assert steps["Contacted"] == 1 and steps["Received"] == 0 and sum(steps.values()) == 1, steps


def _steps(section) -> dict[str, int]:
    """The referral steps as shown: {"Received": 1, "Contacted": 0, ...}."""
    items = section.locator(".referral-steps li").all_inner_texts()
    return {label.strip(): int(n) for label, n in (item.rsplit(":", 1) for item in items)}
