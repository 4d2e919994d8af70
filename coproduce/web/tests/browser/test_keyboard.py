"""Keyboard only: the skip link comes first and the apply form can be completed without a mouse."""

import pytest

from coproduce.members.models import Application
from coproduce.web.tests.browser.conftest import force_login, tab_to

pytestmark = pytest.mark.browser


def test_skip_link_is_first_and_moves_focus_to_main(browser, riverside):
    page = browser.visit("/c/riverside/")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.textContent.trim()]")
    assert focused == ["govuk-skip-link", "Skip to main content"]
    assert page.locator(".govuk-skip-link").bounding_box()["x"] >= 0  # it shows when focused
    browser.check()  # and is still fine with the skip link showing
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_apply_form_with_the_keyboard_alone(browser, riverside, outsider):
    force_login(browser, outsider)
    page = browser.visit("/c/riverside/apply/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # skip link
    assert page.evaluate("document.activeElement.id") == "main"
    tab_to(page, "#id_offers")
    page.keyboard.type("I can fix bicycles")
    tab_to(page, "#id_area")
    page.keyboard.press("ArrowDown")  # first real area after "Choose your area"
    assert page.locator("#id_area").input_value() != ""
    tab_to(page, "#id_heard_from")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    assert page.locator("#id_consent").is_checked()
    # The focused field shows a visible focus ring: GOV.UK draws a checkbox's on its label's box.
    ring = page.evaluate("getComputedStyle(document.activeElement.labels[0], '::before').boxShadow")
    assert "0px 0px 0px 3px" in ring, ring
    tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    browser.check()
    assert browser.path == "/me/"
    application = Application.objects.get(user=outsider)
    assert application.offers == "I can fix bicycles"
    assert application.area is not None
