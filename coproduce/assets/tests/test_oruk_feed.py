"""The Open Referral UK 3.0 feed, tested the way the standard's validator reads a feed.

Every list endpoint is read first, page by page; the ids in its contents are fed to the detail
endpoints; every answer is validated with ``jsonschema`` against the vendored schemas (the
standard's own files, never a copy of our reading of them), formats included.
"""

import datetime
import json
import math
import uuid
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import FormatChecker
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from coproduce import testing
from coproduce.assets.models import Cost, Service, Taxonomy, TaxonomyTerm
from coproduce.assets.tests.factories import (
    make_location,
    make_organisation,
    make_service,
    make_taxonomy,
    make_term,
    weekly,
)
from coproduce.assets.views_oruk import SCHEMAS

pytestmark = pytest.mark.django_db

# Where openapi.json says its schemas live; the same files are vendored in SCHEMAS.
UPSTREAM = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
COMPILED = (
    "service",
    "service_list",
    "organization",
    "organization_list",
    "service_at_location",
    "service_at_location_list",
)
PAGE_KEYS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}


def _load(name):
    return json.loads((SCHEMAS / name).read_text())


def _registry():
    resources = [(f"{UPSTREAM}compiled/{name}.json", _load(f"{name}.json")) for name in COMPILED]
    resources += [
        (f"{UPSTREAM}{name}.json", _load(f"{name}.json")) for name in ("taxonomy", "taxonomy_term")
    ]
    openapi = _load("openapi.json")
    resources.append(("openapi.json", openapi))
    return Registry().with_resources(
        (uri, Resource.from_contents(contents, default_specification=DRAFT202012))
        for uri, contents in resources
    )


REGISTRY = _registry()
OPENAPI = _load("openapi.json")


def _from_openapi(path):
    """The 200 answer's schema for ``path`` as openapi.json gives it, its local refs made absolute."""
    schema = OPENAPI["paths"][path]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    return json.loads(json.dumps(schema).replace('"#/components/', '"openapi.json#/components/'))


def _page_of(item_uri):
    return {
        "allOf": [{"$ref": "openapi.json#/components/schemas/Page"}],
        "properties": {"contents": {"type": "array", "items": {"$ref": item_uri}}},
    }


# What each endpoint's answer must validate against. The UK profile's openapi.json has no
# /organizations, so those use its compiled organization schemas inside the same Page; and it
# gives compiled/service.json for /service_at_locations/{id}, which describes a service (it
# requires a name) and not the link, so the link's own compiled schema is used there.
SCHEMA_OF = {
    "services": _from_openapi("/services"),
    "services/{id}": _from_openapi("/services/{id}"),
    "taxonomies": _from_openapi("/taxonomies"),
    "taxonomies/{id}": _from_openapi("/taxonomies/{id}"),
    "taxonomy_terms": _from_openapi("/taxonomy_terms"),
    "taxonomy_terms/{id}": _from_openapi("/taxonomy_terms/{id}"),
    "service_at_locations": _from_openapi("/service_at_locations"),
    "service_at_locations/{id}": {"$ref": f"{UPSTREAM}compiled/service_at_location.json"},
    "organizations": _page_of(f"{UPSTREAM}compiled/organization_list.json"),
    "organizations/{id}": {"$ref": f"{UPSTREAM}compiled/organization.json"},
}
LISTS = ("services", "taxonomies", "taxonomy_terms", "service_at_locations", "organizations")


def _validator(schema):
    # The vendored schemas declare no $schema, so validator_for gives the default dialect
    # (2020-12), which is what a schema without one means to jsonschema; formats are checked.
    cls = validator_for(_load("service.json"))
    return cls(schema, registry=REGISTRY, format_checker=FormatChecker())


def test_the_format_checks_are_really_made():
    # Without rfc3986-validator jsonschema silently skips "uri": a feed with a bad URL would pass.
    assert {"uuid", "uri", "email"} <= set(FormatChecker.checkers)
    errors = list(
        _validator(SCHEMA_OF["services/{id}"]).iter_errors(
            {
                "id": "not-a-uuid",
                "name": "x",
                "status": "active",
                "url": "no scheme",
                "email": "nobody",
            }
        )
    )
    assert {e.path[-1] for e in errors} == {"id", "url", "email"}


