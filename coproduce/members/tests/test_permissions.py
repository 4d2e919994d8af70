"""Who may open and post to every members URL.

One row per URL, one column per persona (anonymous, outsider, member, other_member,
coordinator, other_coordinator, site_admin). riverside is the community under test;
hilltop's people must never see into it. Placeholders such as {member} are membership ids.
"""

import pytest

from coproduce import testing
from coproduce.accounts.models import User
from coproduce.members.models import (
    Application,
    ApplicationStatus,
    Demographics,
    Membership,
    Role,
)
from coproduce.members.services import apply_to_community, record_demographics
from coproduce.testing import DONE, LOGIN, assert_status, each_persona, matrix_params


@pytest.fixture
def ids(riverside, hilltop, member, second_member, coordinator, other_member, other_coordinator,
        site_admin, outsider, applicant, assisted_member):
    hilltop_applicant = testing.make_person("hal@example.org", "Hal Hilltop")
    hilltop_application = apply_to_community(user=hilltop_applicant, community=hilltop, offers="Baking",
                                             needs="", heard_from="gp", consent=True)
    record_demographics(member, actor=member, age_band="65_79", gender="woman", is_carer=True,
                        has_disability=None, consent=True)
    return {
        "member": Membership.objects.get(user=member, community=riverside).pk,
        "second": Membership.objects.get(user=second_member, community=riverside).pk,
        "assisted": Membership.objects.get(user=assisted_member).pk,
        "application": Application.objects.get(user=applicant).pk,
        "hilltop_member": Membership.objects.get(user=other_member).pk,
        "hilltop_application": hilltop_application.pk,
        "area": riverside.areas.first().pk,
    }


