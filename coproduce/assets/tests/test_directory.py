"""The directory: saving entries through the services, who may change what, the list and its
filters, an entry's page and the coordinators' "needs checking" list."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduce.assets import queries, services
from coproduce.assets.models import Cost, Location, Origin, Schedule, Service, TaxonomyTerm
from coproduce.assets.services import PlaceData, ScheduleData
from coproduce.assets.sync import organisation_for_community, organisation_for_partner
from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.communities.services import add_area

pytestmark = pytest.mark.django_db


def hall(**fields) -> PlaceData:
    values = {
        "name": "St Mary's hall",
        "address": "1 Church Lane",
        "postcode": "rv1 2ab",
        "latitude": Decimal("51.500000"),
        "longitude": Decimal("-0.120000"),
        "step_free": True,
    }
    return PlaceData(**{**values, **fields})


def mondays(**fields) -> ScheduleData:
    values = {
        "freq": "WEEKLY",
        "byday": ["MO"],
        "opens_at": datetime.time(10),
        "closes_at": datetime.time(12),
    }
    return ScheduleData(**{**values, **fields})


@pytest.fixture
def home(riverside):
    return organisation_for_community(riverside)


@pytest.fixture
def lunch_club(home, coordinator):
    return services.save_service(
        organisation=home,
        actor=coordinator,
        name="Lunch club",
        description="A hot meal and company.",
        places=[hall()],
        schedules=[mondays()],
        minimum_age=60,
        languages=["en", "cy"],
    )


@pytest.fixture
def surgery_clinic(surgery, staff):
    return services.save_service(
        organisation=organisation_for_partner(surgery),
        actor=staff,
        name="Blood pressure clinic",
        cost=Cost.FREE,
    )


# ------------------------------------------------------------------------------ services


def test_saving_a_service_keeps_its_place_times_and_languages_and_is_audited(
    lunch_club, coordinator
):
    place = lunch_club.locations.get()
    assert (place.postcode, place.step_free, place.accessible_toilet) == ("RV1 2AB", True, False)
    schedule = lunch_club.schedules.get()
    assert (schedule.freq, schedule.byday, schedule.opens_at) == ("WEEKLY", "MO", datetime.time(10))
    assert lunch_club.languages == ["en", "cy"]
    assert lunch_club.last_checked_on is not None and lunch_club.maintained_by == coordinator
    entry = AuditEntry.objects.get(action=AuditAction.ASSET_SAVED)
    assert entry.actor == coordinator and entry.subject == "Lunch club"


@pytest.mark.parametrize("postcode", ["12345", "SW1A", "not a postcode", "SW1A 1AAA"])
def test_a_postcode_that_is_not_one_is_refused_and_nothing_is_saved(home, coordinator, postcode):
    with pytest.raises(ValidationError) as refused:
        services.save_service(
            organisation=home, actor=coordinator, name="Club", places=[hall(postcode=postcode)]
        )
    assert "postcode" in refused.value.message_dict
    assert not Service.objects.filter(name="Club").exists() and not Location.objects.exists()


@pytest.mark.parametrize(
    "value, expected",
    [("sw1a1aa", "SW1A 1AA"), (" m1 1ae ", "M1 1AE"), ("EC1A 1BB", "EC1A 1BB"), ("", "")],
)
def test_postcodes_are_written_the_usual_way(value, expected):
    assert services.normalise_postcode(value) == expected


@pytest.mark.parametrize(
    "latitude, longitude, field",
    [
        (Decimal("91"), Decimal("0"), "latitude"),
        (Decimal("51"), Decimal("-181"), "longitude"),
        (Decimal("51"), None, "latitude"),
    ],
)
def test_coordinates_out_of_range_or_half_given_are_refused(
    home, coordinator, latitude, longitude, field
):
    with pytest.raises(ValidationError) as refused:
        services.save_service(
            organisation=home,
            actor=coordinator,
            name="Club",
            places=[hall(latitude=latitude, longitude=longitude)],
        )
    assert field in refused.value.message_dict
    assert not Service.objects.filter(name="Club").exists()


@pytest.mark.parametrize(
    "schedule, field",
    [
        (
            mondays(valid_from=datetime.date(2026, 5, 1), valid_to=datetime.date(2026, 4, 1)),
            "valid_to",
        ),
        (mondays(opens_at=datetime.time(14), closes_at=datetime.time(13)), "closes_at"),
        (mondays(byday=[]), "byday"),
        (ScheduleData(opens_at=datetime.time(10)), "valid_from"),
    ],
)
def test_a_schedule_that_cannot_be_is_refused_clearly(home, coordinator, schedule, field):
    with pytest.raises(ValidationError) as refused:
        services.save_service(
            organisation=home, actor=coordinator, name="Club", schedules=[schedule]
        )
    assert field in refused.value.message_dict
    assert not Schedule.objects.exists() and not Service.objects.filter(name="Club").exists()


def test_a_one_off_date_is_a_schedule_of_that_day(home, coordinator):
    service = services.save_service(
        organisation=home,
        actor=coordinator,
        name="Fun day",
        schedules=[
            ScheduleData(
                valid_from=datetime.date(2026, 7, 4),
                opens_at=datetime.time(11),
                closes_at=datetime.time(16),
            )
        ],
    )
    schedule = service.schedules.get()
    assert (schedule.freq, schedule.valid_from, schedule.valid_to) == (
        "",
        datetime.date(2026, 7, 4),
        datetime.date(2026, 7, 4),
    )


def test_ages_in_the_wrong_order_are_refused(home, coordinator):
    with pytest.raises(ValidationError) as refused:
        services.save_service(
            organisation=home, actor=coordinator, name="Club", minimum_age=18, maximum_age=11
        )
    assert "maximum_age" in refused.value.message_dict


def test_partner_staff_change_their_own_organisations_entries_only(
    surgery, school, staff, other_staff, surgery_clinic, member, home
):
    services.save_service(
        organisation=surgery_clinic.organisation,
        actor=staff,
        service=surgery_clinic,
        name="Blood pressure clinic (drop-in)",
    )
    for outsider in (other_staff, member):
        with pytest.raises(ValidationError):
            services.save_service(
                organisation=surgery_clinic.organisation,
                actor=outsider,
                service=surgery_clinic,
                name="Hijacked",
            )
    with pytest.raises(ValidationError):
        services.save_service(organisation=home, actor=staff, name="Not theirs")
    surgery_clinic.refresh_from_db()
    assert surgery_clinic.name == "Blood pressure clinic (drop-in)"


def test_an_imported_entry_changed_here_is_marked_as_edited_locally(home, coordinator):
    service = Service.objects.create(
        community=home.community, organisation=home, name="Imported", origin=Origin.IMPORTED
    )
    services.save_service(
        organisation=home, actor=coordinator, service=service, name="Imported, corrected"
    )
    service.refresh_from_db()
    assert service.edited_locally


def test_marking_checked_sets_the_date_and_who(lunch_club, coordinator, second_member):
    Service.objects.filter(pk=lunch_club.pk).update(last_checked_on=datetime.date(2020, 1, 1))
    services.mark_checked(lunch_club, actor=coordinator)
    lunch_club.refresh_from_db()
    assert lunch_club.last_checked_on > datetime.date(2020, 1, 1)
    assert AuditEntry.objects.filter(action=AuditAction.ASSET_CHECKED).count() == 1
    with pytest.raises(ValidationError):
        services.mark_checked(lunch_club, actor=second_member)


# ------------------------------------------------------------------------------ needs checking


def test_needs_checking_lists_entries_older_than_the_communitys_age(
    riverside, home, coordinator, lunch_club
):
    fresh = services.save_service(organisation=home, actor=coordinator, name="Fresh")
    never = services.save_service(organisation=home, actor=coordinator, name="Never checked")
    Service.objects.filter(pk=lunch_club.pk).update(
        last_checked_on=datetime.date.today() - datetime.timedelta(400)
    )
    Service.objects.filter(pk=never.pk).update(last_checked_on=None)
    Service.objects.filter(pk=never.pk).update(
        created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    assert [s.name for s in queries.needs_checking(riverside)] == ["Never checked", "Lunch club"]
    riverside.asset_check_months = 24
    assert [s.name for s in queries.needs_checking(riverside)] == ["Never checked"]
    assert fresh not in queries.needs_checking(riverside)


def test_mirrored_entries_never_need_checking_here(riverside, coordinator):
    from coproduce.groups.services import create_group

    group = create_group(community=riverside, actor=coordinator, name="Carers' circle")
    Service.objects.filter(origin=Origin.GROUP, origin_id=group.pk).update(
        last_checked_on=datetime.date(2000, 1, 1)
    )
    assert not queries.needs_checking(riverside).exists()


def test_needs_checking_page_is_for_coordinators(
    client, riverside, home, coordinator, member, lunch_club
):
    Service.objects.filter(pk=lunch_club.pk).update(last_checked_on=datetime.date(2001, 1, 1))
    url = reverse("assets:needs_checking", args=["riverside"])
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(coordinator)
    page = client.get(url)
    assert page.status_code == 200 and "Lunch club" in page.content.decode()
    done = client.post(
        reverse("assets:checked", args=["riverside", lunch_club.pk]), {"next": "needs_checking"}
    )
    assert done.status_code == 302 and done.url == url
    assert "Lunch club" not in client.get(url).content.decode()


# ------------------------------------------------------------------------------ who sees and edits

ROLES = [
    "anonymous",
    "outsider",
    "member",
    "other_member",
    "coordinator",
    "other_coordinator",
    "staff",
    "other_staff",
]


@pytest.mark.parametrize(
    "persona, sees",
    [
        ("anonymous", False),
        ("outsider", False),
        ("member", True),
        ("other_member", False),
        ("coordinator", True),
        ("other_coordinator", False),
        ("staff", True),
    ],
)
def test_who_sees_the_directory_and_an_entry(client, request, persona, sees, lunch_club):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    for url in (
        reverse("assets:directory", args=["riverside"]),
        reverse("assets:service", args=["riverside", lunch_club.pk]),
    ):
        response = client.get(url)
        if sees:
            assert response.status_code == 200
            assert "Lunch club" in response.content.decode()
        else:
            assert response.status_code in (302, 403)
            assert "Lunch club" not in response.content.decode()


@pytest.mark.parametrize(
    "persona, may",
    [
        ("anonymous", False),
        ("member", False),
        ("other_member", False),
        ("other_staff", False),
        ("other_coordinator", False),
        ("coordinator", True),
        ("staff", True),
    ],
)
def test_who_changes_a_partners_entry(client, request, persona, may, surgery_clinic):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    url = reverse("assets:edit", args=["riverside", surgery_clinic.pk])
    data = {
        "organisation": surgery_clinic.organisation_id,
        "name": "Renamed clinic",
        "cost": "free",
    }
    response = client.post(url, data)
    surgery_clinic.refresh_from_db()
    if may:
        assert response.status_code == 302
        assert surgery_clinic.name == "Renamed clinic"
    else:
        assert response.status_code in (302, 403) and not response.get("Location", "").endswith(
            str(surgery_clinic.pk) + "/"
        )
        assert surgery_clinic.name == "Blood pressure clinic"


def test_staff_may_not_move_an_entry_to_another_organisation(
    client, staff, surgery, school, surgery_clinic
):
    client.force_login(staff)
    response = client.post(
        reverse("assets:edit", args=["riverside", surgery_clinic.pk]),
        {"organisation": organisation_for_partner(school).pk, "name": "Moved", "cost": "free"},
    )
    assert response.status_code == 200 and "organisation" in response.context["form"].errors
    surgery_clinic.refresh_from_db()
    assert (
        surgery_clinic.organisation.partner == surgery
        and surgery_clinic.name == "Blood pressure clinic"
    )


def test_an_entry_of_another_community_is_not_found_here(
    client, member, hilltop, other_coordinator
):
    theirs = services.save_service(
        organisation=organisation_for_community(hilltop),
        actor=other_coordinator,
        name="Hilltop walk",
    )
    client.force_login(member)
    assert client.get(reverse("assets:service", args=["riverside", theirs.pk])).status_code == 404


def test_the_form_shows_a_bad_postcode_and_a_backwards_schedule_as_errors(
    client, coordinator, home
):
    client.force_login(coordinator)
    response = client.post(
        reverse("assets:new", args=["riverside"]),
        {"organisation": home.pk, "name": "Club", "cost": "free", "postcode": "nope"},
    )
    assert response.status_code == 200
    assert "Enter a UK postcode" in response.content.decode()
    response = client.post(
        reverse("assets:new", args=["riverside"]),
        {
            "organisation": home.pk,
            "name": "Club",
            "cost": "free",
            "freq": "WEEKLY",
            "byday": ["MO"],
            "valid_from": "2026-05-01",
            "valid_to": "2026-04-01",
        },
    )
    assert response.status_code == 200
    assert "cannot end before it starts" in response.content.decode()
    assert not Service.objects.filter(name="Club").exists()


def test_coordinator_adds_an_entry_through_the_form(client, coordinator, home):
    client.force_login(coordinator)
    term = TaxonomyTerm.objects.get(
        category__name="Peer support", taxonomy__community=home.community
    )
    response = client.post(
        reverse("assets:new", args=["riverside"]),
        {
            "organisation": home.pk,
            "name": "Walking group",
            "cost": "free",
            "terms": [term.pk],
            "languages": "en, PL",
            "place_name": "The park gate",
            "postcode": "rv12ab",
            "latitude": "51.5",
            "longitude": "-0.12",
            "accessible_toilet": "on",
            "freq": "WEEKLY",
            "byday": ["TU", "TH"],
            "opens_at": "09:30",
            "closes_at": "10:30",
        },
    )
    service = Service.objects.get(name="Walking group")
    assert response.status_code == 302 and response.url == reverse(
        "assets:service", args=["riverside", service.pk]
    )
    assert service.languages == ["en", "pl"] and list(service.terms.all()) == [term]
    assert service.schedules.get().byday == "TU,TH"
    assert service.locations.get().postcode == "RV1 2AB"


# ------------------------------------------------------------------------------ an entry's page


def test_an_entrys_page_says_who_where_when_cost_who_for_languages_contact_and_last_check(
    client, member, lunch_club
):
    client.force_login(member)
    page = client.get(reverse("assets:service", args=["riverside", lunch_club.pk])).content.decode()
    for expected in (
        "Riverside Time Bank",
        "St Mary&#x27;s hall, 1 Church Lane, RV1 2AB",
        "Step-free",
        "Every week on Monday 10:00 to 12:00",
        "Free",
        "Aged 60 or over",
        "Welsh",
        "by Cora Coordinator",
        "Suggest a correction",
    ):
        assert expected in page, expected
    assert "Change this entry" not in page


def test_a_mirrored_entry_links_to_where_it_is_changed_and_cannot_be_edited_here(
    client, riverside, coordinator
):
    from coproduce.groups.services import create_group

    group = create_group(community=riverside, actor=coordinator, name="Carers' circle")
    service = Service.objects.get(origin=Origin.GROUP, origin_id=group.pk)
    client.force_login(coordinator)
    page = client.get(reverse("assets:service", args=["riverside", service.pk])).content.decode()
    assert reverse("groups:detail", args=["riverside", group.pk]) in page
    assert "Change this entry" not in page
    assert client.get(reverse("assets:edit", args=["riverside", service.pk])).status_code == 403


# ------------------------------------------------------------------------------ the list and its filters


def names(response) -> list[str]:
    return [service.name for service in response.context["page"]]


@pytest.fixture
def listed(riverside, home, coordinator, surgery, staff):
    """Four entries that differ in every filter."""
    add_area(
        riverside,
        actor=None,
        code="E05000003",
        name="Riverside Centre",
        latitude=Decimal("51.5"),
        longitude=Decimal("-0.12"),
    )
    add_area(
        riverside,
        actor=None,
        code="E05000004",
        name="Far Hills",
        latitude=Decimal("53.0"),
        longitude=Decimal("-2.0"),
    )
    peer = TaxonomyTerm.objects.get(category__name="Peer support", taxonomy__community=riverside)
    services.save_service(
        organisation=home,
        actor=coordinator,
        name="Lunch club",
        minimum_age=60,
        places=[hall()],
        schedules=[mondays()],
        terms=[peer],
    )
    services.save_service(
        organisation=home,
        actor=coordinator,
        name="Youth club",
        minimum_age=11,
        maximum_age=18,
        cost=Cost.PAID,
        places=[
            hall(
                name="Youth centre",
                postcode="RV9 9ZZ",
                step_free=False,
                latitude=Decimal("53.0"),
                longitude=Decimal("-2.0"),
            )
        ],
        schedules=[
            ScheduleData(
                freq="WEEKLY", byday=["FR"], opens_at=datetime.time(18), closes_at=datetime.time(21)
            )
        ],
    )
    services.save_service(
        organisation=organisation_for_partner(surgery),
        actor=staff,
        name="Carers' advice",
        description="Benefits and respite for carers.",
        cost=Cost.FREE,
    )
    services.save_service(
        organisation=home,
        actor=coordinator,
        name="Fun day",
        places=[
            hall(name="The green", postcode="RV1 3CD", step_free=False, accessible_toilet=True)
        ],
        schedules=[
            ScheduleData(
                valid_from=datetime.date.today()
                + datetime.timedelta(days=7 - datetime.date.today().weekday()),
                opens_at=datetime.time(11),
                closes_at=datetime.time(16),
            )
        ],
    )  # next Monday
    return peer


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, ["Carers' advice", "Fun day", "Lunch club", "Youth club"]),
        ({"q": "respite"}, ["Carers' advice"]),
        ({"q": "surgery"}, ["Carers' advice"]),  # the organisation's name
        ({"q": "RESPITE Surgery"}, ["Carers' advice"]),  # every word, in any case, anywhere
        ({"q": "surgery lunch"}, []),  # every word must match, not any
        ({"q": "CLUB"}, ["Lunch club", "Youth club"]),
        ({"free": "on"}, ["Carers' advice", "Fun day", "Lunch club"]),
        ({"accessible": "on"}, ["Fun day", "Lunch club"]),
        ({"age": "15"}, ["Carers' advice", "Fun day", "Youth club"]),
        ({"age": "70"}, ["Carers' advice", "Fun day", "Lunch club"]),
        ({"day": "MO"}, ["Fun day", "Lunch club"]),
        ({"day": "MO", "at": "11:30"}, ["Fun day", "Lunch club"]),
        ({"day": "MO", "at": "15:00"}, ["Fun day"]),
        ({"day": "FR", "at": "19:00"}, ["Youth club"]),
        ({"postcode": "rv9 9zz", "within": "2"}, ["Youth club"]),
    ],
)
def test_the_filters_narrow_the_list(client, member, listed, query, expected):
    client.force_login(member)
    response = client.get(reverse("assets:directory", args=["riverside"]), query)
    assert response.status_code == 200
    assert names(response) == expected


def test_filter_by_category_and_by_area(client, member, listed, riverside):
    client.force_login(member)
    url = reverse("assets:directory", args=["riverside"])
    assert names(client.get(url, {"term": listed.pk})) == ["Lunch club"]
    assert names(client.get(url, {"term": listed.parent_id})) == [
        "Lunch club"
    ]  # the parent includes its children
    refused = client.get(url, {"term": "999999"})
    assert "Select a valid choice" in refused.content.decode() and names(refused) == names(client.get(url))
    centre = riverside.areas.get(name="Riverside Centre")
    assert names(client.get(url, {"near": centre.pk})) == ["Fun day", "Lunch club"]


def test_the_filter_disclosure_counts_the_filters_in_use(client, member, listed):
    client.force_login(member)
    response = client.get(
        reverse("assets:directory", args=["riverside"]),
        {"q": "", "within": "2", "day": "MO", "free": "on", "age": "70"},
    )
    assert "Filter (3 active)" in response.content.decode()


def test_a_postcode_nobody_has_or_that_is_not_one_is_a_clear_form_error(client, member, listed):
    client.force_login(member)
    url = reverse("assets:directory", args=["riverside"])
    for postcode, message in (
        ("ZZ1 1ZZ", "No place in the directory has this postcode"),
        ("hello", "Enter a UK postcode"),
    ):
        response = client.get(url, {"postcode": postcode})
        assert response.status_code == 200
        assert message in response.content.decode()
        assert '<details class="govuk-details app-filter" open>' in response.content.decode()


def test_the_list_needs_the_same_queries_for_5_and_60_entries(client, member, home, coordinator):
    client.force_login(member)
    url = reverse("assets:directory", args=["riverside"])

    def add(n, start):
        for i in range(start, start + n):
            services.save_service(
                organisation=home,
                actor=coordinator,
                name=f"Entry {i:03}",
                places=[hall()],
                schedules=[mondays()],
            )

    add(5, 0)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"free": "on", "day": "MO"}).status_code == 200
    add(55, 5)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"free": "on", "day": "MO"})
    assert response.context["page"].paginator.count == 60
    assert len(response.context["page"].object_list) == 20
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert "page=2" in response.content.decode()


def test_inactive_entries_are_not_listed(client, member, lunch_club):
    Service.objects.filter(pk=lunch_club.pk).update(active=False)
    client.force_login(member)
    assert names(client.get(reverse("assets:directory", args=["riverside"]))) == []


@time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False)
def test_past_schedules_do_not_count_as_open(home, coordinator, riverside):
    services.save_service(
        organisation=home,
        actor=coordinator,
        name="Winter club",
        schedules=[
            mondays(valid_from=datetime.date(2025, 11, 1), valid_to=datetime.date(2026, 2, 28))
        ],
    )
    assert not queries.directory(riverside, day="MO").exists()


def test_an_entrys_description_is_entered_and_shown_in_each_language(client, coordinator, home):
    """Issue 18, point 3: "what it is" in Welsh beside English; a Welsh reader sees the Welsh, a
    Spanish reader (none entered) the community's own."""
    client.force_login(coordinator)
    page = client.get(reverse("assets:new", args=["riverside"])).content.decode()
    assert 'name="description__cy"' in page and 'name="description__es"' in page
    client.post(reverse("assets:new", args=["riverside"]), {
        "organisation": home.pk, "name": "Knit and natter", "cost": "free",
        "description": "Bring your knitting", "description__cy": "Dewch â'ch gwau"})
    service = Service.objects.get(name="Knit and natter")
    assert service.translations == {"cy": {"description": "Dewch â'ch gwau"}}
    url = reverse("assets:service", args=["riverside", service.pk])
    for language, shown in (("cy", "Dewch â&#x27;ch gwau"), ("es", "Bring your knitting")):
        client.cookies["django_language"] = language
        assert shown in client.get(url).content.decode(), language
    client.cookies["django_language"] = "en-gb"
    edit = client.get(reverse("assets:edit", args=["riverside", service.pk])).content.decode()
    assert "Dewch â&#x27;ch gwau" in edit  # kept for the next edit
