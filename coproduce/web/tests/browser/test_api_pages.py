"""The API's pages in the browser: a member makes a token on a phone (shown once, copied, then
revoked) and reads the API's reference, drawn from the same schema as the clients use.
Axe-clean, no sideways scrolling at 320 and 1,280 px."""

import pytest

from coproduce.web.tests.browser.conftest import force_login

pytestmark = pytest.mark.browser


def test_a_member_makes_and_revokes_a_token(new_browser, member):
    b = new_browser(viewport={"width": 360, "height": 740})
    force_login(b, member)
    page = b.visit("/me/")
    page.get_by_role("link", name="Access tokens for apps (the API)").click()
    b.check()
    page.get_by_label("What will use it").fill("my phone")
    page.get_by_label("Record, confirm and decline exchanges").check()
    page.get_by_label("30 days").check()
    page.get_by_role("button", name="Make the token").click()
    b.check()
    token = page.locator("#new-token code").inner_text()
    assert token.startswith("cpat_")
    page.get_by_role("button", name="Revoke my phone").click()
    b.check()
    assert "Revoked: my phone no longer works." in page.content() and token not in page.content()


def test_the_api_reference_lists_every_operation_and_shape(new_browser):
    b = new_browser(java_script_enabled=False)  # a plain page: nothing on it needs JavaScript
    page = b.visit("/api/v1/docs/")
    page.get_by_role("link", name="GET /api/v1/communities/{slug}/statement").click()
    b.check()
    section = page.get_by_role("region", name="GET /api/v1/communities/{slug}/statement")
    assert "page_size" in section.inner_text() and "429" in section.inner_text()
    assert "balance_after" in page.get_by_role("region", name="StatementLine", exact=True).inner_text()
