"""Importing another directory's Open Referral UK feed (``import_oruk`` and the coordinators' page).

The feed is served from recorded pages in ``fixtures/oruk`` (built from the UK profile's own
examples: see its README); no test touches the network.
"""

import copy
import datetime
import io
import ipaddress
import json
import socket
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client as DjangoClient

from coproduce.assets import importer, views_import
from coproduce.assets.importer import ImportFailed, import_feed, import_file
from coproduce.assets.models import (
    AssetOrganisation,
    Cost,
    Location,
    Origin,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.partners.tests.fixtures import staff, surgery  # noqa: F401 (pytest fixtures)
from coproduce.testing import LOGIN, assert_status, each_persona, matrix_params

FIXTURES = Path(__file__).parent / "fixtures" / "oruk"
BASE = "https://directory.example.org/oruk"
COUNSELLING = "ac148810-d857-441c-9679-408f346de14b"
LUNCH = "2f6a8c1e-0d4b-4e7a-9c3f-5b1d2e3f4a01"
WALK = "2f6a8c1e-0d4b-4e7a-9c3f-5b1d2e3f4a04"
HALL = "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e01"
MODELS = (AssetOrganisation, Service, Location, Schedule, ServiceAtLocation, Taxonomy, TaxonomyTerm)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def recorded_feed(**replaced) -> dict[str, bytes]:
    """URL -> body of the recorded feed; ``replaced`` swaps pages ("root", "page_1", "page_2")."""
    pages = {
        "root": fixture("feed/root.json"),
        "page_1": fixture("feed/services_page_1.json"),
        "page_2": fixture("feed/services_page_2.json"),
    }
    pages.update(replaced)
    return {
        f"{BASE}/": pages["root"],
        f"{BASE}/services?page=1": pages["page_1"],
        f"{BASE}/services?page=2": pages["page_2"],
        f"{BASE}/services/{COUNSELLING}": fixture(f"feed/service_{COUNSELLING}.json"),
    }


class FakeFeed:
    """A fetch serving recorded pages; it remembers what was asked for."""

    def __init__(self, pages=None):
        self.pages = recorded_feed() if pages is None else pages
        self.requested = []

    def __call__(self, url: str) -> bytes:
        self.requested.append(url)
        if url not in self.pages:
            raise ImportFailed([f"{url} answered HTTP 404."])
        return self.pages[url]


def page(name: str) -> dict:
    return json.loads(fixture(name))


def as_bytes(data) -> bytes:
    return json.dumps(data).encode()


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail any test that would reach the network; IP literals still resolve (the page's guard reads them)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise AssertionError(f"a test looked up {host}") from None
        return real(host, *args, **kwargs)

    def refuse(self, request, *args, **kwargs):
        raise AssertionError(f"a test opened {getattr(request, 'full_url', request)}")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)


def snapshot():
    """Every asset row, to show an import wrote nothing, or nothing new."""
    return {model.__name__: sorted(map(repr, model.objects.values())) for model in MODELS}


def nothing_imported():
    """No service, organisation, place or term from a feed (the community's own categories are terms too)."""
    return (
        not any(
            model.objects.exists()
            for model in (Service, AssetOrganisation, Location, Schedule, ServiceAtLocation)
        )
        and not TaxonomyTerm.objects.filter(category__isnull=True).exists()
        and not AuditEntry.objects.filter(action=AuditAction.ASSETS_IMPORTED).exists()
    )


# ------------------------------------------------------------------------------ the recorded feed


def test_the_recorded_feed_creates_exactly_what_it_holds(riverside, coordinator):
    feed = FakeFeed()
    report = import_feed(riverside, BASE, actor=coordinator, fetch=feed)

    # The list's summary of the profile's example service was completed from /services/{id}.
    assert f"{BASE}/services/{COUNSELLING}" in feed.requested
    assert report.pages == 2
    assert set(Service.objects.values_list("name", flat=True)) == {
        "Community Counselling",
        "Riverside Lunch Club",
        "Job Club",
        "Tenants' Association meeting",
        "Health walk in the park",
    }
    assert set(AssetOrganisation.objects.values_list("name", flat=True)) == {
        "Example Organization Inc.",
        "Riverside Community Association",
        "Riverside Library",
    }
    assert set(Location.objects.values_list("name", flat=True)) == {
        "MyCity Civic Center",
        "St Mark's Church Hall",
        "Riverside Library",
        "Riverside Park gates",
    }
    assert Schedule.objects.count() == 5 and ServiceAtLocation.objects.count() == 5
    # (The community's own categories are terms too, mirrored by ``sync``: they are not the feed's.)
    imported_terms = TaxonomyTerm.objects.filter(category__isnull=True)
    assert set(imported_terms.values_list("name", flat=True)) == {
        "name",
        "Food",
        "Lunch clubs",
        "Work and skills",
    }
    assert set(
        Taxonomy.objects.filter(terms__in=imported_terms).values_list("name", flat=True)
    ) == {"taxonomy", "Riverside categories"}
    assert report.counts["services"] == {"created": 5, "updated": 0, "unchanged": 0}
    assert (
        report.counts["organisations"]["created"] == 3
        and report.counts["locations"]["created"] == 4
    )
    assert report.conflicts == []

    lunch = Service.objects.get(pk=LUNCH)
    assert (lunch.origin, lunch.source_url, lunch.maintained_by, lunch.edited_locally) == (
        Origin.IMPORTED,
        BASE,
        coordinator,
        False,
    )
    assert lunch.imported_at is not None and lunch.community == riverside
    assert (lunch.cost, lunch.cost_detail, lunch.minimum_age, lunch.maximum_age) == (
        Cost.PAID,
        "£3.50 a meal",
        60,
        None,
    )
    assert lunch.last_checked_on == datetime.date(2026, 10, 1)
    assert lunch.organisation.name == "Riverside Community Association"
    (schedule,) = lunch.schedules.all()
    assert (schedule.freq, schedule.byday, schedule.opens_at, schedule.closes_at) == (
        "WEEKLY",
        "TU,TH",
        datetime.time(12),
        datetime.time(14),
    )
    (hall,) = lunch.locations.all()
    assert (hall.address, hall.city, hall.postcode) == ("12 Church Lane", "Riverside", "M16 0RA")
    assert (hall.latitude, hall.longitude) == (Decimal("53.463100"), Decimal("-2.291300"))
    assert hall.accessibility == "Ramp at the side door; hearing loop in the main hall."
    # The tenants' meeting is in the same hall: one place, two services.
    assert set(hall.services.values_list("name", flat=True)) == {
        "Riverside Lunch Club",
        "Tenants' Association meeting",
    }
    (term,) = lunch.terms.all()
    assert (term.name, term.code, term.parent.name, term.taxonomy.name) == (
        "Lunch clubs",
        "food-lunch",
        "Food",
        "Riverside categories",
    )
    assert str(term.taxonomy.pk) == "9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c01"
    walk = Service.objects.get(pk=WALK)
    assert walk.active is False  # "temporarily closed"
    (one_off,) = walk.schedules.all()
    assert (one_off.freq, one_off.valid_from, one_off.valid_to) == (
        "",
        datetime.date(2027, 3, 14),
        datetime.date(2027, 3, 14),
    )
    counselling = Service.objects.get(pk=COUNSELLING)
    assert counselling.cost == Cost.PAID and counselling.minimum_age == 12
    assert counselling.locations.get().postcode == "M2 5DB"
    entry = AuditEntry.objects.get(action=AuditAction.ASSETS_IMPORTED)
    assert (entry.actor, entry.community, entry.subject) == (coordinator, riverside, BASE)
    assert entry.detail["created"] == report.total("created")


def test_importing_twice_changes_nothing(riverside, coordinator):
    import_feed(riverside, BASE, actor=coordinator, fetch=FakeFeed())
    before = snapshot()
    report = import_feed(riverside, BASE, actor=coordinator, fetch=FakeFeed())
    assert snapshot() == before
    assert report.total("created") == report.total("updated") == 0
    assert report.counts["services"]["unchanged"] == 5 and report.conflicts == []


def test_a_change_in_the_feed_updates_only_that_record(riverside, coordinator):
    import_feed(riverside, BASE, actor=coordinator, fetch=FakeFeed())
    changed = page("feed/services_page_2.json")
    walk = changed["contents"][1]
    walk["name"] = "Health walk round the lake"
    walk["schedules"][0]["closes_at"] = "11:30:00"
    walk.pop("attributes")
    report = import_feed(
        riverside, BASE, actor=coordinator, fetch=FakeFeed(recorded_feed(page_2=as_bytes(changed)))
    )
    assert report.counts["services"] == {"created": 0, "updated": 1, "unchanged": 4}
    service = Service.objects.get(pk=WALK)
    assert service.name == "Health walk round the lake"
    assert service.schedules.get().closes_at == datetime.time(11, 30)
    assert not service.terms.exists()


def test_a_service_dropped_from_a_place_loses_the_link_but_the_place_stays(riverside, coordinator):
    import_feed(riverside, BASE, actor=coordinator, fetch=FakeFeed())
    changed = page("feed/services_page_2.json")
    changed["contents"][0]["service_at_locations"] = []  # the tenants have moved out of the hall
    import_feed(
        riverside, BASE, actor=coordinator, fetch=FakeFeed(recorded_feed(page_2=as_bytes(changed)))
    )
    assert list(Location.objects.get(pk=HALL).services.values_list("name", flat=True)) == [
        "Riverside Lunch Club"
    ]


def test_a_local_edit_is_a_conflict_not_overwritten(riverside, coordinator):
    import_feed(riverside, BASE, actor=coordinator, fetch=FakeFeed())
    # What the directory's edit page does to an imported entry (services.save_service).
    Service.objects.filter(pk=LUNCH).update(
        name="Lunch Club (Tuesdays only)", minimum_age=55, edited_locally=True
    )
    Schedule.objects.filter(service_id=LUNCH).update(byday="TU")
    report = import_feed(riverside, BASE, actor=coordinator, fetch=FakeFeed())
    (conflict,) = report.conflicts
    assert (conflict.kind, conflict.id, conflict.name) == (
        "service",
        LUNCH,
        "Lunch Club (Tuesdays only)",
    )
    assert set(conflict.fields) == {"name", "minimum_age", "times"}
    lunch = Service.objects.get(pk=LUNCH)
    assert (lunch.name, lunch.minimum_age, lunch.schedules.get().byday) == (
        "Lunch Club (Tuesdays only)",
        55,
        "TU",
    )
    assert report.counts["services"]["unchanged"] == 4
    assert "Lunch Club (Tuesdays only)" in str(conflict) and "minimum_age" in str(conflict)


def test_a_place_added_here_is_not_taken_over_by_a_feed(riverside, coordinator):
    Location.objects.create(
        id=HALL, community=riverside, name="Church hall (ours)", postcode="M16 0RA"
    )
    report = import_feed(riverside, BASE, actor=coordinator, fetch=FakeFeed())
    assert [(c.kind, c.name) for c in report.conflicts] == [("place", "Church hall (ours)")]
    hall = Location.objects.get(pk=HALL)
    assert hall.name == "Church hall (ours)" and hall.imported_at is None
    assert hall.services.count() == 2  # the services are linked to it all the same


def test_records_of_another_community_are_refused(
    riverside, hilltop, coordinator, other_coordinator
):
    import_feed(riverside, BASE, actor=coordinator, fetch=FakeFeed())
    before = snapshot()
    with pytest.raises(ImportFailed) as failure:
        import_feed(hilltop, BASE, actor=other_coordinator, fetch=FakeFeed())
    assert any(
        "belongs to another community's directory" in error for error in failure.value.errors
    )
    assert snapshot() == before


def test_a_feed_cannot_take_over_another_services_schedule(riverside, coordinator):
    import_feed(riverside, BASE, actor=coordinator, fetch=FakeFeed())
    before = snapshot()
    intruder = _walk(id="2f6a8c1e-0d4b-4e7a-9c3f-5b1d2e3f4a99")
    lunch_schedule = page("feed/services_page_1.json")["contents"][1]["schedules"][0]["id"]
    intruder["schedules"][0]["id"] = lunch_schedule
    intruder["service_at_locations"] = []
    with pytest.raises(ImportFailed) as failure:
        import_file(riverside, as_bytes([intruder]), name="intruder.json")
    assert failure.value.errors == [
        f"schedule {lunch_schedule} belongs to another service here; it cannot be moved to "
        f"{intruder['id']}."
    ]
    assert snapshot() == before


# ------------------------------------------------------------------------------ bad input


BAD_FEEDS = [
    pytest.param(
        {"root": fixture("malformed/root_wrong_version.json")},
        f"{BASE}/ is not an Open Referral UK feed: its version is “3.0”, not HSDS-UK-3.0.",
        id="version",
    ),
    pytest.param(
        {"root": b"<html>Directory</html>"},
        f"The feed's root ({BASE}/) is not JSON",
        id="root-not-json",
    ),
    pytest.param(
        {"page_2": fixture("malformed/services_page_2_not_json.json")},
        f"Page 2 of the services ({BASE}/services?page=2) is not JSON",
        id="page-not-json",
    ),
    pytest.param(
        {"page_2": fixture("malformed/services_page_2_missing_name.json")},
        f"page 2, service 3 (id {WALK}): missing name",
        id="missing-name",
    ),
    pytest.param(
        {"page_2": fixture("malformed/services_page_2_repeated_id.json")},
        f"page 2, service 3 (id {LUNCH}): the same id as page 1, service 2 (id {LUNCH})",
        id="repeated-id",
    ),
    pytest.param(
        {"page_2": b'{"contents": []}'},
        f"Page 2 of the services ({BASE}/services?page=2) has no whole number “total_pages”.",
        id="no-total-pages",
    ),
]


@pytest.mark.parametrize(("replaced", "message"), BAD_FEEDS)
def test_a_malformed_feed_imports_nothing(riverside, coordinator, replaced, message):
    with pytest.raises(ImportFailed) as failure:
        import_feed(riverside, BASE, actor=coordinator, fetch=FakeFeed(recorded_feed(**replaced)))
    assert any(error.startswith(message) for error in failure.value.errors), failure.value.errors
    assert nothing_imported()  # page 1 was good: none of it is kept


def _walk(**changes):
    service = copy.deepcopy(page("feed/services_page_2.json")["contents"][1])
    for path, value in changes.items():
        target, *keys = path.split("__")
        obj = service
        for key in [target, *keys][:-1]:
            obj = obj[int(key)] if isinstance(obj, list) else obj[key]
        obj[[target, *keys][-1]] = value
    return service


ROW_ERRORS = [
    pytest.param(
        _walk(schedules__0__valid_to="2027-03-01"),
        "service 1 (id {id}): schedules #1.ends (2027-03-01) before it starts (2027-03-14)",
        id="ends-early",
    ),
    pytest.param(
        _walk(schedules__0__closes_at="09:00:00"),
        "service 1 (id {id}): schedules #1.closes (09:00:00) before it opens (10:00:00)",
        id="closes-early",
    ),
    pytest.param(
        _walk(service_at_locations__0__location__latitude=123.5),
        "service 1 (id {id}): service_at_locations #1.location.latitude 123.5 is outside -90 to 90",
        id="latitude",
    ),
    pytest.param(
        _walk(minimum_age=70, maximum_age=18),
        "service 1 (id {id}): minimum_age 70 is above maximum_age 18",
        id="ages",
    ),
    pytest.param(
        _walk(status="closed"),
        "service 1 (id {id}): status: “closed” is not one of active, inactive, defunct, temporarily closed",
        id="status",
    ),
    pytest.param(
        _walk(id="walk-1"), "service 1 (id walk-1): id: “walk-1” is not a UUID", id="uuid"
    ),
    pytest.param(
        _walk(
            organization={"id": "5b8e5a5e-3c1f-4e0a-9a53-2c1f0f6f1a01", "name": "No description"}
        ),
        "service 1 (id {id}): organization: missing description",
        id="organisation-field",
    ),
    pytest.param(
        _walk(schedules__0__byday="Sundays"),
        "service 1 (id {id}): schedules #1.byday “Sundays” is not a list of day codes",
        id="byday",
    ),
    pytest.param(
        _walk(url="not a web address"), "service 1 (id {id}): url: “not a web address” is not a web address", id="url"
    ),
    pytest.param(["a string"], "service 1: is not a JSON object", id="not-an-object"),
]


@pytest.mark.parametrize(("content", "message"), ROW_ERRORS)
def test_a_bad_service_is_named_with_its_problem(riverside, content, message):
    services = content if isinstance(content, list) else [content]
    expected = message.format(id=services[0].get("id") if isinstance(services[0], dict) else "")
    with pytest.raises(ImportFailed) as failure:
        import_file(riverside, as_bytes(services), name="walk.json")
    assert any(error.startswith(expected) for error in failure.value.errors), failure.value.errors
    assert nothing_imported()


def test_the_profiles_own_example_is_refused_for_its_made_up_place(riverside):
    """The UK profile's example service sits at latitude 100 with a US postcode: both named."""
    with pytest.raises(ImportFailed) as failure:
        import_file(riverside, fixture("examples/service_full.json"), name="service_full.json")
    prefix = f"service 1 (id {COUNSELLING}): service_at_locations #1.location."
    assert failure.value.errors == [
        f"{prefix}postcode “ABC 1234” is not a UK postcode",
        f"{prefix}latitude 100 is outside -90 to 90",
    ]
    assert nothing_imported()


def test_a_file_of_one_page_imports_with_its_page_number(riverside):
    report = import_file(riverside, fixture("feed/services_page_2.json"), name="page2.json")
    assert report.counts["services"]["created"] == 2
    with pytest.raises(ImportFailed) as failure:
        import_file(
            riverside, fixture("malformed/services_page_2_missing_name.json"), name="bad.json"
        )
    assert failure.value.errors == [f"page 2, service 3 (id {WALK}): missing name"]


def test_a_file_that_is_not_a_feed(riverside):
    with pytest.raises(ImportFailed) as failure:
        import_file(riverside, b'{"version": "HSDS-UK-3.0"}', name="root.json")
    assert failure.value.errors == [
        "root.json is neither a page of services, a list of services nor one service."
    ]
    with pytest.raises(ImportFailed) as failure:
        import_file(riverside, b"[]", name="empty.json")
    assert failure.value.errors == ["The feed has no services."]


# ------------------------------------------------------------------------------ HTTP


class FakeResponse(io.BytesIO):
    pass


def serve(monkeypatch, pages: dict[str, bytes], *, error=None):
    """Answer urllib's requests from recorded pages (the real ``http_fetch`` runs)."""
    asked = []

    def open_(self, request, data=None, timeout=None):
        asked.append((request.full_url, timeout))
        if error is not None:
            raise error
        if request.full_url not in pages:
            raise urllib.error.HTTPError(request.full_url, 404, "Not Found", {}, None)
        return FakeResponse(pages[request.full_url])

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", open_)
    return asked


def test_http_fetch_reads_pages_with_a_timeout(monkeypatch, riverside):
    asked = serve(monkeypatch, recorded_feed())
    report = import_feed(riverside, BASE)
    assert report.counts["services"]["created"] == 5
    assert {timeout for _url, timeout in asked} == {importer.TIMEOUT_SECONDS}


@pytest.mark.parametrize(
    "error", [TimeoutError("timed out"), urllib.error.URLError(TimeoutError("timed out"))]
)
def test_a_feed_that_times_out_is_a_clear_error(monkeypatch, riverside, error):
    serve(monkeypatch, {}, error=error)
    with pytest.raises(ImportFailed) as failure:
        import_feed(riverside, BASE)
    assert failure.value.errors == [
        f"{BASE}/ did not answer within {importer.TIMEOUT_SECONDS} seconds."
    ]
    assert nothing_imported()


def test_a_broken_connection_is_a_clear_error(monkeypatch, riverside):
    serve(monkeypatch, {}, error=ConnectionResetError("Connection reset by peer"))
    with pytest.raises(ImportFailed) as failure:
        import_feed(riverside, BASE)
    assert failure.value.errors == [f"Could not read {BASE}/: Connection reset by peer"]


def test_numbers_json_does_not_have_are_refused(riverside):
    with pytest.raises(ImportFailed) as failure:
        import_file(riverside, b'[{"id": "x", "minimum_age": NaN}]', name="nan.json")
    assert failure.value.errors[0].startswith("nan.json is not JSON: NaN is not a JSON number")


def test_a_missing_page_is_a_clear_error(monkeypatch, riverside):
    pages = recorded_feed()
    del pages[f"{BASE}/services?page=2"]
    serve(monkeypatch, pages)
    with pytest.raises(ImportFailed) as failure:
        import_feed(riverside, BASE)
    assert failure.value.errors == [f"{BASE}/services?page=2 answered HTTP 404."]
    assert nothing_imported()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/oruk/",
        "http://[::1]/oruk/",
        "http://10.1.2.3/oruk/",
        "http://169.254.169.254/latest/",
        "file:///etc/passwd",
        "http://example.org:99999/oruk/",
    ],
)
def test_the_page_fetches_public_addresses_only(url):
    with pytest.raises(ImportFailed):
        views_import.web_fetch(url)


