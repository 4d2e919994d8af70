"""Bad input: each form names the field that is wrong, says what to do, and writes nothing."""

import pytest
from django.core import mail
from django.utils.html import escape

from coproduce.accounts.models import User
from coproduce.audit.models import AuditEntry
from coproduce.members.models import Application, ApplicationStatus, Membership, MembershipStatus
from coproduce.members.services import apply_to_community, decline_application

AREA_ERROR = "Choose one of this community's areas."


def assert_field_error(response, field, message, form="form"):
    """The message is attached to the field (Django renders it beside it) and shown on the page."""
    assert response.status_code in (200, 400)
    assert message in response.context[form].errors[field]
    assert escape(message) in response.content.decode()


@pytest.fixture
def hilltop_area(hilltop):
    return hilltop.areas.get()


def application_data(riverside, **overrides):
    return {"offers": "Ironing", "needs": "", "heard_from": "poster", "area": riverside.areas.first().pk,
            "consent": "on", **overrides}


# Applying


def test_apply_without_consent_is_refused(client, outsider, riverside):
    client.force_login(outsider)
    data = application_data(riverside)
    del data["consent"]
    response = client.post("/c/riverside/apply/", data)
    assert_field_error(response, "consent", "Please agree to the privacy notice so we can keep your details.")
    assert Application.objects.count() == 0
    assert AuditEntry.objects.filter(action="member.applied").count() == 0


def test_apply_with_another_communitys_area_is_refused(client, outsider, riverside, hilltop_area):
    client.force_login(outsider)
    response = client.post("/c/riverside/apply/", application_data(riverside, area=hilltop_area.pk))
    assert_field_error(response, "area", AREA_ERROR)
    assert Application.objects.count() == 0


def test_apply_service_refuses_another_communitys_area(outsider, riverside, hilltop_area):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        apply_to_community(user=outsider, community=riverside, offers="x", needs="", heard_from="gp",
                           consent=True, area=hilltop_area)
    assert error.value.message_dict == {"area": [AREA_ERROR]}
    assert Application.objects.count() == 0


def test_applying_twice_keeps_one_application_and_says_so(client, applicant, riverside):
    client.force_login(applicant)
    response = client.post("/c/riverside/apply/", application_data(riverside))
    assert response.status_code == 200
    assert "you don't need to apply again" in response.content.decode()
    assert Application.objects.filter(user=applicant).count() == 1


def test_applying_twice_through_the_service_is_refused(applicant, riverside):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="already applied"):
        apply_to_community(user=applicant, community=riverside, offers="x", needs="", heard_from="gp",
                           consent=True)
    assert Application.objects.filter(user=applicant).count() == 1


def test_a_member_cannot_apply_again(member, riverside):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="already a member"):
        apply_to_community(user=member, community=riverside, offers="x", needs="", heard_from="gp",
                           consent=True)
    assert Application.objects.filter(user=member).count() == 0


# Profiles and assisted members


def profile_data(area, **overrides):
    return {"name": "Alice Ashby", "about_me": "", "skills_text": "Knitting", "interests_text": "",
            "languages": "", "access_needs": "", "contact_preference": "email", "phone": "", "area": area.pk,
            **overrides}


def test_profile_with_another_communitys_area_is_refused(client, member, riverside, hilltop_area):
    client.force_login(member)
    response = client.post("/c/riverside/profile/", profile_data(hilltop_area))
    assert_field_error(response, "area", AREA_ERROR)
    membership = Membership.objects.get(user=member)
    assert membership.area == riverside.areas.first()
    assert membership.skills_text == ""


def test_profile_without_a_name_is_refused(client, member, riverside):
    client.force_login(member)
    response = client.post("/c/riverside/profile/", profile_data(riverside.areas.first(), name=""))
    assert_field_error(response, "name", "This field is required.")
    member.refresh_from_db()
    assert member.name == "Alice Ashby"


def test_assisted_member_with_another_communitys_area_is_refused(client, coordinator, hilltop_area):
    client.force_login(coordinator)
    response = client.post("/c/riverside/coordinate/assisted/new/",
                           {"name": "Stan Still", "contact_preference": "phone", "area": hilltop_area.pk})
    assert_field_error(response, "area", AREA_ERROR)
    assert User.objects.filter(is_assisted=True).count() == 0
    assert AuditEntry.objects.filter(action="member.assisted_registered").count() == 0


