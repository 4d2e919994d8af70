"""Peer-support groups through the API: the groups and their coming sessions as the groups pages
show them (scope "read"); joining and booking (scope "posts") through the groups' services, with
their rules (join first; a full session puts you on the waiting list; giving a place up passes it
on); and a session's register (scope "partner", the group's leads only), which credits the
facilitators who came from the host's account through the ledger."""

import datetime

import pytest
from django.utils import timezone

from coproduce import testing
from coproduce.api.tests.client import errors, get, queries_for, send, token
from coproduce.groups import services
from coproduce.groups.models import Attendance, Booking, GroupMember, Session
from coproduce.ledger.services import account_for_membership, account_for_organisation
from coproduce.partners.tests.fixtures import membership

BASE = "/api/v1/communities/riverside"


@pytest.fixture
def carol(riverside):
    user = testing.make_person("carol@example.org", "Carol Carer")
    testing.join(user, riverside)
    return membership(user, riverside)


@pytest.fixture
def group(riverside, staff, surgery, carol):
    """A walking group the surgery hosts; Carol facilitates (appointed by the surgery's staff)."""
    return testing.accept_invitations(services.create_group(
        community=riverside, actor=staff, name="Walking group", organisation=surgery, facilitators=[carol],
        join_policy="open"))


def _session(group, actor, *, hours_from_now, capacity=1, online_link=""):
    start = timezone.now() + datetime.timedelta(hours=hours_from_now)
    return services.add_session(group, actor=actor, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                                capacity=capacity, place="The park", online_link=online_link)


def test_groups_and_their_coming_sessions(client, riverside, member, group, carol):
    coming = _session(group, carol.user, hours_from_now=48, online_link="https://meet.example.org/walk")
    _session(group, carol.user, hours_from_now=-48)  # past: not listed
    raw = token(member, ("read",))
    groups = get(client, raw, f"{BASE}/groups")
    assert groups.status_code == 200, groups.json()
    [row] = groups.json()["results"]
    assert (row["name"], row["host"], row["join_policy"], row["my_status"]) == (
        "Walking group", "Riverside Surgery", "open", None)
    sessions = get(client, raw, f"{BASE}/groups/{group.pk}/sessions").json()["results"]
    assert [s["id"] for s in sessions] == [coming.pk]
    # Not in the group: that it is online, not its link (the session's page is for its members).
    assert sessions[0]["online"] is True and sessions[0]["online_link"] is None
    assert sessions[0]["my_booking"] is None


def test_join_book_wait_and_give_up_a_place(client, riverside, member, second_member, group, carol):
    session = _session(group, carol.user, hours_from_now=48, capacity=1, online_link="https://meet.example.org/w")
    alice, bob = token(member, ("posts", "read")), token(second_member, ("posts", "read"))
    early = send(client, alice, f"{BASE}/sessions/{session.pk}/book")
    assert early.status_code == 400 and "Join the group first" in errors(early)["non_field_errors"][0]
    joined = send(client, alice, f"{BASE}/groups/{group.pk}/join")
    assert joined.status_code == 200 and joined.json() == {"group": group.pk, "status": "active", "role": "member"}
    assert get(client, alice, f"{BASE}/groups").json()["results"][0]["my_status"] == "active"
    booked = send(client, alice, f"{BASE}/sessions/{session.pk}/book")
    assert booked.status_code == 200 and booked.json()["my_booking"] == "booked"
    assert booked.json()["online_link"] == "https://meet.example.org/w"  # a member of the group now
    send(client, bob, f"{BASE}/groups/{group.pk}/join")
    waiting = send(client, bob, f"{BASE}/sessions/{session.pk}/book")
    assert waiting.json()["my_booking"] == "waiting"  # one place, taken
    gave_up = send(client, alice, f"{BASE}/sessions/{session.pk}/unbook")
    assert gave_up.status_code == 200 and gave_up.json()["my_booking"] is None
    assert Booking.objects.get(session=session).membership == membership(second_member, riverside)
    assert Booking.objects.get(session=session).status == "booked"  # Bob took the place
    again = send(client, alice, f"{BASE}/sessions/{session.pk}/unbook")
    assert again.status_code == 400 and errors(again)


