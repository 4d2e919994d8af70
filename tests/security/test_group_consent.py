"""Consent to join a group.

Before: facilitators and host staff could add any member to a (health) group, who then appeared
in the group's member list. Now adding someone is an invitation the person accepts; a
coordinator may accept for an assisted member (audited), nobody else for anyone.
"""

import pytest
from django.urls import reverse

from coproduce import testing
from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.groups import services as groups
from coproduce.groups.models import GroupMember, GroupMemberStatus
from coproduce.members.models import Membership


@pytest.fixture
def carol(riverside):
    return testing.join(testing.make_person("carol@example.org", "Carol Carer"), riverside)


@pytest.fixture
def walking_group(riverside, staff, surgery, carol):
    return testing.accept_invitations(groups.create_group(
        community=riverside, actor=staff, name="Diabetes walking group", organisation=surgery, facilitators=[carol]))


@pytest.mark.parametrize("adder", ["carol", "staff"])
def test_adding_someone_is_an_invitation_they_accept(client, request, riverside, walking_group, member, adder):
    alice = Membership.objects.get(user=member)
    lead = request.getfixturevalue(adder)
    lead_user = getattr(lead, "user", lead)
    client.force_login(lead_user)
    detail = reverse("groups:detail", args=[riverside.slug, walking_group.pk])
    client.post(reverse("groups:role", args=[riverside.slug, walking_group.pk]),
                {"member": f"#{alice.pk}", "role": "member"})
    place = GroupMember.objects.get(group=walking_group, membership=alice)
    assert place.status == GroupMemberStatus.INVITED
    assert not GroupMember.objects.active().filter(group=walking_group, membership=alice).exists()
    # Not in the group: not on its register, not in its discussions, not listed as a member.
    assert "invited, not yet answered" in client.get(detail).text.lower()
    client.force_login(member)
    assert "Diabetes walking group" in client.get(reverse("groups:list", args=[riverside.slug])).text
    page = client.get(detail).text
    assert "invited you to join this group" in page
    assert client.get(reverse("groups:threads", args=[riverside.slug, walking_group.pk])).status_code == 403
    client.post(reverse("groups:accept", args=[riverside.slug, walking_group.pk]))
    assert GroupMember.objects.get(pk=place.pk).status == GroupMemberStatus.ACTIVE


def test_saying_no_leaves_them_out(client, riverside, walking_group, carol, member):
    alice = Membership.objects.get(user=member)
    groups.set_role(walking_group, actor=carol.user, membership=alice, role="member")
    client.force_login(member)
    client.post(reverse("groups:decline", args=[riverside.slug, walking_group.pk]))
    assert GroupMember.objects.get(group=walking_group, membership=alice).status == GroupMemberStatus.LEFT


def test_nobody_answers_for_someone_who_can_answer_themselves(client, riverside, walking_group, carol, member,
                                                             coordinator):
    alice = Membership.objects.get(user=member)
    groups.set_role(walking_group, actor=carol.user, membership=alice, role="member")
    for who in (carol.user, coordinator):
        client.force_login(who)
        response = client.post(reverse("groups:accept", args=[riverside.slug, walking_group.pk]),
                               {"member": str(alice.pk)}, follow=True)
        assert GroupMember.objects.get(group=walking_group, membership=alice).status == GroupMemberStatus.INVITED
        assert response.status_code in (200, 404)
    with pytest.raises(Exception, match="Only the person invited"):
        groups.answer_invitation(walking_group, membership=alice, actor=coordinator, accept=True)


def test_a_coordinator_accepts_for_an_assisted_member_and_it_is_audited(client, riverside, walking_group, carol,
                                                                       coordinator, assisted_member):
    edna = Membership.objects.get(user=assisted_member)
    groups.set_role(walking_group, actor=carol.user, membership=edna, role="member")
    client.force_login(coordinator)
    page = client.get(reverse("groups:detail", args=[riverside.slug, walking_group.pk])).text
    assert "Edna Elder said yes" in page
    client.post(reverse("groups:accept", args=[riverside.slug, walking_group.pk]), {"member": str(edna.pk)})
    assert GroupMember.objects.get(group=walking_group, membership=edna).status == GroupMemberStatus.ACTIVE
    entry = AuditEntry.objects.get(action=AuditAction.GROUP_INVITATION_ANSWERED)
    assert entry.actor == coordinator and entry.on_behalf_of == assisted_member and entry.detail["accepted"]


def test_another_communitys_coordinator_cannot_answer(client, riverside, hilltop, walking_group, carol,
                                                      other_coordinator, assisted_member):
    edna = Membership.objects.get(user=assisted_member)
    groups.set_role(walking_group, actor=carol.user, membership=edna, role="member")
    client.force_login(other_coordinator)
    response = client.post(reverse("groups:accept", args=[riverside.slug, walking_group.pk]),
                           {"member": str(edna.pk)})
    assert response.status_code == 403
    response = client.post(reverse("groups:accept", args=["hilltop", walking_group.pk]), {"member": str(edna.pk)})
    assert response.status_code == 404
    assert GroupMember.objects.get(group=walking_group, membership=edna).status == GroupMemberStatus.INVITED
