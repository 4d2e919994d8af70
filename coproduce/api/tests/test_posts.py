"""Offers and requests through the API: searched with the market's own form and query (only the
community's open posts), posted with the "posts" scope through the market's service, withdrawn by
their author only. Bad input names its field and changes nothing."""

import pytest

from coproduce.api import tokens
from coproduce.market.models import Post, PostStatus
from coproduce.market.tests.conftest import category, post

URL = "/api/v1/communities/riverside/posts"


def token(user, scopes=("read", "posts")):
    return tokens.create_token(user, name="app", scopes=list(scopes), days=7, two_factor_done=False)[1]


def get(client, raw, url=URL, **params):
    return client.get(url, params, HTTP_AUTHORIZATION=f"Bearer {raw}")


def send(client, raw, url=URL, **body):
    return client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def posts(riverside, hilltop, member, second_member, other_member):
    post(second_member, riverside, title="Help weeding my garden")
    post(second_member, riverside, kind="offer", title="Lifts to the surgery", category_name="Lifts")
    withdrawn = post(second_member, riverside, title="Old request")
    Post.objects.filter(pk=withdrawn.pk).update(status=PostStatus.WITHDRAWN)
    post(other_member, hilltop, title="Help weeding on the hill")


def test_search_finds_the_communitys_open_posts_as_the_market_does(client, member, posts):
    raw = token(member)
    everything = get(client, raw).json()
    assert sorted(p["title"] for p in everything["results"]) == ["Help weeding my garden", "Lifts to the surgery"]
    requests = get(client, raw, kind="request").json()["results"]
    assert [p["title"] for p in requests] == ["Help weeding my garden"]
    found = get(client, raw, q="can someone help with my weeds").json()["results"]
    assert found and found[0]["title"] == "Help weeding my garden"
    bad = get(client, raw, kind="sideways")
    assert bad.status_code == 400 and "kind" in bad.json()["errors"]


def test_a_member_posts_and_withdraws_their_own(client, riverside, member, second_member, posts):
    raw = token(member)
    made = send(client, raw, kind="offer", title="Dog walking", description="Weekday mornings",
                category=category(riverside, "Gardening").pk, duration_minutes=45)
    assert made.status_code == 201, made.json()
    assert made.json()["author_member"] and made.json()["status"] == "open"
    assert "Dog walking" in [p["title"] for p in get(client, raw).json()["results"]]
    theirs = Post.objects.get(title="Lifts to the surgery")
    assert send(client, raw, f"{URL}/{theirs.pk}/withdraw").status_code == 404  # not theirs
    done = send(client, raw, f"{URL}/{made.json()['id']}/withdraw")
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"
    again = send(client, raw, f"{URL}/{made.json()['id']}/withdraw")
    assert again.status_code == 400 and again.json()["errors"]


@pytest.mark.parametrize(("change", "field"), [
    ({"title": "  "}, "title"),
    ({"category": 999999}, "category"),
    ({"area": 999999}, "area"),
    ({"kind": "gift"}, "kind"),
    ({"duration_minutes": 5}, "duration_minutes"),
])
def test_a_bad_post_names_its_field_and_makes_nothing(client, riverside, member, change, field):
    body = {"kind": "offer", "title": "Dog walking", "category": category(riverside, "Gardening").pk, **change}
    response = send(client, token(member), **body)
    assert response.status_code == 400 and field in response.json()["errors"], response.json()
    assert not Post.objects.exists()


def test_posting_needs_the_posts_scope_and_membership(client, riverside, member, other_member, hilltop):
    body = {"kind": "offer", "title": "Dog walking", "category": category(riverside, "Gardening").pk}
    assert send(client, token(member, scopes=("read",)), **body).status_code == 403
    assert send(client, token(other_member), **body).status_code == 403  # not a member here
    assert get(client, token(other_member)).status_code == 403
    assert not Post.objects.exists()


def test_a_page_of_posts_costs_the_same_queries_for_few_and_many(client, riverside, member, second_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    raw = token(member)

    def queries_for_a_page():
        with CaptureQueriesContext(connection) as queries:
            assert get(client, raw, sort="newest").status_code == 200
        return len(queries)

    post(second_member, riverside, title="Help weeding my garden")
    queries_for_a_page()  # the token's first use this minute also notes when it was used
    few = queries_for_a_page()
    for n in range(25):
        post(second_member, riverside, title=f"Help number {n}", category_name="Lifts" if n % 2 else "Gardening")
    assert queries_for_a_page() == few
