"""Every role's main pages, on a 320 px phone and a 1280 px desktop: nothing scrolls sideways
(wide tables scroll inside their own region) and axe finds no violation.

The data is the demo's (seed_demo), so each page shows what a real community would: long
names, full tables, charts. The same walk takes the README's screenshots: with
``COPRODUCE_SCREENSHOTS=<folder>`` set (``make screenshots``), the pages named in ``SCREENSHOTS``
are saved there as the test passes them, so the pictures show exactly what the tests checked.
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from coproduce.demo.logins import DEMO_LOGINS, DEMO_SLUG
from coproduce.web.tests.browser.conftest import force_login, overflow_at

pytestmark = pytest.mark.browser

WIDTHS = (320, 1280)

# (role, page, width) -> file name under docs/screenshots/, each shown in the README.
SCREENSHOTS = {
    ("member", "/home/", 1280): "member-home.png",
    ("member", "/home/", 320): "member-home-phone.png",
    ("member", "market", 1280): "member-offers-and-requests.png",
    ("member", "ledger", 1280): "member-statement.png",
    ("partner staff", "/home/", 1280): "partner-staff-home.png",
    ("facilitator", "/home/", 1280): "facilitator-home.png",
    ("coordinator", "/home/", 1280): "coordinator-home.png",
    ("coordinator", "insights", 1280): "coordinator-figures.png",
    ("public", "figures", 1280): "public-figures.png",
}


def _screenshot(page, role: str, path: str, width: int) -> None:
    folder = os.environ.get("COPRODUCE_SCREENSHOTS")
    key = path if path.startswith("/home/") else path.rstrip("/").rsplit("/", 1)[-1]
    name = SCREENSHOTS.get((role, key, width))
    if folder and name:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=False)


def assert_fits(page, width: int) -> None:
    failures = overflow_at(page, (width,))
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


@pytest.fixture
def demo(db, live_server):
    from coproduce.demo.seed import seed_demo

    # Enough members for the demo's partners, groups, sessions and opportunities.
    return seed_demo(members=45, months=3, seed=1, exchanges=100).community


def _paths(community):
    from coproduce.groups.models import Session
    from coproduce.market.models import Post
    from coproduce.partners.models import Opportunity

    c = f"/c/{community.slug}"
    post = Post.objects.filter(community=community).order_by("pk").first()
    # A session of the group the demo's facilitator runs (a member of no group may not see it).
    session = (Session.objects.filter(group__community=community,
                                      group__members__membership__user__email=DEMO_LOGINS["facilitator"])
               .order_by("pk").first())
    opportunity = Opportunity.objects.filter(organisation__community=community).order_by("pk").first()
    return {
        "post": f"{c}/market/{post.pk}/" if post else None,
        "session": f"{c}/sessions/{session.pk}/" if session else None,
        "opportunity": f"{c}/opportunities/{opportunity.pk}/" if opportunity else None,
    }


def _visit_all(new_browser, user, paths, *, width, role):
    b = new_browser(viewport={"width": width, "height": 800})
    if user is not None:
        force_login(b, user)
    for path in paths:
        if path:
            page = b.visit(path)  # axe, and no sideways scrolling at 320 and 1,280 px
            _screenshot(page, role, path, width)
    return b


@pytest.mark.parametrize("width", WIDTHS)
def test_every_role_main_pages_fit_and_pass_axe(new_browser, demo, width):
    users = get_user_model().objects
    c = f"/c/{DEMO_SLUG}"
    found = _paths(demo)
    assert all(found.values()), found

    _visit_all(new_browser, None, ["/", f"{c}/", f"{c}/figures/", "/accounts/login/", "/accounts/signup/"],
               width=width, role="public")
    member = users.get(email=DEMO_LOGINS["member"])
    _visit_all(new_browser, member, [
        "/home/", f"/home/{DEMO_SLUG}/matching/", f"{c}/", f"{c}/market/", found["post"], f"{c}/ledger/",
        f"{c}/messages/", f"{c}/groups/",
        f"{c}/partners/", found["opportunity"], f"{c}/referrals/", "/me/",
        "/accounts/email/", "/accounts/password/change/", f"{c}/figures/"], width=width, role="member")
    staff = users.get(email=DEMO_LOGINS["partner staff"])
    _visit_all(new_browser, staff, [
        "/home/", f"{c}/partners/", found["opportunity"], f"{c}/referrals/", f"{c}/referrals/new/"], width=width,
               role="partner staff")
    facilitator = users.get(email=DEMO_LOGINS["facilitator"])
    _visit_all(new_browser, facilitator, ["/home/", f"{c}/groups/", found["session"]], width=width,
               role="facilitator")
    coordinator = users.get(email=DEMO_LOGINS["coordinator"])
    _visit_all(new_browser, coordinator, [
        "/home/", f"{c}/coordinate/", f"{c}/coordinate/settings/", f"{c}/coordinate/ledger/", f"{c}/insights/",
        f"{c}/ledger/pot/", f"{c}/market/", found["post"], found["session"], f"{c}/members/"], width=width,
               role="coordinator")


def test_the_phone_menu_folds_and_opens_without_javascript(new_browser, demo):
    b = new_browser(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    force_login(b, get_user_model().objects.get(email=DEMO_LOGINS["member"]))
    page = b.visit(f"/c/{DEMO_SLUG}/market/")
    menu = page.get_by_role("link", name="Offers and requests", exact=True)
    assert not menu.is_visible()  # folded away on a phone
    page.locator("summary.app-nav__toggle").click()
    assert menu.is_visible()
    assert menu.get_attribute("aria-current") == "page"
    assert_fits(page, 320)

    desktop = new_browser(viewport={"width": 1280, "height": 800}, java_script_enabled=False)
    force_login(desktop, get_user_model().objects.get(email=DEMO_LOGINS["member"]))
    page = desktop.visit(f"/c/{DEMO_SLUG}/market/")
    assert page.get_by_role("link", name="Offers and requests", exact=True).is_visible()  # no menu button on a wide screen
    assert not page.locator("summary.app-nav__toggle").is_visible()
