"""The directory in the browser: the list and its filters at 1,280 and 320 px (also without
JavaScript), a member's suggestion accepted by a coordinator, and partner staff changing their own entry."""

import datetime
from decimal import Decimal

import pytest

from coproduce.assets import services
from coproduce.assets.models import Service, SuggestionStatus
from coproduce.assets.services import PlaceData, ScheduleData
from coproduce.assets.sync import organisation_for_community, organisation_for_partner
from coproduce.partners.tests.fixtures import staff, surgery  # noqa: F401 (pytest fixtures)
from coproduce.web.tests.browser.conftest import force_login

pytestmark = pytest.mark.browser


@pytest.fixture
def entries(riverside, coordinator):
    home = organisation_for_community(riverside)
    services.save_service(
        organisation=home,
        actor=coordinator,
        name="Lunch club",
        minimum_age=60,
        description="A hot meal and company every Monday.",
        places=[
            PlaceData(
                name="St Mary's hall",
                address="1 Church Lane",
                postcode="RV1 2AB",
                latitude=Decimal("51.5"),
                longitude=Decimal("-0.12"),
                step_free=True,
            )
        ],
        schedules=[
            ScheduleData(
                freq="WEEKLY", byday=["MO"], opens_at=datetime.time(12), closes_at=datetime.time(14)
            )
        ],
    )
    services.save_service(
        organisation=home,
        actor=coordinator,
        name="Youth club",
        cost="paid",
        minimum_age=11,
        maximum_age=18,
    )


@pytest.mark.parametrize("width", [1280, 320])
def test_the_list_and_its_filters(new_browser, member, entries, width):
    b = new_browser(viewport={"width": width, "height": 900})
    force_login(b, member)
    page = b.visit("/c/riverside/directory/")
    assert page.locator("#results .card").count() == 2
    page.locator("details.app-filter summary").click()
    page.get_by_label("Free only").check()
    page.get_by_label("Open on").select_option("MO")
    page.get_by_label("For someone aged").fill("70")
    page.get_by_role("button", name="Search").click()
    b.check()
    assert page.locator("#results .card").all_inner_texts() == [
        page.locator("#results .card").first.inner_text()
    ]
    assert "Lunch club" in page.locator("#results").inner_text()
    assert "Filter (3 active)" in page.content()
    page.get_by_role("link", name="Lunch club").click()
    b.check()
    assert "Every week on Monday 12:00 to 14:00" in page.locator("#service-summary").inner_text()


def test_the_filters_work_without_javascript(new_browser, member, entries):
    b = new_browser(java_script_enabled=False)
    force_login(b, member)
    page = b.visit("/c/riverside/directory/?q=youth")
    assert page.locator("#results").inner_text().count("club") == 1
    assert "Youth club" in page.locator("#results").inner_text()
    page = b.visit("/c/riverside/directory/?postcode=nothing")
    assert "Enter a UK postcode" in page.content()


def test_a_member_suggests_and_the_coordinator_accepts(new_browser, riverside, member, coordinator):
    organisation_for_community(riverside)
    person = new_browser()
    force_login(person, member)
    page = person.visit("/c/riverside/directory/")
    page.get_by_role("link", name="Suggest an entry").first.click()
    person.check()
    page.get_by_label("What is it called?").fill("Repair café")
    page.get_by_label("What should the directory say?").fill(
        "Fixing toasters on the first Saturday."
    )
    page.get_by_label("Postcode").fill("rv1 4ef")
    page.get_by_role("button", name="Send the suggestion").click()
    person.check()
    assert "A coordinator will look at your suggestion" in page.content()

    coordinating = new_browser()
    force_login(coordinating, coordinator)
    page = coordinating.visit("/c/riverside/directory/suggestions/")
    page.get_by_role("link", name="Add it to the directory").click()
    coordinating.check()
    assert page.get_by_label("Postcode").input_value() == "RV1 4EF"
    page.get_by_label("Name of the place").fill("Scout hut")
    page.get_by_label("Every week").check()
    page.get_by_label("Saturday").check()
    page.get_by_label("Opens").fill("10:00")
    page.get_by_label("Closes").fill("09:00")
    page.get_by_role("button", name="Accept and save").click()
    coordinating.check()
    assert "It must close after it opens" in page.content()
    page.get_by_label("Closes").fill("13:00")
    page.get_by_role("button", name="Accept and save").click()
    coordinating.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Repair café"
    assert (
        Service.objects.get(name="Repair café").suggestions.get().status
        == SuggestionStatus.ACCEPTED
    )

    page = person.visit("/c/riverside/directory/suggest/")
    assert "accepted" in page.locator("#my-suggestions").inner_text()

    Service.objects.filter(name="Repair café").update(last_checked_on=datetime.date(2020, 1, 1))
    page = coordinating.visit("/c/riverside/directory/needs-checking/")
    page.get_by_role("button", name="Still right: mark Repair café checked").click()
    coordinating.check()
    assert "Everything has been checked recently" in page.content()


def test_partner_staff_change_their_own_entry(new_browser, riverside, surgery, staff):  # noqa: F811
    clinic = services.save_service(
        organisation=organisation_for_partner(surgery), actor=staff, name="Blood pressure clinic"
    )
    b = new_browser(viewport={"width": 320, "height": 800})
    force_login(b, staff)
    page = b.visit(f"/c/riverside/directory/{clinic.pk}/")
    page.get_by_role("link", name="Change this entry").click()
    b.check()
    page.get_by_label("Name", exact=True).fill("Blood pressure drop-in")
    page.get_by_label("Accessible toilet").check()
    page.get_by_label("Postcode").fill("RV1 9XY")
    page.get_by_role("button", name="Save").click()
    b.check()
    summary = page.locator("#service-summary").inner_text()
    assert "Accessible toilet" in summary and "RV1 9XY" in summary and "Sam Staff" in summary
    clinic.refresh_from_db()
    assert clinic.name == "Blood pressure drop-in"
