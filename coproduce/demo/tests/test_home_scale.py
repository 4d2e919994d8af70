"""Issues 13 and 19: every page the load test visits (``demo/loadtest.py``: each role's home and
the rest of their day) costs the same number of queries in a time bank of tens of members and in
one of ten thousand, with their history, posts and messages (the demo, grown)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coproduce.demo.loadtest import day_of_pages
from coproduce.demo.logins import DEMO_LOGINS
from coproduce.demo.seed import grow_demo, seed_demo
from coproduce.members.models import Membership


def _queries(client, user, page) -> int:
    headers = {"HX-Request": "true"} if page.htmx else {}
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    client.get(page.path, headers=headers)  # the first request after logging in also stores the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.path, headers=headers)
    assert response.status_code == 200, (page.name, page.path, response.status_code)
    return len(queries)


def _costs(client) -> dict[str, int]:
    users = {u.email: u for u in get_user_model().objects.filter(email__in=DEMO_LOGINS.values())}
    pages, cold = day_of_pages()
    return {page.name: _queries(client, users.get(DEMO_LOGINS.get(page.role)), page) for page in pages + cold}


@pytest.mark.django_db
def test_every_page_of_the_load_test_costs_the_same_queries_at_ten_thousand_members(client):
    community = seed_demo(members=45, months=3, exchanges=200).community
    small = _costs(client)
    assert len(small) >= 50  # every role's day, not just the home pages
    grown = grow_demo(community, members=10_000, exchanges=10_000, posts=500)
    assert grown >= 10_000
    assert Membership.objects.filter(community=community).count() >= 10_000
    large = _costs(client)
    # None grows. A few may read one query fewer: the ledger search when a list holds no row of
    # some kind (Django asks nothing for "pk in an empty list"), and the network page, which at
    # ten thousand members reads the network its task worked out instead of working it out.
    assert {name: (small[name], large[name]) for name in small if large[name] > small[name]} == {}
    fewer = {name: small[name] - large[name] for name in small if large[name] < small[name]}
    assert set(fewer) <= {"coordinator: ledger search", "coordinator: network", "coordinator: network (cold)"}
    assert all(difference == 1 for difference in fewer.values()), fewer
