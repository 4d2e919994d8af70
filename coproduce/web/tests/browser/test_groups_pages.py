"""Peer-support group pages in the browser: a facilitator schedules a repeating session through
the form (with its errors), sees the dates, changes and cancels the rest; every page passes axe."""

import datetime
import re

import pytest
from django.utils import timezone

from coproduce import testing
from coproduce.groups import services as groups
from coproduce.groups.models import Session, SessionSeries
from coproduce.partners.tests.fixtures import alice, membership  # noqa: F401 (pytest fixtures)
from coproduce.web.tests.browser.conftest import force_login

pytestmark = pytest.mark.browser


def test_facilitator_schedules_changes_and_cancels_a_repeating_session(new_browser, riverside, coordinator,
                                                                        alice):  # noqa: F811
    carol_user = testing.make_person("carol@example.org", "Carol Carer")
    testing.join(carol_user, riverside)
    group = testing.accept_invitations(groups.create_group(
        community=riverside, actor=coordinator, name="Carers' circle",
        facilitators=[membership(carol_user, riverside)]))
    groups.join_group(group, membership=alice)
    first = datetime.date(timezone.localdate().year + 1, 3, 2)

    lead = new_browser()
    force_login(lead, carol_user)
    page = lead.visit(f"/c/riverside/groups/{group.pk}/")
    page.get_by_role("link", name="Add a session").click()
    lead.check()
    page.get_by_label("Starts", exact=True).fill(f"{first.isoformat()}T18:00")
    page.get_by_label("Ends", exact=True).fill(f"{first.isoformat()}T20:00")
    page.get_by_label("Place", exact=True).fill("Library back room")
    page.get_by_label("every other week").check()
    # No end given: a clear error, and nothing is made.
    page.get_by_role("button", name="Add session").click()
    lead.check()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Last date: Give the date of the last session, or a number of sessions." in summary
    assert not Session.objects.exists()
    page.get_by_label("Or number of sessions").fill("5")
    page.get_by_role("button", name="Add session").click()
    lead.check()
    assert "5 sessions added." in page.locator(".govuk-notification-banner").inner_text()
    listed = page.locator("#sessions li")
    assert listed.count() == 5 and "every other week" in listed.first.inner_text()
    series = SessionSeries.objects.get()
    assert [s.starts_at.date() for s in series.sessions.order_by("starts_at")] == [
        first + datetime.timedelta(weeks=2 * i) for i in range(5)]

    # The third date and the later ones move to 10am.
    third = series.sessions.order_by("starts_at")[2]
    page = lead.visit(f"/c/riverside/sessions/{third.pk}/")
    assert "Every other week" in page.locator("#session-repeats").inner_text()
    page.get_by_role("link", name="Change this session").click()
    lead.check()
    day = timezone.localtime(third.starts_at).date().isoformat()
    page.get_by_label("Starts", exact=True).fill(f"{day}T10:00")
    page.get_by_label("Ends", exact=True).fill(f"{day}T11:30")
    page.get_by_label("This session and the later ones in the series").check()
    page.get_by_role("button", name="Save changes").click()
    lead.check()
    assert "3 sessions changed." in page.content()
    assert [timezone.localtime(s.starts_at).hour for s in Session.objects.order_by("starts_at")] == [18, 18, 10, 10, 10]

    # Cancelling the rest from the fourth date leaves the first three.
    fourth = Session.objects.order_by("starts_at")[3]
    page = lead.visit(f"/c/riverside/sessions/{fourth.pk}/")
    page.get_by_role("button", name="Cancel this and the later sessions").click()
    lead.check()
    assert "2 sessions are cancelled." in page.content()
    assert page.locator("#sessions .govuk-tag", has_text=re.compile("Cancelled")).count() == 2
    page = lead.visit(f"/c/riverside/sessions/{fourth.pk}/")
    assert "This session is cancelled." in page.locator(".govuk-notification-banner").inner_text()

    # A member of the group sees the dates and can book the next one.
    member = new_browser()
    force_login(member, alice.user)
    page = member.visit(f"/c/riverside/groups/{group.pk}/")
    page.get_by_role("button", name=re.compile("^Book a place")).first.click()
    member.check()
    assert page.locator("#sessions .govuk-tag", has_text="Booked").count() == 1
