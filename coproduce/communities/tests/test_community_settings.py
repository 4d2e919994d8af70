"""Community settings and areas: coordinators change them; bad values are named and nothing is saved."""

import pytest
from django.core.exceptions import ValidationError

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.communities.models import Area, Community
from coproduce.communities.services import (
    SETTINGS_FIELDS,
    add_area,
    create_community,
    update_community_settings,
)
from coproduce.lib.duration import format_duration


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


TIME_FIELDS = ("min_balance_minutes", "max_balance_minutes", "pot_floor_minutes", "organisation_floor_minutes",
               "approval_ceiling_minutes")


def settings_data(community, **changes):
    """The settings form as the page shows it: amounts of time in words ("−20 hours")."""
    data = {f: format_duration(getattr(community, f)) if f in TIME_FIELDS else getattr(community, f)
            for f in SETTINGS_FIELDS}
    return {**data, **changes}


def test_new_community_has_sensible_defaults(riverside):
    assert riverside.small_count_k == 5
    assert riverside.time_zone == "Europe/London"
    assert riverside.confirmation_window_days == 14
    assert AuditEntry.objects.filter(action=AuditAction.COMMUNITY_CREATED, community=riverside).count() == 1


def test_slugs_are_unique(riverside):
    with pytest.raises(ValidationError):
        create_community(name="Another Riverside", slug="riverside")
    assert Community.objects.filter(slug="riverside").count() == 1


def test_coordinator_changes_settings_and_it_is_audited(coordinator_client, coordinator, riverside):
    response = coordinator_client.post("/c/riverside/coordinate/settings/",
                                       settings_data(riverside, small_count_k=10, confirmation_window_days=7))
    assert response.status_code == 302
    riverside.refresh_from_db()
    assert (riverside.small_count_k, riverside.confirmation_window_days) == (10, 7)
    entry = AuditEntry.objects.get(action=AuditAction.SETTINGS_CHANGED)
    assert entry.actor == coordinator
    assert entry.detail["changes"] == {"small_count_k": ["5", "10"], "confirmation_window_days": ["14", "7"]}


def test_settings_take_hours_as_people_type_them(coordinator_client, riverside):
    page = coordinator_client.get("/c/riverside/coordinate/settings/").content.decode()
    assert 'value="−20 hours"' in page and "A number on its own is hours." in page
    response = coordinator_client.post("/c/riverside/coordinate/settings/", settings_data(
        riverside, min_balance_minutes="-30", max_balance_minutes="150 hours", approval_ceiling_minutes="6:30"))
    assert response.status_code == 302
    riverside.refresh_from_db()
    assert (riverside.min_balance_minutes, riverside.max_balance_minutes, riverside.approval_ceiling_minutes) == (
        -30 * 60, 150 * 60, 390)


def test_saving_unchanged_settings_records_nothing(coordinator_client, riverside):
    response = coordinator_client.post("/c/riverside/coordinate/settings/", settings_data(riverside))
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED).exists()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("small_count_k", 1, "Ensure this value is greater than or equal to 2."),
    ("min_balance_minutes", "1 hour", "The lowest balance must be zero or below."),
    ("approval_ceiling_minutes", "25 hours", "Enter at most 24 hours."),
    ("approval_ceiling_minutes", "8 hours 10 minutes", "Record time in steps of 15 minutes, such as 1 hour 15 minutes or 1:30."),
    ("organisation_floor_minutes", "lots", "Enter a time such as 1:30, 1.5 hours or 90 minutes."),
    ("time_zone", "Mars/Olympus", "Mars/Olympus is not a known time zone, such as Europe/London."),
    ("confirmation_window_days", 0, "Ensure this value is greater than or equal to 1."),
    ("name", "", "This field is required."),
])
def test_bad_settings_are_refused_next_to_the_field(coordinator_client, riverside, field, value, message):
    response = coordinator_client.post("/c/riverside/coordinate/settings/",
                                       settings_data(riverside, description="Changed too", **{field: value}))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    stored = Community.objects.get(pk=riverside.pk)
    assert stored.description == "Riverside Time Bank time bank."
    assert getattr(stored, field) == getattr(riverside, field)
    assert not AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED).exists()


def test_refused_settings_do_not_show_as_if_saved(coordinator_client, riverside):
    response = coordinator_client.post("/c/riverside/coordinate/settings/",
                                       settings_data(riverside, name="Renamed Bank", small_count_k=1))
    assert response.status_code == 200
    # The page still belongs to the community as stored; only the form holds the new name.
    assert response.context["community"].name == "Riverside Time Bank"
    assert "<title>Community settings · Riverside Time Bank · Coproduce</title>" in response.content.decode()


def test_service_refuses_unknown_settings(riverside, coordinator):
    with pytest.raises(ValueError, match="slug"):
        update_community_settings(riverside, actor=coordinator, slug="elsewhere")


def test_coordinator_adds_an_area(coordinator_client, coordinator, riverside):
    response = coordinator_client.post("/c/riverside/coordinate/areas/",
                                       {"code": "e05000003", "name": "Riverside East",
                                        "latitude": "51.50000", "longitude": "-0.12000"})
    assert response.status_code == 302
    area = Area.objects.get(community=riverside, code="E05000003")
    assert area.name == "Riverside East"
    assert AuditEntry.objects.filter(action=AuditAction.AREA_ADDED, actor=coordinator).count() == 1


def test_duplicate_area_code_is_refused(coordinator_client, riverside):
    before = Area.objects.count()
    response = coordinator_client.post("/c/riverside/coordinate/areas/", {"code": "e05000001", "name": "Again"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "This community already has an area with the code E05000001."]
    assert Area.objects.count() == before


def test_the_same_area_code_may_be_used_by_another_community(hilltop, riverside):
    add_area(hilltop, actor=None, code="E05000001", name="Shared ward")
    assert Area.objects.filter(code="E05000001").count() == 2


def test_latitude_without_longitude_is_refused(coordinator_client, riverside):
    before = Area.objects.count()
    response = coordinator_client.post("/c/riverside/coordinate/areas/",
                                       {"code": "E05000004", "name": "Half", "latitude": "51.5"})
    assert response.context["form"].non_field_errors() == ["Give both latitude and longitude, or neither."]
    assert Area.objects.count() == before


def test_the_finance_controls_have_their_defaults(db):
    community = create_community(name="Valley", slug="valley")
    assert community.pot_floor_minutes == 0
    assert community.backdate_days == 7
    assert community.approval_ceiling_minutes == 8 * 60
    assert community.organisation_floor_minutes <= 0


@pytest.mark.parametrize("started_on,message", [
    ("2999-01-01", "cannot be in the future"),
    ("2026-01-02", "cannot be after the first of them"),
])
def test_start_date_cannot_hide_recorded_exchanges(coordinator_client, riverside, member, second_member,
                                                   started_on, message):
    import datetime

    from coproduce.ledger import services as ledger
    from coproduce.members.models import Membership

    alice, bob = (Membership.objects.get(user=u) for u in (member, second_member))
    ledger.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=60,
                           performed_on=datetime.date(2026, 1, 1), keyed_by=second_member,
                           idempotency_key=ledger.new_key())
    response = coordinator_client.post("/c/riverside/coordinate/settings/",
                                       settings_data(riverside, started_on=started_on))
    assert response.status_code == 200 and message in response.text
    riverside.refresh_from_db()
    assert riverside.started_on == datetime.date(2015, 1, 1)