def _assert_no_empty_optionals(data, path="$"):
    """Left out, not null or empty: "" only where the standard requires the field."""
    required_may_be_empty = {"description", "state_province", "city", "address_1", "postal_code"}
    if isinstance(data, dict):
        for key, value in data.items():
            assert value is not None and value != {}, f"{path}.{key} is empty"
            assert value != [] or (path, key) == ("$", "contents"), f"{path}.{key} is empty"
            if value == "":
                assert key in required_may_be_empty, f"{path}.{key} is an empty string"
            _assert_no_empty_optionals(value, f"{path}.{key}")
    elif isinstance(data, list):
        for i, item in enumerate(data):
            _assert_no_empty_optionals(item, f"{path}[{i}]")


def get_json(client, url, schema_key=None, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:500])
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    if schema_key:
        _validator(SCHEMA_OF[schema_key]).validate(data)
        _assert_no_empty_optionals(data)
    return data


# -- the directory under test -------------------------------------------------------------------


@pytest.fixture
def directory(riverside, member):
    """A small but varied directory: ages, schedules, terms in two taxonomies, costs, languages,
    places near and far, one withdrawn service, and one service a member looks after."""
    cats = make_taxonomy(
        riverside,
        "Riverside categories",
        description="What people come for.",
        uri="https://riverside.example/categories",
        version="2026",
    )
    activities = make_taxonomy(riverside, "Activities")
    food = make_term(cats, "Food", code="FOOD", description="Meals and food banks.")
    older = make_term(cats, "Older people", parent=food)
    exercise = make_term(activities, "Exercise")
    make_term(activities, "Gardening")  # a term nothing uses is still in the taxonomy

    tenants = make_organisation(
        riverside,
        "Riverside Tenants' Association",
        description="Run by tenants.",
        email="hello@tenants.example",
        website="https://tenants.example/",
    )
    library = make_organisation(riverside, "Riverside Library")
    gone = make_organisation(riverside, "Closed Club")  # runs nothing listed: not in the feed

    hall = make_location(
        riverside,
        organisation=tenants,
        name="St Mary's church hall",
        postcode="RV1 2AB",
        latitude="51.500000",
        longitude="-0.120000",
        address="1 Church Lane",
        city="Riverside",
        step_free=True,
        accessibility="Ramp at the side door.",
    )
    library_building = make_location(
        riverside,
        organisation=library,
        name="Library",
        postcode="rv2 3cd",
        latitude="51.510000",
        longitude="-0.120000",
    )  # ~1.1 km north
    far = make_location(
        riverside,
        name="Hilltop barn",
        postcode="RV9 9ZZ",
        latitude="51.600000",
        longitude="-0.120000",
    )  # ~11 km north
    park = make_location(riverside, name="The park", postcode="", latitude=None, longitude=None)

    services = [
        make_service(
            tenants,
            "Lunch club",
            description="A hot meal and company.",
            minimum_age=60,
            locations=[hall],
            terms=[food, older],
            languages=["en", "cy"],
            schedules=[weekly("MO,WE", "12:00", "14:00")],
            url="https://tenants.example/lunch",
            email="lunch@tenants.example",
            cost=Cost.PAID,
            cost_detail="£3 a meal",
            last_checked_on=datetime.date(2026, 9, 1),
            maintained_by=member,
            eligibility="Anyone over 60",
        ),
        make_service(
            tenants,
            "Breakfast for kids",
            description="Before school.",
            minimum_age=5,
            maximum_age=11,
            locations=[hall],
            terms=[food],
            schedules=[weekly("MO,TU,WE,TH,FR", "07:30", "08:45")],
        ),
        make_service(
            tenants,
            "Youth football",
            minimum_age=11,
            maximum_age=18,
            locations=[far],
            terms=[exercise],
            schedules=[weekly("SA", "10:00", "12:00")],
        ),
        make_service(
            tenants,
            "Walking group",
            description="Gentle walks, all ages.",
            locations=[park, far],
            terms=[exercise],
            schedules=[weekly("SU", "10:00", "11:30"), weekly("WE", "18:00", "19:00")],
            cost=Cost.TIME_CREDITS,
            credits_minutes=90,
        ),
        make_service(
            library,
            "Job club",
            description="Help with CVs and job searching.",
            minimum_age=16,
            locations=[library_building],
            schedules=[weekly("TU", "10:00", "12:00")],
        ),
        make_service(
            library,
            "Rhyme time",
            description="Songs for babies.",
            maximum_age=4,
            locations=[library_building],
            schedules=[weekly("FR", "09:30", "10:15")],
            languages=["en"],
        ),
        make_service(
            library,
            "Digital help",
            description="Help with phones, tablets and food bank vouchers.",
            minimum_age=18,
            maximum_age=120,
            locations=[library_building, hall],
            schedules=[
                {
                    "valid_from": datetime.date(2026, 12, 12),
                    "valid_to": datetime.date(2026, 12, 12),
                    "opens_at": datetime.time(14),
                    "closes_at": datetime.time(16),
                    "description": "One afternoon before Christmas",
                }
            ],
        ),
        make_service(
            library,
            "Reading group",
            minimum_age=18,
            maximum_age=99,
            schedules=[weekly("TH", "19:00", "20:30")],
        ),
        make_service(
            tenants,
            "Community garden",
            description="Grow your own food.",
            terms=[exercise],
            locations=[park],
        ),
        make_service(
            tenants, "Coffee morning", schedules=[weekly("WE", "10:00", "11:30")], locations=[hall]
        ),
        make_service(
            library,
            "Homework club",
            minimum_age=8,
            maximum_age=16,
            schedules=[weekly("MO,TH", "15:30", "17:00")],
            locations=[library_building],
        ),
    ]
    withdrawn = make_service(tenants, "Old bingo", active=False, locations=[hall], terms=[food])
    make_service(gone, "Closed club night", active=False)
    return {
        "services": services,
        "withdrawn": withdrawn,
        "terms": {"food": food, "older": older, "exercise": exercise},
        "taxonomies": [cats, activities],
        "orgs": [tenants, library, gone],
        "hall": hall,
        "library": library_building,
        "far": far,
        "park": park,
    }


