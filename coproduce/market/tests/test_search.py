from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coproduce.market.models import Post, PostKind, PostStatus
from coproduce.market.queries import search_posts
from coproduce.market.tests.conftest import category, post
from coproduce.members.models import Membership


@pytest.fixture
def posts(member, second_member, riverside):
    return {
        "weeding": post(member, riverside, title="Weeding a small garden", description="Dandelions everywhere"),
        "lawn": post(second_member, riverside, kind=PostKind.OFFER, title="I mow lawns",
                     description="Happy to do garden jobs"),
        "lift": post(member, riverside, title="Lift to the surgery", category_name="Lifts",
                     description="Tuesday morning, back garden gate"),
        "french": post(second_member, riverside, kind=PostKind.OFFER, title="French conversation",
                       category_name="Language practice", area=riverside.areas.last()),
    }


def titles(qs):
    return [p.title for p in qs]


def test_search_is_ranked_and_stemmed(posts, riverside):
    found = titles(search_posts(riverside, query="gardening"))
    # Title matches rank above description-only matches, on both databases.
    assert found[0] == "Weeding a small garden"
    assert set(found) == {"Weeding a small garden", "I mow lawns", "Lift to the surgery"}


def test_search_ranks_posts_with_every_word_first_and_ignores_syntax(posts, riverside):
    found = titles(search_posts(riverside, query="garden dandelions"))
    assert found[0] == "Weeding a small garden"  # both words; the others have one
    assert set(found) == {"Weeding a small garden", "I mow lawns", "Lift to the surgery"}
    assert titles(search_posts(riverside, query='"NOT" * OR (garden')) != []  # no syntax error
    assert titles(search_posts(riverside, query="the and of")) == titles(search_posts(riverside))


def test_filters(posts, riverside):
    assert titles(search_posts(riverside, kind=PostKind.OFFER, sort="newest")) == ["French conversation",
                                                                                   "I mow lawns"]
    assert titles(search_posts(riverside, category=category(riverside, "Lifts"))) == ["Lift to the surgery"]
    parent = category(riverside, "Lifts").parent
    assert titles(search_posts(riverside, category=parent)) == ["Lift to the surgery"]
    assert titles(search_posts(riverside, area=riverside.areas.last())) == ["French conversation"]
    assert "French conversation" not in titles(search_posts(riverside, online=True))
    Post.objects.filter(pk=posts["lift"].pk).update(created_at=timezone.now() - timedelta(days=40))
    assert "Lift to the surgery" not in titles(search_posts(riverside, within_days=30))


def test_closed_and_lapsed_posts_are_not_listed(posts, riverside):
    Post.objects.filter(pk=posts["weeding"].pk).update(status=PostStatus.WITHDRAWN)
    Post.objects.filter(pk=posts["lawn"].pk).update(created_at=timezone.now() - timedelta(days=91),
                                                 expires_at=timezone.now() - timedelta(seconds=1))
    assert titles(search_posts(riverside, query="garden")) == ["Lift to the surgery"]


def test_sorting(posts, riverside):
    Post.objects.filter(pk=posts["lift"].pk).update(expires_at=timezone.now() + timedelta(days=2))
    assert titles(search_posts(riverside, sort="ending"))[0] == "Lift to the surgery"
    assert titles(search_posts(riverside, sort="newest"))[0] == "French conversation"


def test_other_community_posts_never_show(posts, riverside, hilltop, other_member):
    post(other_member, hilltop, title="Hilltop garden")
    assert "Hilltop garden" not in titles(search_posts(riverside, query="garden"))


def _bulk(riverside, author, n):
    cats = list(riverside.categories.filter(parent__isnull=False))
    now = timezone.now()
    Post.objects.bulk_create([
        Post(community=riverside, kind=PostKind.OFFER if i % 2 else PostKind.REQUEST, author=author,
             title=f"Garden job number {i}", description="weeding and digging", category=cats[i % len(cats)],
             created_at=now - timedelta(minutes=i), expires_at=now + timedelta(days=30), posted_by=author.user)
        for i in range(n)])


@pytest.mark.parametrize("params", [{}, {"q": "garden weeding", "kind": "offer", "sort": "newest"}])
def test_browse_query_count_is_constant(as_persona, riverside, member, params):
    client = as_persona("member")
    author = Membership.objects.get(user=member)
    url = reverse("market:browse", args=["riverside"])
    _bulk(riverside, author, 10)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, params).status_code == 200
    _bulk(riverside, author, 190)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url, params)
    assert response.status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large]
    assert "Garden job number" in response.content.decode()


def test_browse_page_shows_results_and_keeps_filters_in_pagination(as_persona, riverside, member):
    _bulk(riverside, Membership.objects.get(user=member), 45)
    response = as_persona("member").get(reverse("market:browse", args=["riverside"]), {"q": "garden", "kind": ""})
    body = response.content.decode()
    assert "45 results" in body
    assert "q=garden&amp;kind=&amp;page=2" in body
