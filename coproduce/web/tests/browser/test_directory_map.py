"""The directory's map in the browser: Leaflet draws the listed places (clustered), follows the
list's filters, links each marker to its entry, and passes axe at 1,280 and 320 px. Tests use no
tile server (MAP_TILE_URL is empty), so nothing is fetched from outside the machine."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from coproduce.assets import services
from coproduce.assets.services import PlaceData
from coproduce.assets.sync import organisation_for_community
from coproduce.web.tests.browser.conftest import force_login

pytestmark = pytest.mark.browser


@pytest.fixture
def places(riverside, coordinator):
    home = organisation_for_community(riverside)
    for n, (name, cost) in enumerate([("Lunch club", "free"), ("Repair café", "free"), ("Swim", "paid")]):
        services.save_service(
            organisation=home, actor=coordinator, name=name, cost=cost,
            places=[PlaceData(name=f"{name} place", postcode="RV1 2AB",
                              latitude=Decimal("51.5") + Decimal(n) / 100, longitude=Decimal("-0.12"))],
        )


def _drawn(page, expected: int) -> tuple[list[str], int]:
    """(the names of the single markers drawn, how many places the clusters hold), once the
    clusters have settled on ``expected`` places (the cluster group draws in chunks), or as they
    stand after ten seconds."""
    # The status line says how many places the map fetched for its view (or that it failed).
    expect(page.locator("#directory-map-status")).to_have_text(re.compile(rf"^{expected} places? on the map"),
                                                               timeout=15_000)
    for _attempt in range(100):
        names = page.locator("#directory-map .leaflet-marker-icon[title]").evaluate_all(
            "icons => icons.map(icon => icon.title)")
        clustered = sum(int(n) for n in page.locator("#directory-map .marker-cluster span").all_inner_texts())
        if len(names) + clustered == expected:
            break
        page.wait_for_timeout(100)
    return sorted(names), clustered


@pytest.mark.parametrize("width", [1280, 320])
def test_the_map_shows_the_listed_places(new_browser, member, places, width):
    # The phone asks for less motion, so the map is drawn both with and without its animations.
    b = new_browser(viewport={"width": width, "height": 900}, reduced_motion="reduce" if width < 1000 else None)
    force_login(b, member)
    page = b.visit("/c/riverside/directory/")
    assert page.locator("#directory-map").is_visible()
    names, clustered = _drawn(page, 3)
    # On a phone the map is small, and places close together are drawn as one cluster.
    assert len(names) + clustered == 3 and set(names) <= {"Lunch club", "Repair café", "Swim"}
    assert page.locator("#directory-map-status").inner_text() == "3 places on the map."

    # The map's box changes size before the person touches the map (the page settling, a
    # stylesheet arriving late, a phone turned): the map fits the places again instead of keeping
    # a view made for the box it had.
    page.locator("#directory-map").evaluate("box => { box.style.height = '140px'; }")
    names, clustered = _drawn(page, 3)
    assert len(names) + clustered == 3

    page = b.visit("/c/riverside/directory/?free=on")
    names, clustered = _drawn(page, 2)
    assert len(names) + clustered == 2 and "Swim" not in names  # the same filters as the list
    if width < 1000:
        return
    assert names == ["Lunch club", "Repair café"]
    page.locator("#directory-map .leaflet-marker-icon[title='Lunch club']").click()
    page.locator(".leaflet-popup a", has_text="Lunch club").click()
    b.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Lunch club"


def test_without_javascript_the_map_stays_hidden_and_the_list_is_the_page(new_browser, member, places):
    b = new_browser(java_script_enabled=False)
    force_login(b, member)
    page = b.visit("/c/riverside/directory/")
    assert not page.locator("#directory-map").is_visible()
    assert page.locator("#results .card").count() == 3
    page.get_by_role("link", name="What members offer, area by area").click()
    b.check()
    assert page.get_by_role("heading", level=1).inner_text() == "What members offer, area by area"


def test_the_gifts_layer_follows_the_page(new_browser, member, places):
    b = new_browser()
    force_login(b, member)
    page = b.visit("/c/riverside/directory/")
    # Nobody here has said what they offer in an area: the link is replaced by nothing.
    page.locator("#directory-gifts").wait_for(state="detached")
    b.check()


def test_a_crowded_view_shows_counts_to_zoom_into(new_browser, member, places, monkeypatch):
    from coproduce.assets import views_map

    monkeypatch.setattr(views_map, "MAX_POINTS", 2)  # the live server runs in this process
    b = new_browser(viewport={"width": 1280, "height": 900})
    force_login(b, member)
    page = b.visit("/c/riverside/directory/")
    expect(page.locator("#directory-map-status")).to_have_text("3 places here: zoom in to see each one.")
    counts = page.locator("#directory-map .leaflet-marker-icon[title*='select to zoom in']")
    assert sum(int(text) for text in counts.all_inner_texts()) == 3
    zoom = page.evaluate("document.querySelector('#directory-map').dataset.points")  # the same filters
    assert zoom.endswith("/directory/map.json")
    with page.expect_response(lambda r: "bbox=" in r.url):
        counts.first.focus()
        page.keyboard.press("Enter")  # a keyboard user zooms in too