# -- the validator's walk -----------------------------------------------------------------------


def _walk(client, endpoint, per_page):
    """Every page of a list, checking pagination as the validator does; returns the ids."""
    first = get_json(client, f"/oruk/{endpoint}?per_page={per_page}", endpoint)
    total, pages = first["total_items"], first["total_pages"]
    assert pages == math.ceil(total / per_page)
    ids = []
    for number in range(1, max(pages, 1) + 1):
        page = (
            first
            if number == 1
            else get_json(client, f"/oruk/{endpoint}?per_page={per_page}&page={number}", endpoint)
        )
        assert set(page) >= PAGE_KEYS
        assert page["page_number"] == number
        assert (page["total_items"], page["total_pages"]) == (total, pages)
        assert page["first_page"] is (number == 1)
        assert page["last_page"] is (number >= pages)
        assert page["empty"] is (total == 0)
        expected_size = min(per_page, total - (number - 1) * per_page)
        assert page["size"] == len(page["contents"]) == expected_size
        ids += [item["id"] for item in page["contents"]]
    assert len(ids) == len(set(ids)) == total
    return ids


def test_the_validators_walk_lists_then_details_and_every_answer_is_valid(
    client, directory, member
):
    services = directory["services"]
    ids = {endpoint: _walk(client, endpoint, per_page=3) for endpoint in LISTS}

    # A middle page exists for the services (11 at 3 a page: pages 1, 2, 3 and a short 4).
    assert len(ids["services"]) == 11
    assert set(ids["services"]) == {str(s.id) for s in services}
    assert str(directory["withdrawn"].id) not in ids["services"]
    # Everything in the vocabularies is public, including the community's own categories.
    assert set(ids["taxonomy_terms"]) == {
        str(t) for t in TaxonomyTerm.objects.values_list("id", flat=True)
    }
    assert {str(t.id) for t in directory["terms"].values()} <= set(ids["taxonomy_terms"])
    assert set(ids["taxonomies"]) == {str(t) for t in Taxonomy.objects.values_list("id", flat=True)}
    assert set(ids["organizations"]) == {str(o.id) for o in directory["orgs"][:2]}

    answers = []
    for endpoint, found in ids.items():
        for id_ in found:
            answers.append(get_json(client, f"/oruk/{endpoint}/{id_}", f"{endpoint}/{{id}}"))
            assert answers[-1]["id"] == id_

    # Never anything personal: the member who looks after the lunch club is nowhere in the feed.
    text = json.dumps(answers)
    assert member.email not in text and "Alice" not in text and "Ashby" not in text


