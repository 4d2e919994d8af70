"""Roles: coordinators promote and step down; a community always keeps a coordinator."""

import pytest
from django.core.exceptions import ValidationError

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.members.models import Membership, Role
from coproduce.members.services import change_role, leave_community


@pytest.fixture
def alice(member):
    return Membership.objects.get(user=member)


def test_coordinator_promotes_a_member_on_the_record(client, coordinator, alice, member):
    client.force_login(coordinator)
    response = client.post(f"/c/riverside/members/{alice.pk}/role/", {"role": Role.COORDINATOR})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.role == Role.COORDINATOR
    entry = AuditEntry.objects.get(action=AuditAction.ROLE_CHANGED)
    assert (entry.actor, entry.on_behalf_of) == (coordinator, member)
    assert entry.detail == {"before": "member", "after": "coordinator"}


def test_a_new_coordinator_must_turn_on_two_factor(client, coordinator, alice, member):
    change_role(alice, actor=coordinator, role=Role.COORDINATOR)
    client.force_login(member)
    response = client.get("/c/riverside/members/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/totp/activate/")


def test_coordinator_may_step_down_when_another_remains(coordinator, alice, riverside):
    change_role(alice, actor=coordinator, role=Role.COORDINATOR)
    own = Membership.objects.get(user=coordinator, community=riverside)
    change_role(own, actor=coordinator, role=Role.MEMBER)
    assert Membership.objects.coordinators().filter(community=riverside).get() == alice


def test_a_coordinator_who_leaves_and_rejoins_comes_back_as_a_member(coordinator, alice, member, riverside):
    change_role(alice, actor=coordinator, role=Role.COORDINATOR)
    leave_community(alice, actor=member)
    alice.refresh_from_db()
    assert alice.role == Role.MEMBER


def test_unknown_role_is_refused(client, coordinator, alice):
    client.force_login(coordinator)
    response = client.post(f"/c/riverside/members/{alice.pk}/role/", {"role": "overlord"}, follow=True)
    assert "Choose member, coordinator or partner staff." in response.content.decode()
    alice.refresh_from_db()
    assert alice.role == Role.MEMBER
    with pytest.raises(ValidationError):
        change_role(alice, actor=coordinator, role="overlord")


def test_the_role_of_someone_who_left_cannot_change(coordinator, alice, member):
    leave_community(alice, actor=member)
    with pytest.raises(ValidationError, match="no longer a member"):
        change_role(alice, actor=coordinator, role=Role.COORDINATOR)


def test_setting_the_same_role_records_nothing(coordinator, alice):
    change_role(alice, actor=coordinator, role=Role.MEMBER)
    assert not AuditEntry.objects.filter(action=AuditAction.ROLE_CHANGED).exists()
