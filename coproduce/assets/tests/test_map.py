"""The directory map's data: the places of listed services in the visible area, for members of
the community only, with clear errors for a bad area and a cap on what one view sends."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coproduce.assets import views_map
from coproduce.assets.tests.factories import make_location, make_organisation, make_service

URL = "/c/riverside/directory/map.json"


@pytest.fixture
def places(riverside):
    club = make_organisation(riverside)
    hall = make_location(riverside, organisation=club, latitude="51.500000", longitude="-0.120000")
    park = make_location(riverside, name="Riverside park", latitude="51.510000", longitude="-0.100000")
    far = make_location(riverside, name="Far away", latitude="55.000000", longitude="-3.000000")
    nowhere = make_location(riverside, name="No point", latitude=None, longitude=None)
    make_service(club, "Lunch club", locations=[hall])
    make_service(club, "Park walk", locations=[park, far])
    make_service(club, "Gone", locations=[hall], active=False)
    make_service(club, "Phone advice", locations=[nowhere])
    return {"hall": hall, "park": park, "far": far}


def test_the_extent_then_the_points_in_view(client, member, places):
    client.force_login(member)
    extent = client.get(URL).json()["extent"]
    assert extent == [51.5, -3.0, 55.0, -0.1]  # south, west, north, east of the listed places
    data = client.get(URL, {"bbox": "-0.2,51.4,0.0,51.6"}).json()
    assert sorted((name, lat, lng) for _id, name, lat, lng in data["points"]) == [
        ("Lunch club", 51.5, -0.12), ("Park walk", 51.51, -0.1)]  # not the withdrawn one, not far away
    club = next(p for p in data["points"] if p[1] == "Lunch club")
    page = client.get(data["url"].replace("{id}", club[0]))
    assert page.status_code == 200 and "Lunch club" in page.content.decode()
    assert data["capped"] is False and data["summary"] == "2 places on the map."


@pytest.mark.parametrize("bbox", ["", "1,2,3", "a,b,c,d", "0,51,-1,52", "-1,52,0,51", "-200,0,0,1", "0,-91,1,0"])
def test_a_bad_area_is_a_clear_400_and_no_500(client, member, places, bbox):
    client.force_login(member)
    response = client.get(URL, {"bbox": bbox})
    assert response.status_code == 400
    assert "bbox" in response.json()["errors"]


def test_only_members_of_the_community_see_the_map(client, member, other_member, places):
    assert client.get(URL)["Location"].startswith("/accounts/login/")
    client.force_login(other_member)
    assert client.get(URL).status_code in (403, 404)
    client.force_login(member)
    assert client.get(URL).status_code == 200


def test_a_crowded_view_comes_as_counts_on_a_grid(client, member, places, monkeypatch):
    monkeypatch.setattr(views_map, "MAX_POINTS", 1)
    client.force_login(member)
    bbox = (-0.2, 51.4, 0.0, 51.6)
    data = client.get(URL, {"bbox": ",".join(map(str, bbox))}).json()
    assert data["points"] == [] and data["capped"] is True
    # Counted independently: the listed places inside the view, by grid cell of 1/GRID of it.
    expected = {}
    for lat, lng in [(51.5, -0.12), (51.51, -0.1)]:
        cell = (int((lng - bbox[0]) / ((bbox[2] - bbox[0]) / views_map.GRID)),
                int((lat - bbox[1]) / ((bbox[3] - bbox[1]) / views_map.GRID)))
        expected.setdefault(cell, []).append((lat, lng))
    assert sorted(n for _lat, _lng, n in data["clusters"]) == sorted(len(v) for v in expected.values())
    for lat, lng, _n in data["clusters"]:
        assert bbox[1] <= lat <= bbox[3] and bbox[0] <= lng <= bbox[2]
    assert data["summary"] == "2 places here: zoom in to see each one."


@pytest.mark.parametrize("crowded", [False, True])
def test_the_same_queries_however_many_places(client, member, riverside, places, monkeypatch, crowded):
    if crowded:  # the grid of counts, as for a view of thousands
        monkeypatch.setattr(views_map, "MAX_POINTS", 1)
    client.force_login(member)

    def cost():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"bbox": "-0.2,51.4,0.0,51.6"}).status_code == 200
        return len(queries)

    before = cost()
    club = make_organisation(riverside, "More")
    for i in range(30):
        spot = make_location(riverside, name=f"Spot {i}", latitude=f"51.5{i:02d}00", longitude="-0.110000")
        make_service(club, f"Service {i}", locations=[spot])
    assert cost() == before
