"""Partners in the browser: opportunities credit through the ledger, referrals keep their
privacy, facilitators' registers credit them, and the iCalendar feed parses."""

import datetime
import re

import icalendar
import pytest
from django.utils import timezone

from coproduce import testing
from coproduce.groups import services as groups
from coproduce.ledger.services import account_for_membership, account_for_organisation, pot_for
from coproduce.partners.tests.fixtures import (  # noqa: F401 (pytest fixtures)
    alice,
    bob,
    membership,
    other_staff,
    school,
    staff,
    surgery,
)
from coproduce.referrals import services as referrals
from coproduce.referrals.models import Referral
from coproduce.web.tests.browser.conftest import force_login

pytestmark = pytest.mark.browser


def test_opportunity_signup_attendance_moves_the_same_minutes(new_browser, riverside, surgery, staff,  # noqa: F811
                                                               alice):  # noqa: F811
    worker = new_browser()
    force_login(worker, staff)
    page = worker.visit(f"/c/riverside/partners/{surgery.pk}/")
    page.get_by_role("link", name="Post an opportunity").click()
    worker.check()
    page.get_by_label("Title").fill("Welcome volunteer")
    page.locator("#id_starts_on").fill(timezone.localdate().isoformat())
    page.get_by_label("People needed").fill("3")
    page.get_by_role("button", name="Post opportunity").click()
    worker.check()
    opportunity_path = worker.path

    person = new_browser()
    force_login(person, alice.user)
    page = person.visit(opportunity_path)
    page.get_by_role("button", name="Sign me up").click()
    person.check()
    assert "You are signed up" in page.content()

    page = worker.visit(opportunity_path)
    page.get_by_role("link", name="Confirm who came").click()
    worker.check()
    page.get_by_label("Alice Ashby").fill("2 hours")
    page.get_by_role("button", name="Confirm and credit time").click()
    worker.check()
    assert account_for_membership(alice).balance == 120
    assert account_for_organisation(surgery).balance == -120
    page = worker.visit(f"/c/riverside/partners/{surgery.pk}/")
    assert page.locator("#organisation-balance").inner_text().startswith("−2 hours")
    page = person.visit(opportunity_path)
    assert "2 hours credited to you" in page.content()


def test_referral_linked_by_coordinator_referrer_sees_only_their_own(new_browser, riverside, surgery, school,  # noqa: F811
                                                                    staff, other_staff, coordinator,  # noqa: F811
                                                                    alice, bob):  # noqa: F811
    someone_elses = referrals.make_referral(school, actor=other_staff, reason="carer", consent=True,
                                            membership=bob, note="Caring for her mum")
    worker = new_browser()
    force_login(worker, staff)
    page = worker.visit("/c/riverside/referrals/new/")
    page.get_by_label("Or the name of someone new").fill("Alice Ashby")
    page.get_by_label("Reason").select_option("isolation")
    page.get_by_role("button", name="Send referral").click()  # no consent: refused
    worker.check()
    assert "needs their consent" in page.content()
    assert not Referral.objects.filter(referred_by=staff).exists()
    page.get_by_label(re.compile("The person agrees")).check()
    page.get_by_role("button", name="Send referral").click()
    worker.check()
    referral_path = worker.path

    office = new_browser()
    force_login(office, coordinator)
    page = office.visit(referral_path)
    page.get_by_label("Next step").select_option("contacted")
    page.get_by_role("button", name="Save step").click()
    office.check()
    page.get_by_label("Next step").select_option("joined")
    page.get_by_label("Link to member").fill(f"#{alice.pk}")
    page.get_by_role("button", name="Save step").click()
    office.check()
    assert page.locator("#referral-step").inner_text() == "Joined"

    page = worker.visit("/c/riverside/referrals/")
    table = page.locator("#referrals").inner_text()
    assert "Alice Ashby" in table and "Joined" in table
    assert "Bob Brown" not in table
    worker.visit(f"/c/riverside/referrals/{someone_elses.pk}/", status=404)


