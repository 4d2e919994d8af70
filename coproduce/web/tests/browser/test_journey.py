"""Issue 2, point 15: apply → coordinator approves (with 2FA) → new member logs in → edits
profile → appears in the directory. axe-core checks every page on the way."""

import re

import pytest
from django.core import mail

from coproduce import testing
from coproduce.members.models import Application, Membership
from coproduce.web.tests.browser.conftest import login, logout

pytestmark = pytest.mark.browser

NEWCOMER = "dora@example.org"


def test_newcomer_applies_coordinator_approves_member_appears_in_directory(new_browser, riverside, coordinator):
    # A newcomer finds the time bank from the front page.
    newcomer = new_browser()
    page = newcomer.visit("/")
    page.get_by_role("link", name="Riverside Time Bank").first.click()
    newcomer.check()
    assert newcomer.path == "/c/riverside/"
    page.get_by_role("link", name="Sign up").click()
    newcomer.check()

    # Sign up, then verify the e-mail address from the link in the message.
    assert newcomer.path.startswith("/accounts/signup/")
    page.get_by_label("Your name").fill("Dora Newcomer")
    page.get_by_label("E-mail").fill(NEWCOMER)
    page.get_by_label(re.compile(r"^Password:?$")).fill(testing.PASSWORD)
    page.get_by_label(re.compile(r"Password \(again\)")).fill(testing.PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    newcomer.check()
    assert newcomer.path.startswith("/accounts/confirm-email/"), newcomer.path  # "verification sent"
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    newcomer.visit(re.sub(r"^https?://[^/]+", "", link))
    page.get_by_role("button", name="Confirm").click()
    newcomer.check()

    # Apply to riverside.
    page = newcomer.visit("/c/riverside/apply/")
    page.get_by_label("What could you offer other people?").fill("Gardening, and I like a chat.")
    page.get_by_label("What would you like help with? (optional)").fill("Changing light bulbs")
    page.get_by_label("Area where you live").select_option(label="Riverside South")
    page.get_by_label("How did you hear about us?").select_option(index=1)
    page.get_by_label(re.compile("I have read the privacy notice")).check()
    page.get_by_role("button", name="Send my application").click()
    newcomer.check()
    assert "A coordinator will contact you soon" in page.content()
    application = Application.objects.get(user__email=NEWCOMER)
    assert application.status == "pending"
    logout(newcomer)

    # The coordinator logs in with password and authenticator code.
    coord = new_browser()
    login(coord, coordinator.email, testing.PASSWORD, totp=True)
    page = coord.visit("/c/riverside/coordinate/")
    page.locator("#applications").get_by_role("link", name="Dora Newcomer").click()
    coord.check()
    assert coord.path == f"/c/riverside/coordinate/applications/{application.pk}/"
    page.get_by_label(re.compile("Interview notes")).fill("Met at the library. Keen gardener.")
    page.get_by_role("button", name="Save notes").click()
    coord.check()
    assert "Notes saved" in page.content()
    page.get_by_role("button", name="Approve").click()
    coord.check()
    assert coord.path == "/c/riverside/coordinate/"
    assert "Dora Newcomer is now a member" in page.content()
    application.refresh_from_db()
    assert application.status == "approved"
    assert application.interview_notes == "Met at the library. Keen gardener."
    logout(coord)

    # The new member logs in and fills in their profile.
    member = new_browser()
    login(member, NEWCOMER, testing.PASSWORD)
    member.visit("/c/riverside/")
    page = member.visit("/c/riverside/profile/")
    page.get_by_label("About me").fill("Retired teacher who loves roses.")
    offers = page.get_by_role("group", name=re.compile("What I can offer"))
    offers.get_by_label("Gardening").check()
    page.get_by_role("group", name=re.compile("When I'm usually free")).get_by_label("Tuesday morning").check()
    page.get_by_role("button", name="Save profile").click()
    member.check()
    assert "Profile saved" in page.content()
    assert "Retired teacher who loves roses." in page.content()

    # ...and appears in the directory, with the skill.
    page = member.visit("/c/riverside/members/")
    card = page.locator("#directory li").filter(has_text="Dora Newcomer")
    assert card.count() == 1
    assert "Gardening" in card.inner_text()
    membership = Membership.objects.get(user__email=NEWCOMER, community=riverside)
    assert list(membership.skills.values_list("name", flat=True)) == ["Gardening"]
