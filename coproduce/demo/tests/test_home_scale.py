"""Issue 13: each role's home page costs the same number of queries in a time bank of tens of
members and in one of ten thousand, with their history, posts and messages (the demo, grown)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coproduce.demo.logins import DEMO_LOGINS, DEMO_SLUG
from coproduce.demo.seed import grow_demo, seed_demo
from coproduce.members.models import Membership

ROLES = ("member", "facilitator", "partner staff", "coordinator")


def _queries(client, user, url) -> int:
    client.force_login(user)
    client.get(url)  # the first request after logging in also stores the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def _costs(client) -> dict[str, int]:
    users = {u.email: u for u in get_user_model().objects.filter(email__in=DEMO_LOGINS.values())}
    costs = {role: _queries(client, users[DEMO_LOGINS[role]], "/home/") for role in ROLES}
    costs["member's matching"] = _queries(client, users[DEMO_LOGINS["member"]], f"/home/{DEMO_SLUG}/matching/")
    return costs


@pytest.mark.django_db
def test_home_pages_cost_the_same_queries_at_ten_thousand_members(client):
    community = seed_demo(members=45, months=3, exchanges=200).community
    small = _costs(client)
    grown = grow_demo(community, members=10_000, exchanges=10_000, posts=500)
    assert grown >= 10_000
    assert Membership.objects.filter(community=community).count() >= 10_000
    assert _costs(client) == small
