"""In a real browser, with axe on every page: "Everyone came" on an opportunity with an expected
time, the plain-words confirmation after recording an exchange, the paper timesheet and its
typing-in page with category and description, and the detail pages now in summary lists."""

import re

import pytest
from django.utils import timezone

from coproduce.communities.models import Category
from coproduce.ledger import services as ledger
from coproduce.ledger.models import Transfer, TransferStatus
from coproduce.market.services import create_post
from coproduce.members.models import Application
from coproduce.partners import services as partners
from coproduce.partners.tests.fixtures import alice, bob, staff, surgery  # noqa: F401 (pytest fixtures)
from coproduce.referrals import services as referrals
from coproduce.web.tests.browser.conftest import force_login

pytestmark = pytest.mark.browser


def test_everyone_came_credits_the_expected_time_once(new_browser, riverside, surgery, staff, alice,  # noqa: F811
                                                      bob):  # noqa: F811
    worker = new_browser()
    force_login(worker, staff)
    page = worker.visit(f"/c/riverside/partners/{surgery.pk}/opportunities/new/")
    page.get_by_label("Title").fill("Garden day")
    page.locator("#id_starts_on").fill(timezone.localdate().isoformat())
    page.get_by_label("People needed").fill("4")
    page.get_by_label("Expected time for each person").fill("1:30")
    page.get_by_role("button", name="Post opportunity").click()
    worker.check()
    assert page.locator("#expected-time").inner_text() == "1 hour 30 minutes each"
    opportunity_path = worker.path
    opportunity = partners.Opportunity.objects.get()
    for person in (alice, bob):
        partners.sign_up(opportunity, membership=person, actor=person.user)
    partners.confirm_attendance(opportunity, actor=staff, attended=[(bob, 60)],
                                performed_on=timezone.localdate(), idempotency_key=ledger.new_key())

    page = worker.visit(opportunity_path)
    page.get_by_role("link", name="Confirm who came").click()
    worker.check()
    assert page.get_by_label("Alice Ashby").input_value() == "1 hour 30 minutes"  # the default, one by one
    assert "Bob Brown" in page.locator("#already-credited").inner_text()
    page.get_by_role("button", name="Everyone came: credit the expected time").click()
    worker.check()
    banners = page.locator(".govuk-notification-banner").all_inner_texts()
    assert any("1 person credited 1 hour 30 minutes: Alice Ashby" in text for text in banners)
    assert any("Bob Brown: already credited 1 hour" in text for text in banners)
    assert ledger.account_for_membership(alice).balance == 90
    assert ledger.account_for_membership(bob).balance == 60

    page.go_back()  # the same form again: nobody is credited twice
    page.get_by_role("button", name="Everyone came: credit the expected time").click()
    worker.check()
    assert "This was already recorded" in page.content()
    assert ledger.account_for_membership(alice).balance == 90
    assert Transfer.objects.count() == 2
    page = worker.visit(opportunity_path.rstrip("/") + "/attendance/")
    assert "Everyone who signed up has been credited" in page.content()


def test_after_recording_a_member_reads_what_happens_next(new_browser, riverside, alice, bob):  # noqa: F811
    giver = new_browser()
    force_login(giver, alice.user)
    page = giver.visit("/c/riverside/ledger/record/")
    page.get_by_label("I helped them").check()
    page.get_by_label("The other member").fill("Bob Brown")
    page.get_by_label("How long").fill("1:30")
    page.get_by_label("What it was").fill("Fixed the garden gate")
    page.get_by_role("button", name="Record").click()
    giver.check()
    assert "/recorded/" in giver.path
    assert page.locator("#recorded-what").inner_text().startswith(
        "You recorded 1 hour 30 minutes of help you gave Bob Brown on")
    assert "We have asked Bob Brown to confirm it" in page.locator("#recorded-state").inner_text()
    page.get_by_role("link", name="See your statement").click()
    giver.check()
    page = giver.visit(giver.path)
    transfer = Transfer.objects.get()
    assert transfer.status == TransferStatus.PENDING
    page = giver.visit(f"/c/riverside/ledger/transfers/{transfer.pk}/recorded/")
    page.get_by_role("link", name="Record another exchange").click()
    giver.check()
    assert giver.path == "/c/riverside/ledger/record/"


