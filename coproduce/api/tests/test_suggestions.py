"""Suggestions through the API, from the market's own matching: the requests that match what a
member offers (as "Requests that match what you offer"), and who could help with a request (as
"People who could help" on its page: its author and coordinators only)."""

import pytest

from coproduce import testing
from coproduce.api.tests.client import errors, get, queries_for, token
from coproduce.market.models import PostKind
from coproduce.market.tests.conftest import post

URL = "/api/v1/communities/riverside/suggestions"


@pytest.fixture
def garden(riverside, member, second_member, other_member, hilltop):
    """Alice offers gardening; Bob asks for weeding and for a lift; Olga (hilltop) asks for weeding."""
    offer = post(member, riverside, kind=PostKind.OFFER, title="Garden tidy-ups and weeding",
                 description="I love weeding")
    weeding = post(second_member, riverside, title="Weeding my garden", description="The back garden is wild")
    lift = post(second_member, riverside, title="A lift to the surgery", category_name="Lifts")
    elsewhere = post(other_member, hilltop, title="Weeding on the hill")
    return {"offer": offer, "weeding": weeding, "lift": lift, "elsewhere": elsewhere}


def test_requests_that_match_what_i_offer(client, member, garden):
    response = get(client, token(member, ("read",)), URL)
    assert response.status_code == 200, response.json()
    found = response.json()
    assert [m["request"]["id"] for m in found] == [garden["weeding"].pk]  # not the lift, not the hill's
    assert found[0]["request"]["author"] == "Bob Brown"
    assert any("Gardening" in reason for reason in found[0]["reasons"])


def test_who_could_help_with_my_request_for_its_author_and_coordinators(client, riverside, second_member, member,
                                                                          coordinator, garden):
    url = f"/api/v1/communities/riverside/posts/{garden['weeding'].pk}/suggestions"
    mine = get(client, token(second_member, ("read",)), url)
    assert mine.status_code == 200, mine.json()
    alice = mine.json()[0]
    assert alice["name"] == "Alice Ashby" and alice["offer"] == garden["offer"].pk
    assert alice["offer_title"] == "Garden tidy-ups and weeding" and alice["reasons"]
    assert get(client, token(coordinator, ("read",), two_factor_done=True), url).json()[0]["name"] == "Alice Ashby"
    # Someone else's request: its page shows them no suggestions, so the API says there is none.
    theirs = get(client, token(member, ("read",)), url)
    assert theirs.status_code == 404 and errors(theirs)["detail"]
    # An offer has no helpers.
    assert get(client, token(member, ("read",)),
               f"/api/v1/communities/riverside/posts/{garden['offer'].pk}/suggestions").json() == []


@pytest.mark.parametrize(("who", "scopes", "slug", "status"), [
    ("anonymous", None, "riverside", 401),
    ("member", ("posts", "exchanges", "partner"), "riverside", 403),  # no "read"
    ("other_member", ("read",), "riverside", 403),  # not a member here
    ("member", ("read",), "nowhere", 404),
])
def test_refusals(request, client, garden, who, scopes, slug, status):
    raw = None if scopes is None else token(request.getfixturevalue(who), scopes)
    for url in (f"/api/v1/communities/{slug}/suggestions",
                f"/api/v1/communities/{slug}/posts/{garden['weeding'].pk}/suggestions"):
        response = get(client, raw, url)
        assert response.status_code == status and errors(response)["detail"], url


def test_another_communitys_request_is_not_here(client, member, garden):
    hill = f"/api/v1/communities/riverside/posts/{garden['elsewhere'].pk}/suggestions"
    assert get(client, token(member), hill).status_code == 404


def test_suggestions_cost_the_same_queries_for_few_and_many_requests(client, riverside, member, second_member):
    raw = token(member, ("read",))
    post(member, riverside, kind=PostKind.OFFER, title="Garden tidy-ups and weeding")
    post(second_member, riverside, title="Weeding my garden")
    carol = testing.make_person("carol@example.org", "Carol Third")
    testing.join(carol, riverside)

    def call():
        return get(client, raw, URL)

    queries_for(client, call)  # the token's first use this minute also notes when it was used
    few = queries_for(client, call)
    for n in range(15):
        post(second_member if n % 2 else carol, riverside, title=f"Weeding bed number {n}")
    assert len(call().json()) == 16
    assert queries_for(client, call) == few