def test_facilitator_register_credits_and_ical_feed_parses(new_browser, riverside, coordinator, alice,  # noqa: F811
                                                           bob):  # noqa: F811
    carol_user = testing.make_person("carol@example.org", "Carol Carer")
    testing.join(carol_user, riverside)
    carol = membership(carol_user, riverside)
    group = testing.accept_invitations(
        groups.create_group(community=riverside, actor=coordinator, name="Carers' circle", facilitators=[carol]))
    groups.join_group(group, membership=alice)
    start = timezone.now() - datetime.timedelta(hours=3)
    past = groups.add_session(group, actor=carol_user, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                              capacity=6, place="Library back room")
    soon = timezone.now() + datetime.timedelta(days=3)
    future = groups.add_session(group, actor=carol_user, starts_at=soon, ends_at=soon + datetime.timedelta(hours=1),
                                capacity=6, place="Library back room")

    lead = new_browser()
    force_login(lead, carol_user)
    page = lead.visit(f"/c/riverside/sessions/{past.pk}/")
    page.get_by_role("link", name="Record attendance").click()
    lead.check()
    page.get_by_label(re.compile("Carol Carer")).check()
    page.get_by_label(re.compile("Alice Ashby")).check()
    page.get_by_role("button", name="Record attendance").click()
    lead.check()
    # Carol's register credits Carol: it waits for a coordinator, who approves it from the queue.
    assert "1 hour credited" in page.content()
    assert "wait for a coordinator" in page.locator("#credit-status").inner_text()
    assert account_for_membership(carol).balance == 0
    cora = new_browser()
    force_login(cora, coordinator)
    page = cora.visit("/c/riverside/coordinate/approvals/")
    assert "Carol Carer recorded credits for themselves" in page.content()
    page.get_by_role("button", name=re.compile("^Approve")).click()
    cora.check()
    assert "is posted" in page.content()
    assert account_for_membership(carol).balance == 60
    assert pot_for(riverside).balance == -60

    person = new_browser()
    force_login(person, alice.user)
    page = person.visit(f"/c/riverside/groups/{group.pk}/")
    feed_url = page.locator("#group-feed").get_attribute("href")
    response = person.page.request.get(feed_url)
    assert response.status == 200
    calendar = icalendar.Calendar.from_ical(response.body())
    starts = {event.decoded("dtstart") for event in calendar.walk("VEVENT")}
    assert {past.starts_at.replace(microsecond=0), future.starts_at.replace(microsecond=0)} <= starts
    page.get_by_role("button", name=re.compile("Make new addresses")).click()
    person.check()
    assert person.page.request.get(feed_url).status == 404


def test_other_partner_pages_pass_axe(new_browser, riverside, coordinator, surgery, staff, alice):  # noqa: F811
    group = testing.accept_invitations(
        groups.create_group(community=riverside, actor=coordinator, name="Carers' circle", facilitators=[alice]))
    thread = groups.start_thread(group, membership=alice, title="Hello", body="Welcome, everyone.")
    office = new_browser()
    force_login(office, coordinator)
    office.visit("/c/riverside/partners/")
    page = office.visit("/c/riverside/partners/new/")
    page.get_by_role("button", name="Add organisation").click()  # empty: error messages
    office.check()
    office.visit(f"/c/riverside/partners/{surgery.pk}/staff/add/")
    office.visit(f"/c/riverside/partners/{surgery.pk}/edit/")
    office.visit(f"/c/riverside/partners/{surgery.pk}/listings/new/")
    office.visit(f"/c/riverside/partners/{surgery.pk}/exchanges/new/")
    office.visit("/c/riverside/groups/")
    page = office.visit("/c/riverside/groups/new/")
    page.get_by_role("button", name="Start group").click()
    office.check()
    office.visit(f"/c/riverside/groups/{group.pk}/sessions/new/")
    office.visit(f"/c/riverside/members/{alice.pk}/")
    person = new_browser()
    force_login(person, alice.user)
    person.visit(f"/c/riverside/groups/{group.pk}/threads/")
    person.visit(f"/c/riverside/groups/{group.pk}/threads/{thread.pk}/")
    person.visit("/c/riverside/referrals/")
    person.visit(f"/c/riverside/groups/{group.pk}/threads/", status=200)
    office.visit(f"/c/riverside/groups/{group.pk}/threads/", status=403)
