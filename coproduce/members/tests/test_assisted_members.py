"""Assisted members: registered by a coordinator, who then acts for them, on the record."""

import pytest
from django.core import mail

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.members.models import Membership


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def test_coordinator_registers_someone_without_email(coordinator_client, coordinator, riverside):
    response = coordinator_client.post("/c/riverside/coordinate/assisted/new/", {
        "name": "Stan Still", "phone": "01234 000111", "postal_address": "1 River Row",
        "contact_preference": "phone", "area": riverside.areas.first().pk,
    })
    assert response.status_code == 302
    membership = Membership.objects.select_related("user").get(user__name="Stan Still")
    assert response.url == f"/c/riverside/members/{membership.pk}/"
    user = membership.user
    assert user.is_assisted
    assert user.email is None
    assert not user.has_usable_password()
    assert membership.registered_by == coordinator
    assert membership.is_active
    assert mail.outbox == []
    entry = AuditEntry.objects.get(action=AuditAction.ASSISTED_REGISTERED)
    assert (entry.actor, entry.on_behalf_of, entry.community) == (coordinator, user, riverside)


def test_two_assisted_members_can_both_have_no_email(coordinator_client, riverside):
    for name in ("Stan Still", "Edna Elder"):
        coordinator_client.post("/c/riverside/coordinate/assisted/new/",
                                {"name": name, "contact_preference": "coordinator"})
    assert Membership.objects.filter(user__is_assisted=True, user__email__isnull=True).count() == 2


def test_assisted_member_appears_on_the_dashboard(coordinator_client, assisted_member):
    response = coordinator_client.get("/c/riverside/coordinate/")
    assert [m.user for m in response.context["assisted"]] == [assisted_member]


def test_coordinator_edits_profile_for_them_and_it_is_audited(coordinator_client, coordinator, assisted_member,
                                                               riverside):
    membership = Membership.objects.get(user=assisted_member)
    gardening = riverside.categories.get(name="Gardening")
    response = coordinator_client.post(f"/c/riverside/members/{membership.pk}/edit/", {
        "name": "Edna Elder", "about_me": "Grew prize marrows for forty years.", "skills_text": "",
        "interests_text": "", "languages": "English, Welsh", "access_needs": "", "contact_preference": "phone",
        "phone": "01234 567890", "area": riverside.areas.first().pk, "skills": [gardening.pk],
        "availability": ["0", "1"],
    })
    assert response.status_code == 302
    assisted_member.refresh_from_db()
    assert assisted_member.about_me == "Grew prize marrows for forty years."
    assert list(membership.skills.all()) == [gardening]
    membership.refresh_from_db()
    assert membership.availability == 0b11

    entry = AuditEntry.objects.get(action=AuditAction.PROFILE_CHANGED)
    assert entry.actor == coordinator
    assert entry.on_behalf_of == assisted_member
    assert entry.community == riverside
    assert "about_me" in entry.detail["fields"]


def test_their_profile_page_shows_who_acted_for_them(coordinator_client, assisted_member, riverside):
    membership = Membership.objects.get(user=assisted_member)
    coordinator_client.post(f"/c/riverside/members/{membership.pk}/edit/", {
        "name": "Edna Elder", "about_me": "Loves crosswords", "contact_preference": "phone",
        "area": riverside.areas.first().pk,
    })
    response = coordinator_client.get(f"/c/riverside/members/{membership.pk}/")
    actions = [(e.actor.name, e.action) for e in response.context["acted_for"]]
    assert ("Cora Coordinator", AuditAction.PROFILE_CHANGED) in actions
    assert ("Cora Coordinator", AuditAction.ASSISTED_REGISTERED) in actions
    page = response.content.decode()
    assert "Actions taken for this person" in page
    assert "changed a profile" in page


def test_members_do_not_see_the_record_of_actions_for_someone_else(client, member, assisted_member):
    client.force_login(member)
    membership = Membership.objects.get(user=assisted_member)
    response = client.get(f"/c/riverside/members/{membership.pk}/")
    assert response.status_code == 200
    assert response.context["acted_for"] is None
    assert "Actions taken for this person" not in response.content.decode()


def test_a_member_editing_their_own_profile_is_not_audited_as_acting_for(client, member, riverside):
    client.force_login(member)
    response = client.post("/c/riverside/profile/", {
        "name": "Alice Ashby", "about_me": "Retired teacher", "contact_preference": "email",
        "area": riverside.areas.first().pk,
    })
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action=AuditAction.PROFILE_CHANGED).exists()


def test_member_cannot_act_for_an_assisted_member(client, member, assisted_member):
    client.force_login(member)
    membership = Membership.objects.get(user=assisted_member)
    response = client.post(f"/c/riverside/members/{membership.pk}/edit/",
                           {"name": "Hijacked", "contact_preference": "email"})
    assert response.status_code == 403
    assisted_member.refresh_from_db()
    assert assisted_member.name == "Edna Elder"
    assert not AuditEntry.objects.filter(action=AuditAction.PROFILE_CHANGED).exists()

