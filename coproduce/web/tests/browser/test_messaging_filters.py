"""Issue 13 (points 4 and 7) in the browser: writing to a member from the directory on a laptop and
on a 320 px phone, and the "Filter" disclosure of list pages used by keyboard and without JavaScript."""

import re

import pytest

from coproduce.conversations.models import Conversation
from coproduce.market.tests.conftest import post
from coproduce.members.models import Membership
from coproduce.web.tests.browser.conftest import force_login, tab_to

pytestmark = pytest.mark.browser


def fits_the_window(page) -> bool:
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return scroll <= client


@pytest.mark.parametrize("width", [1280, 320])
def test_a_member_writes_to_someone_from_the_directory(
    new_browser, riverside, member, second_member, width
):
    b = new_browser(viewport={"width": width, "height": 800})
    force_login(b, member)
    page = b.visit("/c/riverside/members/")
    assert fits_the_window(page)
    card = page.locator("#directory li").filter(has_text="Bob Brown")
    assert card.get_by_role("link", name="Send a message to Bob Brown").is_visible()
    assert (
        page.get_by_role("link", name="Send a message to Alice Ashby").count() == 0
    )  # not to yourself

    card.get_by_role("link", name="Send a message to Bob Brown").click()
    b.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Write to Bob Brown"
    assert fits_the_window(page)
    page.get_by_label("Your message").fill("Hello Bob, could you help me with my garden?")
    page.get_by_role("button", name="Send message").click()
    b.check()
    conversation = Conversation.objects.get()
    assert b.path == f"/c/riverside/messages/{conversation.pk}/"
    assert "Message sent to Bob Brown" in page.content()
    assert "could you help me with my garden?" in page.content()
    assert fits_the_window(page)

    # The same button now opens the conversation they already have.
    b.visit("/c/riverside/members/")
    page.get_by_role("link", name="Send a message to Bob Brown").click()
    b.check()
    assert b.path == f"/c/riverside/messages/{conversation.pk}/"


def test_the_filter_opens_from_the_keyboard(new_browser, riverside, member, second_member):
    post(second_member, riverside, title="Lawn mowing", kind="offer")
    post(second_member, riverside, title="Help with weeding", kind="request")
    b = new_browser(viewport={"width": 320, "height": 800})
    force_login(b, member)
    page = b.visit("/c/riverside/market/")
    search = page.get_by_label("Search", exact=True)
    assert not search.is_visible()  # results come first: the filters wait behind "Filter"
    assert page.locator("#results li").count() == 2

    tab_to(page, "details.app-filter > summary")
    page.keyboard.press("Enter")
    assert search.is_visible()
    b.check()  # axe on the open form too
    page.get_by_label("Show", exact=True).select_option(label="Offers only")
    search.press("Enter")  # submits the form from the keyboard
    b.check()
    assert page.locator("#results li").count() == 1
    assert "Lawn mowing" in page.locator("#results").inner_text()
    assert page.locator("details.app-filter > summary").inner_text() == "Filter (1 active)"


def test_the_filter_works_without_javascript(
    new_browser, riverside, member, second_member, coordinator
):
    b = new_browser(java_script_enabled=False)
    force_login(b, member)
    page = b.visit("/c/riverside/members/")
    assert page.locator("#directory li").count() == 3
    summary = page.locator("details.app-filter > summary")
    assert summary.inner_text() == "Filter"
    summary.click()  # a native <details>: no script needed to open it
    page.get_by_label("Search by name, skill or area").fill("Bob")
    page.get_by_role("button", name="Search").click()
    b.check()
    assert page.locator("#directory li").count() == 1
    assert page.locator("details.app-filter > summary").inner_text() == "Filter (1 active)"

    # Nobody matches: the filter stays open so the search can be changed at once.
    page.locator("details.app-filter > summary").click()
    page.get_by_label("Search by name, skill or area").fill("Nobody of that name")
    page.get_by_role("button", name="Search").click()
    b.check()
    assert page.locator("details.app-filter").get_attribute("open") is not None
    page.get_by_role("link", name="Clear filters").click()
    b.check()
    assert page.locator("#directory li").count() == 3
    assert re.fullmatch(r"/c/riverside/members/", b.path)


def test_instead_of_a_button_the_profile_says_whom_to_contact(
    new_browser, riverside, member, assisted_member, coordinator
):
    edna = Membership.objects.get(user=assisted_member)
    b = new_browser(viewport={"width": 320, "height": 800})
    force_login(b, member)
    page = b.visit(f"/c/riverside/members/{edna.pk}/")
    assert page.get_by_role("link", name=re.compile("Send a message")).count() == 0
    assert "Edna Elder does not use messages here." in page.content()
    page.get_by_role("link", name="Cora Coordinator").click()
    b.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Cora Coordinator"
    # The message page itself refuses, and says why, to anyone who types its address.
    page = b.visit(f"/c/riverside/members/{edna.pk}/message/", status=403)
    assert "Edna Elder does not use messages here." in page.content()
    assert page.get_by_role("textbox").count() == 0
