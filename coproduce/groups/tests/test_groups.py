import datetime

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from coproduce import testing
from coproduce.groups import services
from coproduce.groups.models import Attendance, Booking, GroupMember, Session
from coproduce.ledger.models import Transfer
from coproduce.ledger.queries import check_ledger
from coproduce.ledger.services import (
    account_for_membership,
    account_for_organisation,
    approve_transfer,
    new_key,
    pot_for,
)
from coproduce.partners.tests.fixtures import membership


@pytest.fixture
def carol(riverside):
    user = testing.make_person("carol@example.org", "Carol Carer")
    testing.join(user, riverside)
    return membership(user, riverside)


@pytest.fixture
def group(riverside, coordinator, carol):
    """A community-hosted group; Carol facilitates."""
    return testing.accept_invitations(services.create_group(
        community=riverside, actor=coordinator, name="Carers' circle", facilitators=[carol],
        credit_rule="supporters"))


@pytest.fixture
def past_session(group, carol):
    start = timezone.now() - datetime.timedelta(hours=3)
    return services.add_session(group, actor=carol.user, starts_at=start, ends_at=start + datetime.timedelta(hours=2),
                                capacity=2, place="Library back room")


def _future_session(group, carol, capacity=1):
    start = timezone.now() + datetime.timedelta(days=2)
    return services.add_session(group, actor=carol.user, starts_at=start, ends_at=start + datetime.timedelta(minutes=90),
                                capacity=capacity, online_link="https://meet.example.org/carers")


def test_facilitator_records_attendance_and_is_credited(client, riverside, group, past_session, carol, alice, bob,
                                                       coordinator):
    services.join_group(group, membership=alice)
    services.join_group(group, membership=bob)
    services.set_role(group, actor=coordinator, membership=bob, role="supporter")
    client.force_login(carol.user)
    url = reverse("groups:register", args=[riverside.slug, past_session.pk])
    token = client.get(url).context["form"].initial["token"]
    response = client.post(url, {"token": token, "present": [str(carol.pk), str(bob.pk)]})
    assert response.status_code == 302
    # Carol's register credits Carol herself from the pot: a coordinator approves it first.
    transfer = Session.objects.get(pk=past_session.pk).transfer
    assert transfer.status == "held" and transfer.hold_reason == "self_dealing"
    assert account_for_membership(carol).balance == 0
    approve_transfer(transfer, approver=coordinator)
    assert account_for_membership(carol).balance == 120
    assert account_for_membership(bob).balance == 120  # peer supporters too, by this group's rule
    assert pot_for(riverside).balance == -240
    assert Attendance.objects.filter(session=past_session).count() == 2
    assert check_ledger(riverside)[1] == []


def test_partner_hosted_group_is_paid_by_the_partner(riverside, staff, surgery, carol, alice):
    group = testing.accept_invitations(services.create_group(
        community=riverside, actor=staff, name="Diabetes walking group", organisation=surgery, facilitators=[carol]))
    start = timezone.now() - datetime.timedelta(hours=2)
    session = services.add_session(group, actor=staff, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                                   capacity=10, place="The park")
    services.join_group(group, membership=alice)
    services.record_attendance(session, actor=staff, present=[carol, alice], idempotency_key=new_key())
    assert account_for_membership(carol).balance == 60
    assert account_for_membership(alice).balance == 0  # an ordinary member is not credited
    assert account_for_organisation(surgery).balance == -60


@pytest.mark.parametrize("case,message", [
    ("over_capacity", "only 2 places"),
    ("cancelled", "cancelled"),
    ("stranger", "Not in this group"),
    ("not_lead", "Only the group's facilitators"),
])
def test_bad_registers_write_nothing(group, past_session, carol, alice, bob, second_member, case, message):
    services.join_group(group, membership=alice)
    services.join_group(group, membership=bob)
    present, actor = [carol, alice], carol.user
    if case == "over_capacity":
        present = [carol, alice, bob]
    elif case == "cancelled":
        services.cancel_session(past_session, actor=carol.user)
    elif case == "stranger":
        GroupMember.objects.filter(membership=bob).delete()
        present = [carol, bob]
    elif case == "not_lead":
        actor = second_member
    with pytest.raises(ValidationError, match=message):
        services.record_attendance(past_session, actor=actor, present=present, idempotency_key=new_key())
    assert not Transfer.objects.exists()
    assert not Attendance.objects.exists()
    assert Session.objects.get(pk=past_session.pk).attendance_recorded_at is None


