"""Joining through the pages: apply, coordinator queue, notes, approve or decline, leave, rejoin."""

import pytest
from django.core import mail

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.members.models import Application, ApplicationStatus, Membership, MembershipStatus
from coproduce.testing import Client


@pytest.fixture
def newcomer_client(client, outsider):
    client.force_login(outsider)
    return client


@pytest.fixture
def coordinator_client(coordinator):
    other = Client()
    other.force_login(coordinator)
    return other


def apply(client, riverside, **overrides):
    data = {"offers": "Gardening, a chat over tea", "needs": "Help with forms", "heard_from": "gp",
            "area": riverside.areas.first().pk, "consent": "on", **overrides}
    return client.post("/c/riverside/apply/", data)


def test_applicant_appears_in_the_coordinators_queue(newcomer_client, coordinator_client, riverside, outsider):
    response = apply(newcomer_client, riverside)
    assert response.status_code == 302
    application = Application.objects.get(user=outsider)
    assert application.status == ApplicationStatus.PENDING
    assert application.consent_version == riverside.privacy_notice_version
    assert application.consented_at is not None

    queue = coordinator_client.get("/c/riverside/coordinate/")
    assert queue.status_code == 200
    assert [a.pk for a in queue.context["pending"]] == [application.pk]
    assert b"Nina Newcomer" in queue.content


def test_my_communities_shows_a_pending_application(newcomer_client, riverside):
    apply(newcomer_client, riverside)
    response = newcomer_client.get("/me/")
    assert [a.status for a in response.context["applications"]] == [ApplicationStatus.PENDING]


def test_coordinator_adds_interview_notes(newcomer_client, coordinator_client, riverside, outsider):
    apply(newcomer_client, riverside)
    application = Application.objects.get(user=outsider)
    url = f"/c/riverside/coordinate/applications/{application.pk}/"
    response = coordinator_client.post(url + "notes/", {"notes": "Met at the library; lovely."})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.interview_notes == "Met at the library; lovely."
    assert b"Met at the library; lovely." in coordinator_client.get(url).content


def test_approval_makes_a_member_and_emails_the_applicant(
        newcomer_client, coordinator_client, riverside, outsider, coordinator,
        django_capture_on_commit_callbacks):
    apply(newcomer_client, riverside)
    application = Application.objects.get(user=outsider)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(f"/c/riverside/coordinate/applications/{application.pk}/approve/")
    assert response.status_code == 302
    membership = Membership.objects.get(user=outsider, community=riverside)
    assert membership.is_active
    assert membership.area == riverside.areas.first()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.decided_by == coordinator
    assert AuditEntry.objects.filter(action=AuditAction.APPLICATION_APPROVED, actor=coordinator).exists()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nina@example.org"]
    assert "Welcome to Riverside Time Bank" in mail.outbox[0].subject
    # The new member now sees the directory.
    assert newcomer_client.get("/c/riverside/members/").status_code == 200


def test_no_email_is_sent_when_the_approval_rolls_back(newcomer_client, riverside, outsider, coordinator,
                                                      django_capture_on_commit_callbacks):
    from django.db import transaction

    from coproduce.members.services import approve_application

    apply(newcomer_client, riverside)
    application = Application.objects.get(user=outsider)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                approve_application(application, actor=coordinator)
                raise RuntimeError("something later failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mail.outbox == []


def test_decline_with_reason_emails_the_reason(newcomer_client, coordinator_client, riverside, outsider,
                                               django_capture_on_commit_callbacks):
    apply(newcomer_client, riverside)
    application = Application.objects.get(user=outsider)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(f"/c/riverside/coordinate/applications/{application.pk}/decline/",
                                           {"reason": "We only cover the river wards for now."})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECLINED
    assert application.decision_reason == "We only cover the river wards for now."
    assert not Membership.objects.filter(user=outsider).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nina@example.org"]
    assert "We only cover the river wards for now." in mail.outbox[0].body


def test_an_application_is_decided_only_once(newcomer_client, coordinator_client, riverside, outsider):
    apply(newcomer_client, riverside)
    application = Application.objects.get(user=outsider)
    url = f"/c/riverside/coordinate/applications/{application.pk}/"
    coordinator_client.post(url + "approve/")
    response = coordinator_client.post(url + "decline/", {"reason": "Changed my mind"}, follow=True)
    assert "already been approved" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED


def test_member_leaves_and_rejoins_by_applying_again(client, member, coordinator_client, riverside,
                                                      django_capture_on_commit_callbacks):
    client.force_login(member)
    response = client.post("/c/riverside/leave/")
    assert response.status_code == 302
    membership = Membership.objects.get(user=member, community=riverside)
    assert membership.status == MembershipStatus.LEFT
    assert membership.left_at is not None
    assert client.get("/c/riverside/members/").status_code == 403
    assert b"Alice Ashby" not in coordinator_client.get("/c/riverside/members/").content

    assert apply(client, riverside).status_code == 302
    application = Application.objects.get(user=member)
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(f"/c/riverside/coordinate/applications/{application.pk}/approve/")
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.left_at is None
    assert Membership.objects.filter(user=member, community=riverside).count() == 1
    assert client.get("/c/riverside/members/").status_code == 200
    assert len(mail.outbox) == 1


def test_a_declined_applicant_may_apply_again(newcomer_client, coordinator_client, riverside, outsider):
    apply(newcomer_client, riverside)
    first = Application.objects.get(user=outsider)
    coordinator_client.post(f"/c/riverside/coordinate/applications/{first.pk}/decline/", {"reason": "Too far"})
    assert apply(newcomer_client, riverside).status_code == 302
    assert Application.objects.filter(user=outsider).count() == 2


def test_someone_who_moved_rejoins_in_their_new_area(client, member, coordinator, riverside):
    from coproduce.members.services import approve_application

    north, south = riverside.areas.order_by("code")
    assert Membership.objects.get(user=member).area == north
    client.force_login(member)
    client.post("/c/riverside/leave/")
    apply(client, riverside, area=south.pk)
    approve_application(Application.objects.get(user=member), actor=coordinator)
    assert Membership.objects.get(user=member, community=riverside).area == south
