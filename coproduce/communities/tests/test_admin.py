"""Django admin for site admins: it follows the same rules as the pages."""

import pytest

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.communities.models import Category, Community
from coproduce.communities.services import SETTINGS_FIELDS
from coproduce.members.models import Application, Membership


@pytest.fixture
def admin_client(client, site_admin):
    client.force_login(site_admin)
    return client


def community_form(**fields):
    data = {"name": "Valley Time Bank", "slug": "valley", "description": "", "time_zone": "Europe/London",
            "contact_email": "", "privacy_notice": "", "privacy_notice_version": "1",
            "min_balance_minutes": -1200, "max_balance_minutes": 6000, "confirmation_window_days": 14,
            "after_confirmation_window": "confirm", "small_count_k": 5, "small_count_rule": "suppress",
            "brokerage_after_days": 7, "started_on": "2026-01-01", "pot_floor_minutes": 0,
            "organisation_floor_minutes": -12000, "backdate_days": 7, "approval_ceiling_minutes": 480, "brand_colour": "#1d70b8",
            "erasure_cooling_off_days": 14, "retention_months": 24,
            "default_language": "en-gb", "languages": ["en-gb", "cy", "es"],
            "areas-TOTAL_FORMS": 0, "areas-INITIAL_FORMS": 0, "areas-MIN_NUM_FORMS": 0, "areas-MAX_NUM_FORMS": 1000}
    return {**data, **fields}


def test_community_made_in_the_admin_gets_the_default_categories(admin_client, site_admin):
    response = admin_client.post("/admin/communities/community/add/", community_form())
    assert response.status_code == 302
    valley = Community.objects.get(slug="valley")
    assert Category.objects.filter(community=valley, parent__isnull=True).count() == 13
    # And what every new community gets: the words for its categories, in each language.
    dogs = Category.objects.get(community=valley, name="Dog walking")
    assert {"walkies", "ci", "perro"} <= set(dogs.concept_words.values_list("word", flat=True))
    assert valley.languages == ["en-gb", "cy", "es"]
    entry = AuditEntry.objects.get(action=AuditAction.COMMUNITY_CREATED, community=valley)
    assert entry.actor == site_admin


def test_settings_changed_in_the_admin_are_audited(admin_client, site_admin, riverside):
    data = community_form(**{f: getattr(riverside, f) for f in SETTINGS_FIELDS})
    data["small_count_k"] = 8
    response = admin_client.post(f"/admin/communities/community/{riverside.pk}/change/", data)
    assert response.status_code == 302
    riverside.refresh_from_db()
    assert riverside.small_count_k == 8
    entry = AuditEntry.objects.get(action=AuditAction.SETTINGS_CHANGED)
    assert entry.actor == site_admin
    assert entry.detail["changes"] == {"small_count_k": ["5", "8"]}


@pytest.mark.parametrize("url", [
    "/admin/communities/community/", "/admin/communities/category/", "/admin/members/membership/",
    "/admin/members/application/", "/admin/accounts/user/", "/admin/audit/auditentry/",
])
def test_admin_lists_open(admin_client, riverside, member, applicant, coordinator, url):
    assert admin_client.get(url).status_code == 200


def test_applications_are_decided_on_the_coordinator_pages_not_in_the_admin(admin_client, applicant):
    application = Application.objects.get(user=applicant)
    response = admin_client.get(f"/admin/members/application/{application.pk}/change/")
    assert response.status_code == 200  # a view-only page
    response = admin_client.post(f"/admin/members/application/{application.pk}/change/",
                                 {"status": "approved"})
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == "pending"


def test_roles_are_read_only_in_the_admin(admin_client, member):
    membership = Membership.objects.get(user=member)
    form = admin_client.get(f"/admin/members/membership/{membership.pk}/change/").context["adminform"].form
    assert "role" not in form.fields
    assert "status" not in form.fields