# ------------------------------------------------------------------------------ the command


def test_command_imports_a_file(riverside, coordinator, capsys):
    call_command(
        "import_oruk",
        str(FIXTURES / "feed/services_page_1.json"),
        "--community",
        "riverside",
        "--actor",
        "CORA@example.org",
    )
    out = capsys.readouterr().out
    assert (
        "Services: 3 created, 0 updated, 0 unchanged" in out
    )  # a summary from a file holds what it holds
    assert Service.objects.get(pk=LUNCH).maintained_by == coordinator


def test_command_reads_a_feed_url(monkeypatch, riverside, capsys):
    serve(monkeypatch, recorded_feed())
    call_command("import_oruk", BASE + "/", "--community", "riverside")
    assert "Services: 5 created" in capsys.readouterr().out
    call_command("import_oruk", BASE, "--community", "riverside")
    assert "Services: 0 created, 0 updated, 5 unchanged" in capsys.readouterr().out


def test_command_exits_non_zero_with_the_errors(monkeypatch, riverside, capsys):
    serve(monkeypatch, recorded_feed(page_2=fixture("malformed/services_page_2_missing_name.json")))
    with pytest.raises(CommandError) as failure:
        call_command("import_oruk", BASE, "--community", "riverside")
    assert failure.value.returncode == 1
    assert f"page 2, service 3 (id {WALK}): missing name" in capsys.readouterr().err
    assert "nothing imported" in str(failure.value)
    assert nothing_imported()
    with pytest.raises(CommandError, match="No community"):
        call_command("import_oruk", BASE, "--community", "nowhere")
    with pytest.raises(CommandError, match="No one with e-mail"):
        call_command(
            "import_oruk", BASE, "--community", "riverside", "--actor", "nobody@example.org"
        )
    with pytest.raises(CommandError, match="Can't read"):
        call_command("import_oruk", "/no/such/file.json", "--community", "riverside")


