"""The whole loop at a venue's counter, on phone-sized screens: a member gets a code, the venue's
staff look it up and confirm it, and both see the line on their statements. Every page axe-clean."""

import re

import pytest

from coproduce.partners import services as partners
from coproduce.partners.tests.fixtures import _staff
from coproduce.web.tests.browser.conftest import force_login

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def pool(riverside, coordinator):
    return partners.save_organisation(community=riverside, actor=coordinator, name="Riverside Pool", type="leisure")


def test_a_member_spends_credits_at_the_counter(new_browser, riverside, coordinator, member, pool):
    partners.save_listing(pool, actor=coordinator, title="A swim", description="Any session.", minutes=60,
                          per_member_per_month=2)
    pat = _staff("pat@example.org", "Pat Pool", riverside, coordinator, pool)

    alice = new_browser(viewport=PHONE)
    force_login(alice, member)
    page = alice.visit("/c/riverside/ledger/")
    page.get_by_role("link", name="Where to spend your credits").click()
    alice.check()
    assert "2 per member a month" in page.locator("#rewards").inner_text()
    page.get_by_role("button", name="Get a code for A swim").click()
    alice.check()
    code = page.locator("#code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{6}", code)
    assert page.get_by_role("img", name=f"QR code for code {code}").is_visible()

    till = new_browser(viewport=PHONE)
    force_login(till, pat)
    page = till.visit(f"/c/riverside/partners/{pool.pk}/")
    page.get_by_role("link", name="Open the counter").click()
    till.check()
    page.get_by_label("The member's code").fill(code.lower())
    page.get_by_role("button", name="Look it up").click()
    till.check()
    assert "Alice Ashby" in page.locator("dl").first.inner_text()
    page.get_by_role("button", name="Confirm").click()
    till.check()
    assert "A swim for Alice Ashby: 1 hour from their credits." in page.locator("#done").inner_text()
    page = till.visit(f"/c/riverside/partners/{pool.pk}/")
    assert "A swim" in page.get_by_role("region", name=re.compile("Latest movements")).inner_text()
    page.get_by_role("link", name="Pass credits on to the community pot").click()
    till.check()
    page.get_by_label("How much to pass on").fill("0:30")
    page.get_by_role("button", name="Pass them on").click()
    till.check()
    assert "the credits are in the community pot" in page.content()
    page.get_by_role("link", name="Record time you gave the community").click()
    till.check()
    page.get_by_label("What your organisation gave").fill("The pool's meeting room for the carers' circle")
    page.get_by_label("How long").fill("2:00")
    page.get_by_role("button", name="Send it for approval").click()
    till.check()
    assert "a coordinator will approve it" in page.content()
    page = till.visit(f"/c/riverside/partners/{pool.pk}/counter/recent/")
    page.get_by_role("button", name="Alice Ashby came back paying").click()
    till.check()
    assert "Alice Ashby came back paying" not in page.content()

    cora = new_browser()
    force_login(cora, coordinator)
    page = cora.visit("/c/riverside/spend/")
    page.get_by_role("link", name="The marketplace's figures").click()
    cora.check()
    assert "Riverside Pool" in page.locator("#by-venue").inner_text()

    page = alice.visit(f"/c/riverside/spend/codes/{code}/")
    assert "Used at" in page.locator("#code-used").inner_text()
    page.get_by_role("link", name="See it on your statement").click()
    alice.check()
    assert "A swim" in page.locator("#statement").inner_text()
    page = alice.visit("/c/riverside/spend/card/")
    page.get_by_label("Choose a PIN").fill("2468")
    page.get_by_role("button", name="Set the PIN").click()
    alice.check()
    assert "Your PIN is set" in page.content()


def test_a_business_joins_and_lists_a_reward_from_a_phone(new_browser, riverside, coordinator, member):
    owner = new_browser(viewport=PHONE)
    force_login(owner, member)
    page = owner.visit("/c/riverside/spend/")
    page.get_by_role("link", name="Join as a venue").click()
    owner.check()
    page.get_by_label("The business's name").fill("Corner Café")
    page.get_by_label("Café or restaurant").check()
    page.get_by_role("button", name="Ask to join").click()
    owner.check()

    cora = new_browser()
    force_login(cora, coordinator)
    page = cora.visit("/c/riverside/spend/join/requests/")
    page.get_by_role("button", name="Approve Corner Café").click()
    cora.check()

    page = owner.visit("/c/riverside/spend/join/")
    page.get_by_role("link", name="Your venue's page").click()
    owner.check()
    page.get_by_role("link", name="List something to spend credits on").click()
    owner.check()
    page.get_by_label("What members can have").fill("Tea and a slice of cake")
    page.get_by_label("Price").fill("0:30")
    page.get_by_label("How many a day at most?").fill("10")
    page.get_by_label("Saturday").check()
    page.get_by_role("button", name="List it").click()
    owner.check()
    page.get_by_role("link", name="Where you are and when you are open").click()
    owner.check()
    page.get_by_label("Address").fill("2 High Street")
    page.get_by_label("Postcode").fill("rs1 2cc")
    page.get_by_label("Saturday: opens").fill("08:00")
    page.get_by_label("Saturday: closes").fill("16:00")
    page.get_by_role("button", name="Save").click()
    owner.check()
    assert "the map show where and when you are open" in page.content()
    page.get_by_role("link", name="See your entry in the directory").click()
    owner.check()
    assert "RS1 2CC" in page.content() and "Tea and a slice of cake" not in page.content()
    page = owner.visit("/c/riverside/spend/join/")
    page.get_by_role("link", name="Your venue's page").click()
    page.get_by_role("link", name="Open the counter").click()
    owner.check()
    assert "Tea and a slice of cake" in page.get_by_label("What for").inner_text()
