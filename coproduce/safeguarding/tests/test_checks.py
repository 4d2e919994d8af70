from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.members.models import Membership
from coproduce.safeguarding.models import CategoryCheckRequirement, Check
from coproduce.safeguarding.services import record_check


def test_coordinator_records_a_check_and_sees_it_expiring(as_persona, riverside, member, coordinator):
    alice = Membership.objects.get(user=member)
    client = as_persona("coordinator")
    today = timezone.localdate()
    response = client.post(reverse("safeguarding:member", args=["riverside", alice.pk]), {
        "check_type": "enhanced_dbs", "checked_on": (today - timedelta(days=1000)).isoformat(),
        "expires_on": (today + timedelta(days=30)).isoformat(), "outcome": "clear", "note": "Seen by Cora"})
    assert response.status_code == 302
    check = Check.objects.get()
    assert AuditEntry.objects.filter(action=AuditAction.CHECK_RECORDED, on_behalf_of=member).exists()
    overview = client.get(reverse("safeguarding:overview", args=["riverside"])).content.decode()
    assert "Alice Ashby" in overview
    record_check(alice, actor=coordinator, check_type="reference", checked_on=today, outcome="clear",
                 expires_on=today + timedelta(days=200))
    assert check.pk


def test_coordinator_sets_a_category_requirement(as_persona, riverside):
    gardening = riverside.categories.get(name="Gardening")
    as_persona("coordinator").post(reverse("safeguarding:overview", args=["riverside"]),
                                   {"category": gardening.pk, "check_type": "enhanced_dbs"})
    assert CategoryCheckRequirement.objects.get().category == gardening
    as_persona("coordinator").post(reverse("safeguarding:overview", args=["riverside"]),
                                   {"category": gardening.pk, "check_type": ""})
    assert not CategoryCheckRequirement.objects.exists()


def test_bad_check_input_writes_nothing(as_persona, riverside, member):
    alice = Membership.objects.get(user=member)
    response = as_persona("coordinator").post(reverse("safeguarding:member", args=["riverside", alice.pk]), {
        "check_type": "enhanced_dbs", "checked_on": "2020-01-01", "expires_on": "2019-01-01", "outcome": "clear"})
    assert "valid until a date after" in response.content.decode()
    assert not Check.objects.exists()


@pytest.mark.parametrize("persona,expected", [
    ("anonymous", 302), ("outsider", 403), ("member", 403), ("other_member", 403), ("coordinator", 200),
    ("other_coordinator", 403), ("site_admin", 200)])
def test_only_coordinators_see_checks(as_persona, riverside, member, persona, expected):
    alice = Membership.objects.get(user=member)
    client = as_persona(persona)
    assert client.get(reverse("safeguarding:overview", args=["riverside"])).status_code == expected
    assert client.get(reverse("safeguarding:member", args=["riverside", alice.pk])).status_code == expected


def test_overview_opens_a_members_checks(as_persona, riverside, member):
    alice = Membership.objects.get(user=member)
    response = as_persona("coordinator").get(reverse("safeguarding:overview", args=["riverside"]),
                                             {"member": alice.pk})
    assert response.url == reverse("safeguarding:member", args=["riverside", alice.pk])


def test_overview_finds_a_member_by_name_and_refuses_one_of_another_community(as_persona, riverside, hilltop,
                                                                               member, other_member):
    alice = Membership.objects.get(user=member)
    olga = Membership.objects.get(user=other_member, community=hilltop)
    coordinator = as_persona("coordinator")
    url = reverse("safeguarding:overview", args=["riverside"])
    assert coordinator.get(url, {"member": "Alice Ashby"}).url == reverse("safeguarding:member",
                                                                          args=["riverside", alice.pk])
    response = coordinator.get(url, {"member": str(olga.pk)})
    assert response.status_code == 200
    assert f"There is no member number {olga.pk} in this community." in response.content.decode()
    # Typed, not chosen from a list of everyone: the page does not grow with the community.
    assert "<select" not in response.content.decode().split("</form>")[0]