# ------------------------------------------------------------------------------ the page

URL = "/c/riverside/coordinate/directory/import/"

# fmt: off
MATRIX = [
    #    anon  outsd member o_mem coord o_crd admin
    (URL, (LOGIN, 403, 403, 403, 200, 403, 200)),
]
# fmt: on


@pytest.fixture
def everyone(
    riverside, hilltop, member, coordinator, other_member, other_coordinator, site_admin, outsider
):
    return None


@pytest.mark.parametrize(("url", "expected_by_persona"), matrix_params(MATRIX))
def test_page_permissions(url, expected_by_persona, everyone, request, subtests):
    for _persona, expected, logged_in in each_persona(request, subtests, expected_by_persona):
        with logged_in as client:
            assert_status(client.get(url), expected)
            upload = SimpleUploadedFile("page1.json", fixture("feed/services_page_2.json"))
            assert_status(client.post(url, {"file": upload}), expected)
            assert Service.objects.count() == (2 if expected == 200 else 0)


def test_partner_staff_may_not_import(client, staff):  # noqa: F811 (the fixture)
    client.force_login(staff)
    upload = SimpleUploadedFile("page.json", fixture("feed/services_page_2.json"))
    assert client.post(URL, {"file": upload}).status_code == 403
    assert not Service.objects.exists()