def test_coordinator_cannot_act_on_another_communitys_member(client, coordinator, other_member):
    client.force_login(coordinator)
    hilltop_membership = Membership.objects.get(user=other_member)
    # Through their own community's address: the member is not found there.
    response = client.post(f"/c/riverside/members/{hilltop_membership.pk}/role/", {"role": "coordinator"})
    assert response.status_code == 404
    # Through the other community's address: not a coordinator there.
    response = client.post(f"/c/hilltop/members/{hilltop_membership.pk}/role/", {"role": "coordinator"})
    assert response.status_code == 403
    hilltop_membership.refresh_from_db()
    assert hilltop_membership.role == "member"
    assert AuditEntry.objects.filter(action="member.role_changed").count() == 0


def test_coordinator_cannot_approve_another_communitys_application(client, coordinator, hilltop, outsider):
    application = apply_to_community(user=outsider, community=hilltop, offers="x", needs="",
                                     heard_from="gp", consent=True)
    client.force_login(coordinator)
    response = client.post(f"/c/riverside/coordinate/applications/{application.pk}/approve/")
    assert response.status_code == 404
    response = client.post(f"/c/hilltop/coordinate/applications/{application.pk}/approve/")
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    assert Membership.objects.filter(user=outsider).count() == 0


# Decisions and leaving


def test_declining_without_a_reason_is_refused(client, coordinator, applicant):
    application = Application.objects.get(user=applicant)
    client.force_login(coordinator)
    response = client.post(f"/c/riverside/coordinate/applications/{application.pk}/decline/", {"reason": "  "})
    assert response.status_code == 400
    assert_field_error(response, "reason", "Say why, so the applicant understands.", form="decline_form")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    assert mail.outbox == []


def test_decline_service_refuses_a_blank_reason(applicant, coordinator):
    from django.core.exceptions import ValidationError

    application = Application.objects.get(user=applicant)
    with pytest.raises(ValidationError) as error:
        decline_application(application, actor=coordinator, reason=" ")
    assert "reason" in error.value.message_dict
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


def test_only_coordinator_cannot_leave(client, coordinator, riverside):
    client.force_login(coordinator)
    response = client.post("/c/riverside/leave/", follow=True)
    assert "only coordinator" in response.content.decode()
    membership = Membership.objects.get(user=coordinator, community=riverside)
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.role == "coordinator"


def test_only_coordinator_cannot_step_down(client, coordinator, riverside):
    membership = Membership.objects.get(user=coordinator, community=riverside)
    client.force_login(coordinator)
    response = client.post(f"/c/riverside/members/{membership.pk}/role/", {"role": "member"}, follow=True)
    assert "at least one coordinator" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "coordinator"


def test_assisted_member_cannot_be_made_coordinator(client, coordinator, assisted_member):
    membership = Membership.objects.get(user=assisted_member)
    client.force_login(coordinator)
    response = client.post(f"/c/riverside/members/{membership.pk}/role/", {"role": "coordinator"}, follow=True)
    assert "cannot log in" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "member"


def test_interview_notes_that_are_too_long_are_refused(client, coordinator, applicant):
    application = Application.objects.get(user=applicant)
    client.force_login(coordinator)
    response = client.post(f"/c/riverside/coordinate/applications/{application.pk}/notes/", {"notes": "x" * 5001})
    assert response.status_code == 400
    assert_field_error(response, "notes", "Ensure this value has at most 5000 characters (it has 5001).",
                       form="notes_form")
    application.refresh_from_db()
    assert application.interview_notes == ""


def test_a_decided_application_offers_no_decision_buttons(client, coordinator, applicant):
    from coproduce.members.services import approve_application

    application = Application.objects.get(user=applicant)
    approve_application(application, actor=coordinator)
    client.force_login(coordinator)
    page = client.get(f"/c/riverside/coordinate/applications/{application.pk}/").content.decode()
    assert f"/applications/{application.pk}/approve/" not in page
    assert f"/applications/{application.pk}/decline/" not in page
