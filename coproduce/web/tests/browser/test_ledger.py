"""Ledger journeys in a real browser, with axe-core on every page.

They live here, beside the shared Playwright fixtures: importing those fixtures into
another test package would start a second Playwright in the same session, which fails.
"""

import pytest

from coproduce.ledger.models import Transfer, TransferStatus
from coproduce.members.models import Membership
from coproduce.web.tests.browser.conftest import force_login

pytestmark = pytest.mark.browser


@pytest.fixture
def alice(member, riverside):
    return Membership.objects.select_related("user").get(user=member, community=riverside)


@pytest.fixture
def bob(second_member, riverside):
    return Membership.objects.select_related("user").get(user=second_member, community=riverside)


def test_record_confirm_both_statements_show_it(new_browser, alice, bob):
    giver = new_browser()
    force_login(giver, alice.user)
    page = giver.visit("/c/riverside/ledger/record/")
    page.get_by_label("I helped them").check()
    page.get_by_label("The other member").fill("Bob Brown")
    page.get_by_label("How long").fill("1:30")
    page.get_by_label("What it was").fill("Fixed the garden gate")
    page.get_by_role("button", name="Record").click()
    giver.check()
    assert "Waiting for confirmation" in page.content()
    assert Transfer.objects.get().status == TransferStatus.PENDING

    receiver = new_browser()
    force_login(receiver, bob.user)
    page = receiver.visit("/c/riverside/ledger/pending/")
    assert "Fixed the garden gate" in page.content()
    page.get_by_role("button", name="Confirm").click()
    receiver.check()
    page = receiver.visit("/c/riverside/ledger/")
    assert "−1 hour 30 minutes" in page.locator("#balance").inner_text()
    assert "Fixed the garden gate" in page.locator("#statement").inner_text()
    page = giver.visit("/c/riverside/ledger/")
    assert "1 hour 30 minutes" in page.locator("#balance").inner_text()
    assert "Fixed the garden gate" in page.locator("#statement").inner_text()


def test_bulk_entry_with_one_bad_row_posts_nothing(new_browser, coordinator, alice, bob):
    coord = new_browser(java_script_enabled=False)
    force_login(coord, coordinator)
    page = coord.visit("/c/riverside/coordinate/ledger/bulk/")
    page.get_by_label("Giver, row 1", exact=True).fill("Alice Ashby")
    page.get_by_label("Receiver, row 1", exact=True).fill("Bob Brown")
    page.get_by_label("How long, row 1", exact=True).fill("1 hour")
    page.get_by_label("Date, row 1", exact=True).fill("2020-01-01")
    page.get_by_label("Giver, row 2", exact=True).fill("Bob Brown")
    page.get_by_label("Receiver, row 2", exact=True).fill("Bob Brown")
    page.get_by_label("How long, row 2", exact=True).fill("30 min")
    page.get_by_label("Date, row 2", exact=True).fill("2020-01-02")
    page.get_by_role("button", name="Post all rows").click()
    coord.check()
    assert not Transfer.objects.exists()
    row = page.locator("#rows tbody tr").nth(1)
    assert "must be different" in row.inner_text()
    assert "Nothing was posted" in page.content()


def test_every_ledger_page_passes_axe(new_browser, coordinator, alice, bob, riverside):
    from django.utils import timezone

    from coproduce.ledger import services

    transfer = services.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=60,
                                        performed_on=timezone.localdate(), keyed_by=bob.user,
                                        idempotency_key="axe")
    coord = new_browser()
    force_login(coord, coordinator)
    for path in ["ledger/", "ledger/pending/", "ledger/record/", "ledger/give/", "ledger/pot/",
                 "ledger/timesheet/", f"ledger/transfers/{transfer.pk}/", "coordinate/ledger/",
                 "coordinate/ledger/record/", "coordinate/ledger/grant/", "coordinate/ledger/bulk/",
                 f"coordinate/ledger/limits/{alice.pk}/"]:
        coord.visit(f"/c/riverside/{path}")