def test_page_needs_the_csrf_token(riverside, coordinator):
    from coproduce.testing import record_two_factor_login

    client = DjangoClient(enforce_csrf_checks=True)
    client.force_login(coordinator)
    record_two_factor_login(client, coordinator)
    upload = SimpleUploadedFile("page.json", fixture("feed/services_page_2.json"))
    assert client.post(URL, {"file": upload}).status_code == 403
    assert not Service.objects.exists()


def test_page_imports_a_feed_and_shows_the_report(client, riverside, coordinator, monkeypatch):
    monkeypatch.setattr(views_import, "web_fetch", FakeFeed())
    client.force_login(coordinator)
    response = client.post(URL, {"url": BASE})
    assert response.status_code == 200
    assert response.context["report"].counts["services"]["created"] == 5
    assert "What the import did" in response.text and "0 conflicts" in response.text
    Service.objects.filter(pk=LUNCH).update(name="Lunch Club (ours)", edited_locally=True)
    response = client.post(URL, {"url": BASE})
    assert "1 conflict" in response.text and "Lunch Club (ours)" in response.text
    assert (
        AuditEntry.objects.filter(action=AuditAction.ASSETS_IMPORTED, actor=coordinator).count()
        == 2
    )


def test_page_lists_every_problem_and_imports_nothing(client, riverside, coordinator, monkeypatch):
    bad = recorded_feed(page_2=fixture("malformed/services_page_2_repeated_id.json"))
    monkeypatch.setattr(views_import, "web_fetch", FakeFeed(bad))
    client.force_login(coordinator)
    response = client.post(URL, {"url": BASE})
    assert response.status_code == 200
    assert "Nothing was imported" in response.text
    assert (
        f"page 2, service 3 (id {LUNCH}): the same id as page 1, service 2 (id {LUNCH})"
        in response.text
    )
    assert nothing_imported()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the feed&#x27;s address, or choose a file."),
        ({"url": "not a url"}, "Enter a valid URL."),
        ({"url": "http://127.0.0.1/oruk/"}, "127.0.0.1 is not on the public internet."),
        ({"file": "not json"}, "page.json is not JSON"),
    ],
)
def test_page_bad_input_is_a_clear_error(client, riverside, coordinator, data, message):
    if "file" in data:
        data = {"file": SimpleUploadedFile("page.json", data["file"].encode())}
    client.force_login(coordinator)
    response = client.post(URL, data)
    assert response.status_code == 200
    assert message in response.text
    assert nothing_imported()


