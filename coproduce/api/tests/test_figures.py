"""The public figures through the API: open to anyone, as the figures page is, and exactly what
that page shows (a released quarter's frozen, protected tables and its versions), never the exact
counts behind them. The hand-built quarter is the insights tests' (April to June 2025, k = 5)."""

import pytest

from coproduce.api.tests.client import errors, get, queries_for, token
from coproduce.insights import releases
from coproduce.insights.models import PublicRelease
from coproduce.insights.tests.test_public_releases import QUARTER, spring  # noqa: F401 (a fixture)

URL = "/api/v1/communities/riverside/figures"


def test_anyone_reads_the_figures_the_public_page_shows(client, riverside, spring):  # noqa: F811
    response = get(client, None, URL, quarter="2025-04-01")
    assert response.status_code == 200, response.json()
    data = response.json()
    page = client.get("/c/riverside/figures/", {"quarter": "2025-04-01"})
    assert data["release"]["tables"] == page.context["tables"]  # the page's own tables, cell for cell
    months = {row[0]: row[1:] for row in next(t for t in data["release"]["tables"]
                                              if t["name"] == "per-month")["rows"]}
    assert months["June 2025"] == ["fewer than 5", "–"] and months["Total"] == ["16", "16.0"]
    assert (data["release"]["quarter"], data["release"]["version"], data["release"]["k"]) == ("2025-04-01", 1, 5)
    assert QUARTER.isoformat() in [q["quarter"] for q in data["quarters"]]
    # Nothing the page does not show: not the exact counts, not the picture's secret, not the network.
    text = response.content.decode()
    for private in ("source", "secret", "cells", "network", "Person 1"):
        assert private not in text
    assert PublicRelease.objects.filter(community=riverside).count() == 1  # the page and the API: one release


def test_the_latest_quarter_by_default_and_any_token_or_none(client, riverside, member, spring):  # noqa: F811
    latest = get(client, None, URL).json()
    assert latest["release"]["quarter"] == latest["quarters"][0]["quarter"]
    assert get(client, token(member, ("posts",)), URL).status_code == 200  # no scope needed
    bad = get(client, "cpat_nope_nope", URL)
    assert bad.status_code == 401 and errors(bad)["detail"]  # a token that is not one is still refused


def test_a_corrected_quarter_lists_its_versions(client, riverside, coordinator, spring):  # noqa: F811
    get(client, None, URL, quarter="2025-04-01")
    riverside.small_count_k = 10
    riverside.save()
    releases.correct_release(riverside, QUARTER, actor=coordinator, reason="Protection raised to k = 10.")
    data = get(client, None, URL, quarter="2025-04-01").json()["release"]
    assert (data["version"], data["k"], data["reason"]) == (2, 10, "Protection raised to k = 10.")
    assert [v["version"] for v in data["versions"]] == [1, 2] and data["changes"]
    first = get(client, None, URL, quarter="2025-04-01", version="1").json()["release"]
    assert (first["version"], first["k"]) == (1, 5)


@pytest.mark.parametrize(("query", "status", "field"), [
    ({"quarter": "2025-05-01"}, 400, "quarter"),
    ({"quarter": "junk"}, 400, "quarter"),
    ({"quarter": "2999-01-01"}, 400, "quarter"),
    ({"quarter": "2025-04-01", "version": "7"}, 404, "detail"),
])
def test_only_released_quarters_and_versions(client, riverside, spring, query, status, field):  # noqa: F811
    response = get(client, None, URL, **query)
    assert response.status_code == status and errors(response)[field], response.json()


def test_no_release_yet_and_no_such_community(client, riverside):
    empty = get(client, None, URL)
    assert empty.status_code == 200 and empty.json()["release"] is None
    assert get(client, None, "/api/v1/communities/nowhere/figures").status_code == 404


def test_a_release_costs_the_same_queries_however_many_exchanges(client, riverside, coordinator, spring):  # noqa: F811
    from coproduce.insights.tests.test_public_releases import MONTHS, _post

    def call():
        return get(client, None, URL, quarter="2025-04-01")

    call()  # the first reader makes the release
    few = queries_for(client, call)
    _post(riverside, spring["accounts"], [(i % 6, (i + 1) % 6, 60, MONTHS[i], None) for i in range(16)],
          coordinator, "more")
    assert queries_for(client, call) == few
