"""Every core flow works without JavaScript: applying and approving are plain form posts."""

import re

import pytest

from coproduce import testing
from coproduce.members.models import Application, Membership
from coproduce.web.tests.browser.conftest import login, logout

pytestmark = pytest.mark.browser


def test_apply_and_approve_without_javascript(new_browser, riverside, coordinator, outsider):
    applicant = new_browser(java_script_enabled=False)
    assert applicant.page.evaluate("1") == 1  # Playwright can still look; the page's scripts can't run
    login(applicant, outsider.email, testing.PASSWORD)
    page = applicant.visit("/c/riverside/apply/")
    page.get_by_role("button", name="Send my application").click()  # nothing filled in
    applicant.check()
    assert "Please agree to the privacy notice" in page.content()
    assert not Application.objects.exists()
    page.get_by_label("What could you offer other people?").fill("Lifts to the shops")
    page.get_by_label("Area where you live").select_option(label="Riverside North")
    page.get_by_label(re.compile("I have read the privacy notice")).check()
    page.get_by_role("button", name="Send my application").click()
    applicant.check()
    assert applicant.path == "/me/"
    application = Application.objects.get(user=outsider)
    logout(applicant)

    coord = new_browser(java_script_enabled=False)
    login(coord, coordinator.email, testing.PASSWORD, totp=True)
    page = coord.visit(f"/c/riverside/coordinate/applications/{application.pk}/")
    page.get_by_role("button", name="Approve").click()
    coord.check()
    assert coord.path == "/c/riverside/coordinate/"
    assert Membership.objects.filter(user=outsider, community=riverside, status="active").exists()