# A table reads better aligned.
# fmt: off
GET_MATRIX = [
    #                                                        anon   outsd member o_mem coord o_crd admin
    ("/me/",                                                (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("/me/demographics/",                                   (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("/me/demographics/withdraw/",                          (LOGIN, 405, 405, 405, 405, 405, 405)),
    # Members are sent to the directory instead of applying again.
    ("/c/riverside/apply/",                                 (LOGIN, 200, 302, 200, 302, 200, 200)),
    ("/c/riverside/members/",                               (LOGIN, 403, 200, 403, 200, 403, 200)),
    ("/c/riverside/members/lookup/?q=Al",                   (LOGIN, 403, 200, 403, 200, 403, 200)),
    ("/c/riverside/members/{member}/",                      (LOGIN, 403, 200, 403, 200, 403, 200)),
    ("/c/riverside/members/{hilltop_member}/",              (LOGIN, 403, 404, 403, 404, 403, 404)),
    ("/c/riverside/members/{assisted}/edit/",               (LOGIN, 403, 403, 403, 200, 403, 200)),
    # Coordinators act only for assisted members, never for someone who can log in.
    ("/c/riverside/members/{member}/edit/",                 (LOGIN, 403, 403, 403, 404, 403, 404)),
    ("/c/riverside/members/{member}/role/",                 (LOGIN, 405, 405, 405, 405, 405, 405)),
    # A site admin has no profile of their own here, so goes to the directory.
    ("/c/riverside/profile/",                               (LOGIN, 403, 200, 403, 200, 403, 302)),
    ("/c/riverside/leave/",                                 (LOGIN, 403, 200, 403, 200, 403, 302)),
    ("/c/riverside/coordinate/",                            (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/coordinate/applications/{application}/", (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/coordinate/applications/{hilltop_application}/",
                                                            (LOGIN, 403, 403, 403, 404, 403, 404)),
    ("/c/riverside/coordinate/applications/{application}/notes/",
                                                            (LOGIN, 405, 405, 405, 405, 405, 405)),
    ("/c/riverside/coordinate/applications/{application}/approve/",
                                                            (LOGIN, 405, 405, 405, 405, 405, 405)),
    ("/c/riverside/coordinate/applications/{application}/decline/",
                                                            (LOGIN, 405, 405, 405, 405, 405, 405)),
    ("/c/riverside/coordinate/assisted/new/",               (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/coordinate/audit/",                      (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/nowhere/members/",                                 (LOGIN, 404, 404, 404, 404, 404, 404)),
]
# fmt: on


@pytest.mark.parametrize(("url", "expected_by_persona"), matrix_params(GET_MATRIX))
def test_get(url, expected_by_persona, ids, request, subtests):
    for _persona, expected, logged_in in each_persona(request, subtests, expected_by_persona):
        with logged_in as client:
            assert_status(client.get(url.format(**ids)), expected)


# What each POST may change, counted before and after.
def riverside_applications():
    return Application.objects.filter(community__slug="riverside").count()


def member_demographics():
    return Demographics.objects.filter(user__email="alice@example.org").count()


def all_demographics():
    return Demographics.objects.count()


def profiles_with_new_skills():
    return Membership.objects.filter(skills_text="Bread making").count()


def assisted_profile_changed():
    return User.objects.filter(is_assisted=True, about_me="Likes a chat about football").count()


def riverside_coordinators():
    return Membership.objects.coordinators().filter(community__slug="riverside").count()


def riverside_members():
    return Membership.objects.active().filter(community__slug="riverside").count()


def hilltop_members():
    return Membership.objects.active().filter(community__slug="hilltop").count()


def hilltop_coordinators():
    return Membership.objects.coordinators().filter(community__slug="hilltop").count()


def noted_applications():
    return Application.objects.filter(interview_notes="Met at the library").count()


def declined_applications():
    return Application.objects.filter(status=ApplicationStatus.DECLINED).count()


def assisted_people():
    return User.objects.filter(is_assisted=True).count()


APPLY = {"offers": "Cooking", "needs": "", "heard_from": "friend", "area": "{area}", "consent": "on"}
PROFILE = {"name": "Renamed Person", "about_me": "", "skills_text": "Bread making", "interests_text": "",
           "languages": "", "access_needs": "", "contact_preference": "email", "phone": "", "area": "{area}"}
ASSISTED_PROFILE = {**PROFILE, "name": "Edna Elder", "skills_text": "",
                    "about_me": "Likes a chat about football", "contact_preference": "coordinator"}
DEMOGRAPHICS = {"age_band": "50_64", "gender": "", "is_carer": "unknown", "has_disability": "unknown",
                "consent": "on"}

# A table reads better aligned.
# fmt: off
POST_MATRIX = [
    #                                          data  counted               anon   outsd member o_mem coord o_crd admin
    ("/c/riverside/apply/", APPLY, riverside_applications,                (LOGIN, DONE, 302, DONE, 302, DONE, DONE)),
    ("/me/demographics/", DEMOGRAPHICS, all_demographics,                 (LOGIN, DONE, 302, DONE, DONE, DONE, DONE)),
    # Only Alice can withdraw Alice's demographics.
    ("/me/demographics/withdraw/", {}, member_demographics,               (LOGIN, 302, DONE, 302, 302, 302, 302)),
    ("/c/riverside/profile/", PROFILE, profiles_with_new_skills,          (LOGIN, 403, DONE, 403, DONE, 403, 302)),
    ("/c/riverside/members/{assisted}/edit/", ASSISTED_PROFILE, assisted_profile_changed,
                                                                          (LOGIN, 403, 403, 403, DONE, 403, DONE)),
    ("/c/riverside/members/{member}/edit/", PROFILE, profiles_with_new_skills,
                                                                          (LOGIN, 403, 403, 403, 404, 403, 404)),
    ("/c/riverside/members/{second}/role/", {"role": "coordinator"}, riverside_coordinators,
                                                                          (LOGIN, 403, 403, 403, DONE, 403, DONE)),
    ("/c/riverside/members/{hilltop_member}/role/", {"role": "coordinator"}, hilltop_coordinators,
                                                                          (LOGIN, 403, 403, 403, 404, 403, 404)),
    # The coordinator is riverside's only one, so may not leave (the page says why).
    ("/c/riverside/leave/", {}, riverside_members,                        (LOGIN, 403, DONE, 403, 200, 403, 302)),
    ("/c/riverside/coordinate/applications/{application}/notes/", {"notes": "Met at the library"},
     noted_applications,                                                  (LOGIN, 403, 403, 403, DONE, 403, DONE)),
    ("/c/riverside/coordinate/applications/{application}/approve/", {}, riverside_members,
                                                                          (LOGIN, 403, 403, 403, DONE, 403, DONE)),
    ("/c/riverside/coordinate/applications/{hilltop_application}/approve/", {}, hilltop_members,
                                                                          (LOGIN, 403, 403, 403, 404, 403, 404)),
    ("/c/riverside/coordinate/applications/{application}/decline/", {"reason": "We are full"},
     declined_applications,                                               (LOGIN, 403, 403, 403, DONE, 403, DONE)),
    ("/c/riverside/coordinate/applications/{hilltop_application}/decline/", {"reason": "We are full"},
     declined_applications,                                               (LOGIN, 403, 403, 403, 404, 403, 404)),
    ("/c/riverside/coordinate/assisted/new/", {"name": "Stan Still", "contact_preference": "phone"},
     assisted_people,                                                     (LOGIN, 403, 403, 403, DONE, 403, DONE)),
]
# fmt: on


@pytest.mark.parametrize(("url", "data", "counted", "expected_by_persona"), matrix_params(POST_MATRIX))
def test_post(url, data, counted, expected_by_persona, ids, request, subtests):
    data = {k: v.format(**ids) for k, v in data.items()}
    for _persona, expected, logged_in in each_persona(request, subtests, expected_by_persona):
        with logged_in as client:
            before = counted()
            response = client.post(url.format(**ids), data)
            if expected == DONE:
                assert response.status_code == 302, response.status_code
                assert counted() != before
            else:
                assert_status(response, expected)
                assert counted() == before


def test_member_cannot_edit_another_members_profile(ids, as_persona):
    client = as_persona("member")
    response = client.post(f"/c/riverside/members/{ids['second']}/edit/",
                           {k: v.format(**ids) for k, v in PROFILE.items()})
    assert response.status_code == 403
    assert profiles_with_new_skills() == 0


def test_coordinator_of_another_community_cannot_see_riverside_queue(ids, as_persona, applicant):
    response = as_persona("other_coordinator").get("/c/riverside/coordinate/")
    assert response.status_code == 403
    assert applicant.name.encode() not in response.content


def test_site_admin_may_coordinate_any_community(ids, as_persona, other_member):
    client = as_persona("site_admin")
    hilltop_member = Membership.objects.get(user=other_member)
    response = client.post(f"/c/hilltop/members/{hilltop_member.pk}/role/", {"role": Role.COORDINATOR})
    assert response.status_code == 302
    hilltop_member.refresh_from_db()
    assert hilltop_member.role == Role.COORDINATOR


def test_directory_does_not_list_other_communities_members(ids, as_persona):
    response = as_persona("member").get("/c/riverside/members/")
    assert b"Olga Other" not in response.content
    assert b"Alice Ashby" in response.content