def test_timesheet_and_typing_it_in(new_browser, riverside, coordinator, alice, bob):  # noqa: F811
    category = Category.objects.filter(community=riverside, retired=False).order_by("name").first()
    office = new_browser()
    force_login(office, coordinator)
    page = office.visit("/c/riverside/ledger/timesheet/?rows=30")
    assert page.locator("#timesheet tbody tr").count() == 30
    assert "Category" in page.locator("#timesheet thead").inner_text()
    page = office.visit("/c/riverside/ledger/timesheet/?rows=5000")
    assert "There is a problem" in page.content()
    assert page.locator("#timesheet tbody tr").count() == 12

    page = office.visit("/c/riverside/coordinate/ledger/bulk/?rows=3")
    assert page.locator("#rows tbody tr").count() == 3
    page.get_by_label("Giver, row 1", exact=True).fill("Alice Ashby")
    page.get_by_label("Receiver, row 1", exact=True).fill("Bob Brown")
    page.get_by_label("How long, row 1", exact=True).fill("1 hour")
    page.get_by_label("Date, row 1", exact=True).fill(timezone.localdate().isoformat())
    page.get_by_label("Category, row 1", exact=True).select_option(str(category.pk))
    page.get_by_label("What it was, row 1", exact=True).fill("Pruned the roses")
    page.get_by_label("What it was, row 2", exact=True).fill("Half a row")
    page.get_by_role("button", name="Post all rows").click()
    office.check()
    assert not Transfer.objects.exists()
    assert "Row 2: Fill in who gave" in page.locator("#row-errors").inner_text()
    page.get_by_label("What it was, row 2", exact=True).fill("")
    page.get_by_role("button", name="Post all rows").click()
    office.check()
    transfer = Transfer.objects.get()
    assert (transfer.category, transfer.description) == (category, "Pruned the roses")


def test_detail_pages_pass_axe_with_summary_lists(new_browser, riverside, coordinator, surgery, staff, alice,  # noqa: F811
                                                  bob, applicant):  # noqa: F811
    posted = ledger.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=60,
                                    performed_on=timezone.localdate(), keyed_by=bob.user, idempotency_key="p")
    cora = coordinator.memberships.get(community=riverside)
    ledger.grant_from_pot(community=riverside, to=cora, minutes=60, reason="Expenses", keyed_by=coordinator,
                          idempotency_key="held")
    post = create_post(author=alice, actor=alice.user, kind="offer", title="Lifts to the shops",
                       category=Category.objects.filter(community=riverside).first())
    referral = referrals.make_referral(surgery, actor=staff, reason="isolation", consent=True, name="Rita Ray")
    opportunity = partners.post_opportunity(surgery, actor=staff, title="Garden day",
                                            starts_on=timezone.localdate(), expected_minutes=120)
    office = new_browser()
    force_login(office, coordinator)
    for path in (f"ledger/transfers/{posted.pk}/", "coordinate/approvals/", f"partners/{surgery.pk}/",
                 f"opportunities/{opportunity.pk}/", f"opportunities/{opportunity.pk}/attendance/",
                 f"market/{post.pk}/", f"referrals/{referral.pk}/",
                 f"coordinate/applications/{Application.objects.get(user=applicant).pk}/"):
        page = office.visit(f"/c/riverside/{path}")
        assert page.locator(".govuk-summary-list").count() >= 1, path
    page = office.visit("/c/riverside/coordinate/approvals/")
    assert re.search("recorded credits for themselves", page.content())
    page = office.visit(f"/c/riverside/opportunities/{opportunity.pk}/edit/")
    assert page.get_by_label("Expected time for each person").input_value() == "2 hours"
