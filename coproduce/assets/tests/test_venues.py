"""A venue's own place and opening times (issue 16, point 1): set by its staff or a coordinator,
shown on the map and list (with its rewards at that place), found by "open on a day and time",
published in the Open Referral UK feed; refused for anyone else, and bad input changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from coproduce.assets import queries
from coproduce.assets.models import Location, Origin, Schedule, Service
from coproduce.assets.services import PlaceData
from coproduce.assets.tests.test_oruk_feed import get_json
from coproduce.assets.venues import Hours, save_venue_place, venue_place
from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.partners import services as partners

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")
PLACE = PlaceData(address="1 River Road", postcode="rs1 4lc", latitude=Decimal("51.5"),
                  longitude=Decimal("-0.1"), step_free=True)


def hours(days, opens="09:00", closes="17:00"):
    return [Hours(day, datetime.time.fromisoformat(opens), datetime.time.fromisoformat(closes)) for day in days]


def url(pool):
    return f"/c/riverside/directory/venues/{pool.pk}/"


def form_data(**changes):
    data = {"address": "1 River Road", "postcode": "RS1 4LC", "latitude": "51.5", "longitude": "-0.1",
            "step_free": "on"}
    for day in WEEKDAYS:
        data[f"opens_{day}"], data[f"closes_{day}"] = "09:00", "17:00"
    data["opens_SA"], data["closes_SA"] = "10:00", "14:00"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_staff_set_the_place_and_hours_and_the_venue_and_its_rewards_are_on_the_map(riverside, pool, pat, swim):
    entry = save_venue_place(pool, actor=pat, place=PLACE, hours=hours(WEEKDAYS) + hours(["SA"], "10:00", "14:00"))

    assert entry.origin == Origin.VENUE and entry.name == "Riverside Pool" and entry.kept_elsewhere
    place = Location.objects.get(organisation__partner=pool)
    assert (place.postcode, place.latitude, place.step_free) == ("RS1 4LC", Decimal("51.5"), True)
    # Days with the same hours share one weekly schedule.
    assert sorted(entry.schedules.values_list("byday", "opens_at", "closes_at")) == [
        ("MO,TU,WE,TH,FR", datetime.time(9), datetime.time(17)), ("SA", datetime.time(10), datetime.time(14))]
    # The reward is at the venue's place, so it is on the map where the venue is.
    reward = Service.objects.get(origin=Origin.LISTING, origin_id=swim.pk)
    assert list(reward.locations.all()) == [place]
    # "Open on Saturday at 11:00" finds the venue; "on Sunday" and "Saturday at 15:00" do not.
    open_now = set(queries.directory(riverside, day="SA", at=datetime.time(11)).filter(origin=Origin.VENUE))
    assert open_now == {entry}
    assert not queries.directory(riverside, day="SU").filter(origin=Origin.VENUE).exists()
    assert not queries.directory(riverside, day="SA", at=datetime.time(15)).filter(origin=Origin.VENUE).exists()
    assert venue_place(pool) == (place, hours(WEEKDAYS) + hours(["SA"], "10:00", "14:00"))
    assert AuditEntry.objects.filter(action=AuditAction.ASSET_SAVED, actor=pat, detail__venue=pool.pk).exists()


def test_changing_them_keeps_the_place_and_its_feed_id_and_replaces_the_hours(riverside, pool, pat, coordinator):
    first = save_venue_place(pool, actor=pat, place=PLACE, hours=hours(WEEKDAYS))
    place_id = Location.objects.get(organisation__partner=pool).pk
    again = save_venue_place(pool, actor=coordinator, hours=hours(["SA", "SU"], "08:00", "12:00"),
                             place=PlaceData(address="2 River Road", postcode="RS1 4LD"))

    assert again.pk == first.pk
    assert list(Location.objects.filter(organisation__partner=pool).values_list("pk", "address", "latitude")) == [
        (place_id, "2 River Road", None)]
    assert list(Schedule.objects.filter(service=again).values_list("byday", flat=True)) == ["SA,SU"]
    partners.save_organisation(community=riverside, actor=coordinator, organisation=pool, name="Riverside Baths",
                               type="leisure")
    again.refresh_from_db()
    assert again.name == "Riverside Baths"


def test_the_feed_publishes_the_venue_with_its_place_and_times(client, riverside, pool, pat):
    entry = save_venue_place(pool, actor=pat, place=PLACE, hours=hours(["SA"], "10:00", "14:00"))
    data = get_json(client, f"/oruk/services/{entry.pk}", "services/{id}")

    assert data["name"] == "Riverside Pool"
    assert [s["byday"] for s in data["schedules"]] == ["SA"]
    # The place is nested under the service's link to it, as the UK profile names it.
    assert [(a["address_1"], a["postal_code"]) for link in data["service_at_locations"]
            for a in link["location"]["addresses"]] == [("1 River Road", "RS1 4LC")]


def test_needs_checking_leaves_the_venue_to_its_staff(riverside, pool, pat):
    entry = save_venue_place(pool, actor=pat, place=PLACE, hours=[])
    Service.objects.filter(pk=entry.pk).update(last_checked_on=datetime.date(2000, 1, 1))
    assert not queries.needs_checking(riverside).filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    ("place", "opening", "field"),
    [
        (PlaceData(), hours(["MO"]), "address"),  # nowhere
        (PlaceData(postcode="not one"), [], "postcode"),
        (PlaceData(address="x", latitude=Decimal("51.5")), [], "latitude"),  # half a point
        (PLACE, hours(["MO"], "17:00", "09:00"), "MO"),  # closes before it opens
        (PLACE, hours(["MO"]) + hours(["MO"], "18:00", "20:00"), "MO"),  # twice on Monday
    ],
)
def test_bad_input_is_refused_with_its_reason_and_changes_nothing(pool, pat, place, opening, field):
    with pytest.raises(ValidationError) as refused:
        save_venue_place(pool, actor=pat, place=place, hours=opening)
    assert field in refused.value.message_dict
    assert not Location.objects.filter(organisation__partner=pool).exists()
    assert not Service.objects.filter(origin=Origin.VENUE).exists()


def test_only_the_venues_staff_and_coordinators_may(pool, staff, member):
    for stranger in (staff, member):  # staff of another organisation; a member
        with pytest.raises(ValidationError):
            save_venue_place(pool, actor=stranger, place=PLACE, hours=[])
    assert not Location.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 403),  # as the directory: it is for the community's members
        ("outsider", 403),
        ("other_coordinator", 403),  # a coordinator of another community
        ("member", 403),
        ("staff", 403),  # staff of another venue here
        ("pat", 200),
        ("coordinator", 200),
    ],
)
def test_who_opens_the_page(client, request, pool, pat, staff, persona, status):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    assert client.get(url(pool)).status_code == status
    assert client.post(url(pool), form_data()).status_code == (302 if status == 200 else status)
    assert Location.objects.filter(organisation__partner=pool).exists() == (status == 200)


def test_a_venue_of_another_community_is_not_found(client, coordinator, hilltop, other_coordinator):
    theirs = partners.save_organisation(community=hilltop, actor=other_coordinator, name="Hill Café", type="cafe")
    client.force_login(coordinator)
    assert client.get(url(theirs)).status_code == 404


def test_the_page_saves_without_javascript_and_shows_what_was_saved(client, pool, pat):
    client.force_login(pat)
    saved = client.post(url(pool), form_data(), follow=True)

    assert saved.status_code == 200
    page = saved.content.decode()
    assert 'name="address" value="1 River Road"' in page
    assert 'name="opens_SA" value="10:00"' in page and 'name="opens_SU"' in page
    entry = Service.objects.get(origin=Origin.VENUE, origin_id=pool.pk)
    assert f"/c/riverside/directory/{entry.pk}/" in page
    detail = client.get(f"/c/riverside/directory/{entry.pk}/").content.decode()
    assert url(pool) in detail  # changed where it lives: the venue's page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"opens_MO": "17:00", "closes_MO": "09:00"}, "closes_MO"),
        ({"closes_TU": ""}, "closes_TU"),  # one time without the other
        ({"opens_WE": "nine"}, "opens_WE"),
        ({"postcode": "XYZ"}, "postcode"),
        ({"latitude": "51.5", "longitude": ""}, "latitude"),
    ],
)
def test_the_page_shows_each_error_on_its_field_and_saves_nothing(client, pool, pat, changes, field):
    client.force_login(pat)
    response = client.post(url(pool), form_data(**changes))

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert f'href="#id_{field}"' in response.content.decode()
    assert not Location.objects.exists() and not Service.objects.filter(origin=Origin.VENUE).exists()
