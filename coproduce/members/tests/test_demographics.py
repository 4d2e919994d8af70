"""Demographics: stored only with consent, deleted on withdrawal, seen only by coordinators."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.members.models import Demographics, Membership
from coproduce.members.services import record_demographics, withdraw_demographics

DETAILS = {"age_band": "65_79", "gender": "woman", "is_carer": "true", "has_disability": "unknown"}


def give(member, **overrides):
    fields = {"age_band": "65_79", "gender": "woman", "is_carer": True, "has_disability": None, "consent": True}
    return record_demographics(member, actor=member, **{**fields, **overrides})


def test_details_are_stored_with_consent(client, member):
    client.force_login(member)
    response = client.post("/me/demographics/", {**DETAILS, "consent": "on"})
    assert response.status_code == 302
    stored = Demographics.objects.get(user=member)
    assert (stored.age_band, stored.gender, stored.is_carer, stored.has_disability) == ("65_79", "woman", True, None)
    assert stored.consented_at is not None
    entry = AuditEntry.objects.get(action=AuditAction.CONSENT_GIVEN)
    assert (entry.actor, entry.on_behalf_of) == (member, None)


def test_details_without_consent_are_not_stored(client, member):
    client.force_login(member)
    response = client.post("/me/demographics/", DETAILS)
    assert response.status_code == 200
    assert response.context["form"].errors["consent"] == [
        "Tick the consent box to store these details, or leave them out."]
    assert Demographics.objects.count() == 0
    assert not AuditEntry.objects.filter(action=AuditAction.CONSENT_GIVEN).exists()


def test_service_refuses_without_consent(member):
    with pytest.raises(ValidationError):
        give(member, consent=False)
    assert Demographics.objects.count() == 0


def test_nobody_else_can_consent_for_someone_who_can_log_in(member, coordinator):
    with pytest.raises(PermissionDenied):
        record_demographics(member, actor=coordinator, age_band="", gender="", is_carer=None,
                            has_disability=None, consent=True)
    assert Demographics.objects.count() == 0


def test_coordinator_may_record_consent_for_an_assisted_member(assisted_member, coordinator):
    record_demographics(assisted_member, actor=coordinator, age_band="80_plus", gender="woman", is_carer=False,
                        has_disability=True, consent=True)
    entry = AuditEntry.objects.get(action=AuditAction.CONSENT_GIVEN)
    assert (entry.actor, entry.on_behalf_of) == (coordinator, assisted_member)


def test_withdrawal_deletes_the_details_and_is_audited(client, member):
    give(member)
    client.force_login(member)
    response = client.post("/me/demographics/withdraw/")
    assert response.status_code == 302
    assert not Demographics.objects.filter(user=member).exists()
    assert AuditEntry.objects.filter(action=AuditAction.CONSENT_WITHDRAWN, actor=member).count() == 1


def test_withdrawing_when_nothing_is_stored_records_nothing(member):
    withdraw_demographics(member, actor=member)
    assert not AuditEntry.objects.filter(action=AuditAction.CONSENT_WITHDRAWN).exists()


def test_the_form_offers_withdrawal_once_details_are_stored(client, member):
    client.force_login(member)
    assert "Withdraw consent" not in client.get("/me/demographics/").content.decode()
    give(member)
    assert "Withdraw consent" in client.get("/me/demographics/").content.decode()


@pytest.mark.parametrize(("viewer", "sees"), [
    ("coordinator", True), ("site_admin", True), ("member", True), ("second_member", False),
])
def test_coordinators_see_demographics_on_the_profile_and_other_members_do_not(
        client, request, member, viewer, sees):
    give(member)
    client.force_login(request.getfixturevalue(viewer))
    membership = Membership.objects.get(user=member)
    response = client.get(f"/c/riverside/members/{membership.pk}/")
    assert response.status_code == 200
    shown = response.context["demographics"] is not None
    # Alice herself manages hers at /me/demographics/, not on her public profile.
    assert shown == (sees and viewer != "member")
    page = response.content.decode()
    assert ("65 to 79" in page) == shown
    assert ('id="demographics"' in page) == shown  # carer and disability answers shown with them


def test_consent_changes_appear_in_each_community_audit_log(riverside, hilltop, member):
    from coproduce.audit.models import AuditAction, AuditEntry
    from coproduce.members import services
    from coproduce.testing import join

    join(member, hilltop)
    services.record_demographics(member, actor=member, age_band="65_79", gender="woman", is_carer=None,
                                 has_disability=None, consent=True)
    services.withdraw_demographics(member, actor=member)
    for community in (riverside, hilltop):
        actions = list(AuditEntry.objects.filter(community=community, actor=member)
                       .values_list("action", flat=True))
        assert AuditAction.CONSENT_GIVEN in actions and AuditAction.CONSENT_WITHDRAWN in actions