# ------------------------------------------------------------------------------ round trip


def test_our_own_feed_imports_back_losslessly(
    client, riverside, hilltop, coordinator, other_coordinator, monkeypatch
):
    """Serialise our services with the feed, import them into another community, serialise again: the
    same feed. The first community's copies are removed before the import, as another Coproduce
    (another database) would not have them: ids are shared by design."""
    report = import_feed(riverside, BASE, actor=coordinator, fetch=FakeFeed())
    assert report.counts["services"]["created"] == 5
    # Give the services what our own directory has and the UK examples do not.
    lunch = Service.objects.get(pk=LUNCH)
    lunch.languages, lunch.cost, lunch.credits_minutes, lunch.eligibility = (
        ["en", "cy"],
        Cost.TIME_CREDITS,
        90,
        "Over 60s",
    )
    lunch.save()
    Location.objects.filter(pk=HALL).update(step_free=True, accessible_toilet=True)

    def serve_our_feed(url: str) -> bytes:
        response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200, (url, response.status_code)
        return response.content

    def whole_feed():
        pages, number, total = [], 1, 1
        while number <= total:
            body = json.loads(serve_our_feed(f"/oruk/services?page={number}"))
            pages.append(body)
            total, number = body["total_pages"], number + 1
        services = [
            json.loads(serve_our_feed(f"/oruk/services/{item['id']}"))
            for body in pages
            for item in body["contents"]
        ]
        for service in services:
            service.pop("last_modified", None)  # when this copy was written, not what it says
        return pages, services

    pages_before, before = whole_feed()
    assert len(before) == 4  # the walk is closed for now: not listed
    rows, _pages, parents = importer.read_feed("http://testserver/oruk/", serve_our_feed)
    assert [term["name"] for term in parents] == [
        "Food"
    ]  # only the walk, not listed, is in Food itself
    for model in (Service, AssetOrganisation, Location):
        model.objects.filter(community=riverside).delete()
    Taxonomy.objects.filter(community=riverside, terms__category__isnull=True).delete()
    report = importer.import_rows(
        hilltop,
        rows,
        source="http://testserver/oruk/",
        actor=other_coordinator,
        parent_terms=parents,
    )
    assert report.counts["services"]["created"] == 4 and report.conflicts == []
    pages_after, after = whole_feed()
    assert json.dumps(after, indent=1, sort_keys=True) == json.dumps(
        before, indent=1, sort_keys=True
    )
    assert [p["total_items"] for p in pages_after] == [p["total_items"] for p in pages_before]
    hall = Location.objects.get(pk=HALL)
    assert (hall.step_free, hall.accessible_toilet, hall.community) == (True, True, hilltop)
    lunch = Service.objects.get(pk=LUNCH)
    assert (lunch.languages, lunch.cost, lunch.credits_minutes) == (
        ["en", "cy"],
        Cost.TIME_CREDITS,
        90,
    )