def test_a_service_is_fully_nested_as_the_uk_profile_names_it(client, directory):
    lunch = directory["services"][0]
    data = get_json(client, f"/oruk/services/{lunch.id}", "services/{id}")
    assert data["organization"]["name"] == "Riverside Tenants' Association"
    assert data["organization"]["email"] == "hello@tenants.example"
    assert data["email"] == "lunch@tenants.example"
    assert data["status"] == "active"
    assert data["minimum_age"] == 60 and "maximum_age" not in data
    assert data["assured_date"] == "2026-09-01"
    assert "assurer_email" not in data  # who checked it is a member: never published
    [schedule] = data["schedules"]
    assert (schedule["freq"], schedule["byday"], schedule["opens_at"], schedule["closes_at"]) == (
        "WEEKLY",
        "MO,WE",
        "12:00",
        "14:00",
    )
    [link] = data["service_at_locations"]
    place = link["location"]
    assert (place["name"], place["latitude"], place["longitude"]) == (
        "St Mary's church hall",
        51.5,
        -0.12,
    )
    assert place["addresses"][0]["postal_code"] == "RV1 2AB"
    assert place["addresses"][0]["address_1"] == "1 Church Lane"
    assert place["accessibility"][0]["description"] == "Ramp at the side door."
    assert "step-free access" in place["accessibility"][0]["details"]
    assert [lang["code"] for lang in data["languages"]] == ["en", "cy"]
    assert data["cost_options"][0]["option"] == "paid"
    assert data["fees"] == "£3 a meal"
    terms = {a["taxonomy_term"]["name"]: a["taxonomy_term"] for a in data["attributes"]}
    assert set(terms) == {"Food", "Older people"}
    assert terms["Older people"]["parent_id"] == str(directory["terms"]["food"].id)
    assert terms["Food"]["taxonomy"] == "Riverside categories"

    # The derived ids (address, cost, language...) are the same on every read.
    assert get_json(client, f"/oruk/services/{lunch.id}") == data

    walking = get_json(client, f"/oruk/services/{directory['services'][3].id}", "services/{id}")
    assert walking["cost_options"][0]["amount"] == 1.5  # 90 minutes of time credits, in hours
    park_link = next(
        link
        for link in walking["service_at_locations"]
        if link["location_id"] == str(directory["park"].id)
    )
    # A place with no address or point leaves them out rather than sending nulls.
    assert set(park_link["location"]) == {"id", "location_type", "name"}


def test_the_root_describes_the_feed_and_serves_the_standards_openapi(client, directory):
    data = get_json(client, "/oruk/")
    assert data["version"] == "HSDS-UK-3.0"
    assert data["profile"].startswith("https://")
    assert data["openapi_url"] == "http://testserver/oruk/openapi.json"
    response = client.get("/oruk/openapi.json")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert json.loads(response.content) == OPENAPI


def test_an_empty_directory_is_a_valid_empty_page(client, db):
    for endpoint in LISTS:
        page = get_json(client, f"/oruk/{endpoint}", endpoint)
        assert (page["total_items"], page["size"], page["empty"], page["contents"]) == (
            0,
            0,
            True,
            [],
        )
        assert page["first_page"] and page["last_page"]


def test_the_default_page_is_50_and_per_page_is_bounded(client, directory):
    page = get_json(client, "/oruk/services", "services")
    assert (page["total_pages"], page["size"]) == (1, 11)
    assert get_json(client, "/oruk/services?per_page=200", "services")["size"] == 11


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=abc",
        "page=99",
        "per_page=0",
        "per_page=201",
        "per_page=ten",
        "minimum_age=old",
        "maximum_age=-3",
        "day=Monday",
        "start_time=25:00",
        "end_time=noon",
        "taxonomy_term_id=food",
        "taxonomy_id=1",
    ],
)
def test_bad_input_is_a_json_4xx_not_a_page_or_a_500(client, directory, query):
    response = client.get(f"/oruk/services?{query}")
    assert 400 <= response.status_code < 500
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["errors"][0]["message"]


@pytest.mark.parametrize("endpoint", LISTS)
def test_unknown_and_malformed_ids_are_json_404s(client, directory, endpoint):
    for id_ in ("not-a-uuid", str(uuid.uuid4()), "1"):
        data = get_json(client, f"/oruk/{endpoint}/{id_}", status=404)
        assert data["errors"]


