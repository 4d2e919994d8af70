"""Measurement pages in the browser: the public figures draw their charts on the server and every
insights page passes axe-core, for the public and for coordinators."""

import pytest

from coproduce.insights.tests.test_public_releases import spring  # noqa: F401 (a pytest fixture)
from coproduce.insights.tests.test_published_figures_regressions import busy  # noqa: F401 (a pytest fixture)
from coproduce.insights.tests.test_release_audit import LATER
from coproduce.web.tests.browser.conftest import force_login

pytestmark = pytest.mark.browser


def test_public_figures_render_charts_without_axe_violations(new_browser, riverside, spring, busy):  # noqa: F811
    b = new_browser()
    page = b.visit("/c/riverside/figures/?quarter=2025-04-01")
    charts = page.locator("svg[role=img]")
    assert charts.count() == 2
    assert page.locator("svg[role=img] title").first.text_content() == "Exchanges per month"
    assert page.get_by_role("cell", name="fewer than 5").count() >= 1
    # Choosing a quarter with the form works without JavaScript-only widgets.
    page.get_by_role("combobox", name="Quarter").select_option("2025-04-01")
    page.get_by_role("button", name="Show").click()
    b.check()
    b.visit("/c/riverside/figures/network/?quarter=2025-04-01")
    assert b.page.locator("circle.dot").count() == 0  # its ties are hidden: so is the picture (issue 11)
    b.visit(f"/c/riverside/figures/network/?quarter={LATER.isoformat()}")
    assert b.page.locator("circle.dot").count() == 12
    b.visit("/c/riverside/figures/?quarter=junk", status=400)
    b.visit("/c/riverside/figures/?quarter=2025-04-01&version=9", status=404)


def test_coordinator_insights_pages_pass_axe(new_browser, riverside, coordinator, spring):  # noqa: F811
    b = new_browser()
    force_login(b, coordinator)
    base = "/c/riverside/insights"
    b.visit("/c/riverside/figures/?quarter=2025-04-01")  # released: the coordinator's pages list it
    for path in ("/", "/?start=2025-04&end=2025-06", "/value/?start=2025-04&end=2025-06",
                 "/network/?start=2025-04-01&end=2025-06-30", "/outreach/", "/areas/", "/indicators/",
                 "/valuation-rates/", "/co-production/", "/releases/", "/releases/2025-04-01/correct/"):
        b.visit(base + path)
    b.page.get_by_role("button", name="Publish the correction").click()  # no reason: the error, labelled
    b.check()
    b.visit(base + "/?start=2025-06&end=2025-04", status=400)  # the error message, labelled
    b.visit("/c/riverside/coordinate/wellbeing/")
