"""Responsive down to 320 px: no sideways scrolling on the pages people use most."""

import pytest

from coproduce.web.tests.browser.conftest import force_login

pytestmark = pytest.mark.browser


def assert_no_horizontal_scroll(page):
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= 320, f"{page.url} is {widths[0]} px wide at a 320 px window"


def test_pages_fit_a_320px_screen(new_browser, riverside, member, outsider):
    phone = new_browser(viewport={"width": 320, "height": 640})
    for path in ("/", "/c/riverside/", "/accounts/login/", "/accounts/signup/"):
        assert_no_horizontal_scroll(phone.visit(path))

    force_login(phone, member)
    assert_no_horizontal_scroll(phone.visit("/c/riverside/members/"))
    assert_no_horizontal_scroll(phone.visit("/c/riverside/profile/"))

    applicant = new_browser(viewport={"width": 320, "height": 640})
    force_login(applicant, outsider)
    page = applicant.visit("/c/riverside/apply/")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Send my application").click()  # with error messages showing
    applicant.check()
    assert_no_horizontal_scroll(page)
    page.screenshot(path="/tmp/coproduce-apply-320.png", full_page=True)