def test_sign_up_needs_the_posts_scope_and_membership(client, riverside, member, other_member, hilltop, group,
                                                      carol):
    session = _session(group, carol.user, hours_from_now=48)
    read_only = token(member, ("read",))
    assert send(client, read_only, f"{BASE}/groups/{group.pk}/join").status_code == 403
    assert send(client, read_only, f"{BASE}/sessions/{session.pk}/book").status_code == 403
    assert send(client, None, f"{BASE}/sessions/{session.pk}/book").status_code == 401
    assert get(client, None, f"{BASE}/groups").status_code == 401
    assert get(client, token(member, ("posts",)), f"{BASE}/groups").status_code == 403
    outsider = token(other_member)
    assert get(client, outsider, f"{BASE}/groups").status_code == 403
    assert send(client, outsider, f"{BASE}/groups/{group.pk}/join").status_code == 403
    # A group of another community, named under the member's own: no such group here.
    hill_group = services.create_group(community=hilltop, actor=testing.make_person(
        "hc@example.org", "Hill Coordinator", is_superuser=True), name="Hill walkers")
    assert send(client, token(member), f"{BASE}/groups/{hill_group.pk}/join").status_code == 404
    assert get(client, token(member), f"{BASE}/groups/{hill_group.pk}/sessions").status_code == 404
    assert not GroupMember.objects.filter(membership__user=member).exists()
    assert not Booking.objects.exists()


def test_the_register_credits_the_facilitator_from_the_host(client, riverside, member, staff, surgery, group,
                                                           carol):
    session = _session(group, carol.user, hours_from_now=-3, capacity=5)
    services.join_group(group, membership=membership(member, riverside))
    url = f"{BASE}/sessions/{session.pk}/register"
    body = {"present": [carol.pk, membership(member, riverside).pk], "idempotency_key": "walk-register-1"}
    # A plain member of the group, and a token without the scope, may not take it.
    assert send(client, token(member), url, **body).status_code == 403
    assert send(client, token(staff, ("read", "posts")), url, **body).status_code == 403
    taken = send(client, token(staff, ("partner",)), url, **body)
    assert taken.status_code == 201, taken.json()
    assert taken.json()["present"] == 2 and taken.json()["transfer_status"] == "posted"
    assert account_for_membership(carol).balance == 60  # the facilitator, for the hour
    assert account_for_membership(membership(member, riverside)).balance == 0  # a member is not credited
    assert account_for_organisation(surgery).balance == -60
    assert Attendance.objects.filter(session=session).count() == 2
    again = send(client, token(carol.user, ("partner",)), url, **{**body, "idempotency_key": "walk-register-2"})
    assert again.status_code == 400 and "already been recorded" in str(errors(again))


@pytest.mark.parametrize(("change", "field"), [
    ({"present": [999999]}, "present"),
    ({"present": "everyone"}, "present"),
    ({"idempotency_key": "x"}, "idempotency_key"),
    ({"present": []}, "non_field_errors"),  # the service: tick at least one person
])
def test_a_bad_register_names_its_field_and_credits_nobody(client, riverside, staff, surgery, group, carol, change,
                                                           field):
    session = _session(group, carol.user, hours_from_now=-3)
    body = {"present": [carol.pk], "idempotency_key": "walk-register-1", **change}
    response = send(client, token(staff, ("partner",)), f"{BASE}/sessions/{session.pk}/register", **body)
    assert response.status_code == 400 and field in errors(response), response.json()
    assert not Attendance.objects.exists() and account_for_organisation(surgery).balance == 0
    assert Session.objects.get(pk=session.pk).attendance_recorded_at is None


def test_lists_cost_the_same_queries_for_few_and_many(client, riverside, member, staff, surgery, carol, group):
    raw = token(member, ("read",))
    services.join_group(group, membership=membership(member, riverside))

    def groups():
        return get(client, raw, f"{BASE}/groups")

    def sessions():
        return get(client, raw, f"{BASE}/groups/{group.pk}/sessions")

    _session(group, carol.user, hours_from_now=24)
    queries_for(client, groups)
    few_groups, few_sessions = queries_for(client, groups), queries_for(client, sessions)
    for n in range(15):
        services.create_group(community=riverside, actor=staff, name=f"Group {n}", organisation=surgery)
        _session(group, carol.user, hours_from_now=48 + 24 * n)
    assert groups().json()["count"] == 16 and sessions().json()["count"] == 16
    assert queries_for(client, groups) == few_groups
    assert queries_for(client, sessions) == few_sessions
