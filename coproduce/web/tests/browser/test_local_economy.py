"""The LM3 pages in the browser: the guided survey filled in by a venue's staff (no JavaScript
needed for more rows), the figure with its leaks chart and method, and the community's figure;
axe-clean at 320 and 1,280 px."""

import pytest

from coproduce.partners import services as partners
from coproduce.partners.tests.fixtures import _staff
from coproduce.web.tests.browser.conftest import force_login

pytestmark = pytest.mark.browser


def test_a_venue_works_out_its_lm3(new_browser, riverside, coordinator):
    cafe = partners.save_organisation(community=riverside, actor=coordinator, name="Corner Café", type="cafe")
    rosa = _staff("rosa@example.org", "Rosa Lima", riverside, coordinator, cafe)
    b = new_browser(java_script_enabled=False)
    force_login(b, rosa)
    page = b.visit(f"/c/riverside/partners/{cafe.pk}/")
    page.get_by_role("link", name="How much of your money stays in the area (LM3)").click()
    b.check()
    page.get_by_role("link", name="Add a period").click()
    b.check()
    page.get_by_label("From").fill("2026-01-01")
    page.get_by_label("To", exact=True).fill("2026-12-31")
    page.get_by_label("Round 1: all your income in the period (£)").fill("10000")
    rows = page.locator("fieldset.lm3-line")
    rows.nth(0).get_by_label("Paid to").fill("Baker's Dozen")
    rows.nth(0).get_by_label("Round 2: amount in the period (£)").fill("2000")
    rows.nth(0).get_by_label("They are in the area (staff: they live in it)").check()
    rows.nth(0).get_by_label("Round 3: share they spend in the area (%)").fill("50")
    rows.nth(1).get_by_label("Paid to").fill("National Foods")
    rows.nth(1).get_by_label("Round 2: amount in the period (£)").fill("1500")
    page.get_by_role("button", name="Add more rows").click()
    b.check()
    assert page.locator("fieldset.lm3-line").count() == 10
    assert page.locator("fieldset.lm3-line").nth(0).get_by_label("Paid to").input_value() == "Baker's Dozen"
    page.get_by_role("button", name="Save and see the LM3").click()
    b.check()
    assert page.locator("#lm3").inner_text() == "LM3: 1.30"
    assert "National Foods" in page.locator("#lines").inner_text()

    cora = new_browser()
    force_login(cora, coordinator)
    page = cora.visit("/c/riverside/partners/")
    page.get_by_role("link", name="How much money stays in the area (LM3 across organisations)").click()
    cora.check()
    assert page.locator("#withheld").is_visible()  # one organisation: fewer than k