def test_waiting_list_moves_up(group, carol, alice, bob):
    session = _future_session(group, carol, capacity=1)
    services.join_group(group, membership=alice)
    services.join_group(group, membership=bob)
    assert services.book(session, membership=alice).status == "booked"
    assert services.book(session, membership=bob).status == "waiting"
    services.cancel_booking(session, membership=alice)
    assert Booking.objects.get(membership=bob).status == "booked"


def test_by_request_group_needs_acceptance(riverside, coordinator, carol, alice):
    group = testing.accept_invitations(services.create_group(
        community=riverside, actor=coordinator, name="Weight-loss buddies", join_policy="request",
        facilitators=[carol]))
    place = services.join_group(group, membership=alice)
    assert place.status == "requested"
    with pytest.raises(ValidationError, match="Join the group first"):
        services.book(_future_session(group, carol), membership=alice)
    services.set_role(group, actor=carol.user, membership=alice, role="member")
    assert services.active_place(group, alice) is not None


def test_ical_feeds_parse_and_tokens_revoke(client, riverside, group, carol, alice, past_session):
    future = _future_session(group, carol)
    services.join_group(group, membership=alice)
    client.force_login(alice.user)
    page = client.get(reverse("groups:detail", args=[riverside.slug, group.pk]))
    group_url = page.context["feed_urls"]["group"]
    member_url = page.context["feed_urls"]["member"]
    client.logout()
    for url in (group_url, member_url):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(response.content)
        events = calendar.walk("VEVENT")
        starts = {event.decoded("dtstart") for event in events}
        assert future.starts_at.replace(microsecond=0) in starts
        assert past_session.starts_at.replace(microsecond=0) in starts
        assert {str(event["summary"]) for event in events} == {"Carers' circle"}
    assert client.get(reverse("groups:feed", args=["not-a-token"])).status_code == 404
    client.force_login(alice.user)
    client.post(reverse("groups:renew_feed", args=[riverside.slug, group.pk]))
    client.logout()
    assert client.get(group_url).status_code == 404
    assert client.get(member_url).status_code == 404
    services.leave_group(group, membership=alice)
    assert client.get(reverse("groups:feed", args=[services.feed_token(alice, group).token])).status_code == 404


def test_threads_are_for_group_members_only(client, riverside, group, carol, alice, bob, coordinator):
    services.join_group(group, membership=alice)
    client.force_login(alice.user)
    url = reverse("groups:threads", args=[riverside.slug, group.pk])
    response = client.post(url, {"title": "Respite ideas", "body": "What has helped you?"})
    assert response.status_code == 302
    thread_url = response["Location"]
    client.post(thread_url, {"body": "Sitting service at the library"})
    assert "Sitting service" in client.get(thread_url).text
    for outsider in (bob.user, coordinator):
        client.force_login(outsider)
        assert client.get(url).status_code == 403
        assert client.get(thread_url).status_code == 403
        assert client.post(thread_url, {"body": "hello"}).status_code == 403


@pytest.mark.parametrize("persona,detail,lead", [
    ("anonymous", 302, 302), ("outsider", 403, 403), ("member", 200, 403), ("other_member", 403, 403),
    ("coordinator", 200, 200), ("other_coordinator", 403, 403), ("site_admin", 200, 200),
    ("staff", 200, 403), ("other_staff", 200, 403), ("left_staff", 200, 403),
])
def test_permission_matrix(client, request, riverside, group, past_session, persona, detail, lead):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("groups:list", args=[riverside.slug])).status_code == detail
    assert client.get(reverse("groups:detail", args=[riverside.slug, group.pk])).status_code == detail
    assert client.get(reverse("groups:session_new", args=[riverside.slug, group.pk])).status_code == lead
    assert client.get(reverse("groups:register", args=[riverside.slug, past_session.pk])).status_code == lead