def test_withdrawn_services_and_their_links_are_not_in_the_feed(client, directory):
    withdrawn = directory["withdrawn"]
    get_json(client, f"/oruk/services/{withdrawn.id}", status=404)
    get_json(client, f"/oruk/service_at_locations/{withdrawn.at_locations.get().id}", status=404)
    get_json(client, f"/oruk/organizations/{directory['orgs'][2].id}", status=404)


def test_the_feed_is_read_only_and_answers_cors_preflight(client, directory):
    response = client.post("/oruk/services", {"name": "Spam"})
    assert response.status_code == 405 and response.json()["errors"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert Service.objects.count() == 13
    preflight = client.options("/oruk/services")
    assert preflight.status_code == 204 and preflight["Access-Control-Allow-Origin"] == "*"
    assert get_json(client, "/oruk/nothing/here", status=404)["errors"]


# -- filters, against an independent reading of the fixtures ------------------------------------


def _expected(services, params):
    """The filters as openapi.json words them, applied in Python to the fixtures."""

    def open_as_asked(schedule):
        day, start, end = params.get("day"), params.get("start_time"), params.get("end_time")
        return (
            (not day or day in schedule.byday.split(","))
            and (
                not start
                or (schedule.opens_at and schedule.opens_at >= datetime.time.fromisoformat(start))
            )
            and (
                not end
                or (schedule.closes_at and schedule.closes_at <= datetime.time.fromisoformat(end))
            )
        )

    found = []
    for s in services:
        terms = list(s.terms.all())
        if "search" in params and not any(
            params["search"].lower() in text.lower() for text in (s.name, s.description)
        ):
            continue
        if "taxonomy_term_id" in params and params["taxonomy_term_id"] not in {
            str(t.id) for t in terms
        }:
            continue
        if "taxonomy_id" in params and params["taxonomy_id"] not in {
            str(t.taxonomy_id) for t in terms
        }:
            continue
        if "minimum_age" in params and (s.minimum_age or 0) < float(params["minimum_age"]):
            continue
        if "maximum_age" in params and (
            s.maximum_age is None or s.maximum_age > float(params["maximum_age"])
        ):
            continue
        if {"day", "start_time", "end_time"} & set(params) and not any(
            map(open_as_asked, s.schedules.all())
        ):
            continue
        found.append(str(s.id))
    return set(found)


FILTER_CASES = [
    {"search": "FOOD"},  # only in descriptions ("grow your own food", "food bank"), any case
    {"search": "club"},
    {"search": "nothing like this"},
    {"minimum_age": "16"},
    {"maximum_age": "16"},
    {"minimum_age": "5", "maximum_age": "18"},
    {"day": "WE"},
    {"day": "mo"},
    {"day": "WE", "start_time": "10:00"},
    {"day": "WE", "end_time": "12:00"},
    {"start_time": "09:00", "end_time": "12:00"},
    {
        "day": "SU",
        "start_time": "18:00",
    },  # open on Sunday and from 18:00 on some day: not the same schedule
    {"taxonomy_term": "food"},
    {"taxonomy_term": "exercise", "day": "SA"},
    {"taxonomy": 0},
    {"taxonomy": 1, "search": "walk"},
]


@pytest.mark.parametrize("case", FILTER_CASES, ids=[json.dumps(c) for c in FILTER_CASES])
def test_service_filters_return_exactly_the_matching_services(client, directory, case):
    params = dict(case)
    if "taxonomy_term" in params:
        params["taxonomy_term_id"] = str(directory["terms"][params.pop("taxonomy_term")].id)
    if "taxonomy" in params:
        params["taxonomy_id"] = str(directory["taxonomies"][params.pop("taxonomy")].id)
    query = urlencode(params)
    if "day" in params:  # the feed takes the day code in any case
        params["day"] = params["day"].upper()
    page = get_json(client, f"/oruk/services?per_page=200&{query}", "services")
    expected = _expected(Service.objects.listed().prefetch_related("terms", "schedules"), params)
    assert {item["id"] for item in page["contents"]} == expected
    assert page["total_items"] == len(expected)

    # The same filters narrow the services at locations to those services' links.
    links = get_json(
        client, f"/oruk/service_at_locations?per_page=200&{query}", "service_at_locations"
    )
    assert {item["service_id"] for item in links["contents"]} == {
        s for s in expected if Service.objects.get(pk=s).at_locations.exists()
    }


def test_the_filters_are_not_vacuous(directory):
    # Each case above that should narrow does: a filter that matched everything (or nothing)
    # every time would pass the comparison without testing anything.
    services = list(Service.objects.listed().prefetch_related("terms", "schedules"))
    sizes = {
        json.dumps(c): len(
            _expected(
                services, {k: v for k, v in c.items() if k not in ("taxonomy_term", "taxonomy")}
            )
        )
        for c in FILTER_CASES
    }
    assert sizes['{"day": "WE"}'] == 4  # lunch, breakfast, walking (Wednesday evening), coffee
    assert sizes['{"day": "SU", "start_time": "18:00"}'] == 0
    assert sizes['{"minimum_age": "16"}'] == 4  # lunch (60), job club (16), digital help, reading
    assert 0 < sizes['{"search": "club"}'] < 11


# -- near a postcode ----------------------------------------------------------------------------


def test_near_a_postcode_filters_by_proximity_and_orders_by_distance(client, directory):
    near = get_json(
        client, "/oruk/service_at_locations?postcode=rv12ab&proximity=500", "service_at_locations"
    )
    assert {item["location_id"] for item in near["contents"]} == {str(directory["hall"].id)}
    wider = get_json(
        client,
        "/oruk/service_at_locations?postcode=RV1%202AB&proximity=2000&per_page=200",
        "service_at_locations",
    )
    places = [item["location_id"] for item in wider["contents"]]
    assert set(places) == {str(directory["hall"].id), str(directory["library"].id)}
    assert places == sorted(places, key=lambda p: p != str(directory["hall"].id))  # nearest first
    everything = get_json(client, "/oruk/service_at_locations?postcode=RV1 2AB&per_page=200")
    # Without a proximity all places with a point come, nearest first; the park has no point.
    assert everything["contents"][-1]["location_id"] == str(directory["far"].id)
    assert str(directory["park"].id) not in {item["location_id"] for item in everything["contents"]}


@pytest.mark.parametrize(
    "query",
    [
        "postcode=ZZ99 9ZZ",
        "postcode=not a postcode",
        "proximity=500",
        "postcode=RV1 2AB&proximity=far",
        "postcode=RV1 2AB&proximity=-1",
    ],
)
def test_unknown_postcodes_and_bad_proximity_are_400s(client, directory, query):
    data = get_json(client, f"/oruk/service_at_locations?{query}", status=400)
    assert data["errors"][0]["parameter"] in ("postcode", "proximity")
    if "ZZ99" in query:
        assert "unknown" in data["errors"][0]["message"]


# -- cost per page ------------------------------------------------------------------------------


def _many(community, how_many):
    cats = make_taxonomy(community, f"Categories {how_many}")
    term = make_term(cats, "Food")
    org = make_organisation(community, "Org")
    for i in range(how_many):
        place = make_location(community, organisation=org, name=f"Place {i}", postcode="RV1 2AB")
        make_service(
            org,
            f"Service {i:03}",
            locations=[place],
            terms=[term],
            languages=["en"],
            schedules=[weekly("MO", "10:00", "11:00"), weekly("TU", "10:00", "11:00")],
        )
    return Service.objects.filter(organisation=org).first()


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


URLS = [
    "/oruk/services?per_page=200",
    "/oruk/services?per_page=200&day=MO&taxonomy_id={tax}",
    "/oruk/service_at_locations?per_page=200",
    "/oruk/service_at_locations?postcode=RV12AB&proximity=100",
    "/oruk/organizations?per_page=200",
    "/oruk/organizations/{org}",
    "/oruk/taxonomy_terms?per_page=200",
    "/oruk/services/{service}",
    "/oruk/service_at_locations/{link}",
]


def test_a_page_costs_the_same_queries_for_5_services_as_for_60(client, riverside):
    hilltop = testing.make_community(
        "hilltop", "Hilltop Time Bank", areas=(("E05000009", "Hilltop Village"),)
    )
    counts = {}
    for community, n in ((riverside, 5), (hilltop, 60)):
        Service.objects.all().delete()
        one = _many(community, n)
        ids = {
            "tax": one.terms.get().taxonomy_id,
            "org": one.organisation_id,
            "service": one.id,
            "link": one.at_locations.get().id,
        }
        counts[n] = [_count(client, url.format(**ids)) for url in URLS]
    assert counts[5] == counts[60]
    assert max(counts[60]) <= 6
