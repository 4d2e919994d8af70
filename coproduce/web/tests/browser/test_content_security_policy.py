"""The Content-Security-Policy as the browser applies it: no page, htmx included, breaks a rule.

Chromium reports every blocked script, style or image twice: as a `securitypolicyviolation`
event in the page and as a console error. The test listens to both and fails on either.
"""

import re

import pytest
from playwright.sync_api import expect

from coproduce.members.models import Membership
from coproduce.web.tests.browser.conftest import force_login

pytestmark = pytest.mark.browser

# Runs before any script of each page (Playwright adds it through the DevTools protocol, which
# the policy does not govern).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline code"}`
                              + ` (${event.sourceFile || "the page"}:${event.lineNumber})`);
});
"""


class PolicyWatch:
    def __init__(self, b):
        self.b = b
        self.console: list[str] = []
        b.context.add_init_script(LISTEN)
        b.page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def open(self, path: str, *, status: int = 200):
        response = self.b.page.goto(self.b.base_url + path)
        assert response is not None and response.status == status, (
            path,
            response and response.status,
        )
        assert "default-src 'self'" in (response.headers.get("content-security-policy") or ""), path
        self.assert_clean(path)
        return self.b.page

    def assert_clean(self, where: str):
        self.b.page.wait_for_load_state()
        violations = self.b.page.evaluate("window.__cspViolations || []") + self.console
        assert not violations, f"Content-Security-Policy violations on {where}:\n" + "\n".join(
            violations
        )


def test_the_policy_must_catch_a_violation(new_browser, riverside):
    """The watch itself: an inline style, as an injected page would add, is reported."""
    watch = PolicyWatch(new_browser())
    page = watch.open("/c/riverside/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_timeout(200)
    with pytest.raises(AssertionError, match="style-src"):
        watch.assert_clean("/c/riverside/")


def test_pages_break_no_rule(
    new_browser, riverside, hilltop, member, second_member, coordinator, site_admin, monkeypatch
):
    # Past this many members the record page asks the lookup endpoint through htmx as you type.
    monkeypatch.setattr("coproduce.members.fields.INLINE_SUGGESTIONS_UP_TO", 1)

    visitor = PolicyWatch(new_browser())
    for path in [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/c/riverside/",
        "/c/riverside/figures/",
    ]:
        visitor.open(path)
    visitor.open("/no-such-page/", status=404)

    alice = new_browser()
    member_watch = PolicyWatch(alice)
    force_login(alice, member)
    for path in [
        "/me/",
        "/c/riverside/members/",
        "/c/riverside/market/",
        "/c/riverside/ledger/timesheet/",
        "/c/riverside/wellbeing/paper/",
        "/accounts/2fa/totp/activate/",
    ]:
        member_watch.open(path)
    page = member_watch.open("/c/riverside/ledger/record/")
    bob = Membership.objects.get(user=second_member)
    with page.expect_response(re.compile(r"/members/lookup/")) as lookup:
        page.get_by_label("The other member").press_sequentially("Bo", delay=50)
    assert lookup.value.status == 200
    page.wait_for_function(
        "label => [...document.querySelectorAll('datalist option')].some(o => o.value === label)",
        arg=f"Bob Brown (#{bob.pk})",
    )
    member_watch.assert_clean("the member lookup")
    member_watch.open("/c/hilltop/members/", status=403)

    cora = new_browser()
    coordinator_watch = PolicyWatch(cora)
    force_login(cora, coordinator)
    for path in [
        "/c/riverside/coordinate/",
        "/c/riverside/insights/",
        "/c/riverside/insights/value/",
        "/c/riverside/insights/network/",
    ]:
        coordinator_watch.open(path)

    ada = new_browser()
    admin_watch = PolicyWatch(ada)
    force_login(ada, site_admin)
    for path in [
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{member.pk}/change/",
        "/admin/communities/community/add/",
    ]:
        admin_watch.open(path)


def test_the_directory_map_breaks_no_rule(new_browser, member, riverside, coordinator):
    """Leaflet and its cluster plugin style the map through the DOM, never with inline markup."""
    from decimal import Decimal

    from coproduce.assets import services
    from coproduce.assets.services import PlaceData
    from coproduce.assets.sync import organisation_for_community

    for n in range(3):
        services.save_service(
            organisation=organisation_for_community(riverside), actor=coordinator, name=f"Place {n}",
            places=[PlaceData(name=f"Hall {n}", latitude=Decimal("51.5"), longitude=Decimal("-0.12") + n)],
        )
    b = new_browser()
    watch = PolicyWatch(b)
    force_login(b, member)
    page = watch.open("/c/riverside/directory/")
    expect(page.locator("#directory-map-status")).not_to_be_empty()
    page.locator("#directory-map .marker-cluster, #directory-map .leaflet-marker-icon").first.click()
    watch.assert_clean("the directory map")
