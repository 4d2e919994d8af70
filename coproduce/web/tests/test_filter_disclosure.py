"""List pages put their filters behind one "Filter" disclosure (issue 13, point 4): results come first
on a phone, the summary says how many filters are in use, and it opens by itself when there is
nothing to show or the filters need correcting."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduce.market.tests.conftest import post
from coproduce.members.models import Membership

DISCLOSURE = re.compile(
    r'<details class="govuk-details app-filter"( open)?>\s*<summary class="govuk-details__summary">'
    r'<span class="govuk-details__summary-text">([^<]*)</span></summary>(.*?)</details>',
    re.S,
)


def disclosure(response) -> tuple[bool, str, str]:
    """(open, summary text, inside) of the page's one filter disclosure."""
    assert response.status_code == 200
    found = DISCLOSURE.findall(response.content.decode())
    assert len(found) == 1, f"expected one filter disclosure, found {len(found)}"
    is_open, summary, inside = found[0]
    return bool(is_open), summary, inside


@pytest.mark.parametrize(
    "persona,url",
    [
        ("member", "/c/riverside/members/"),
        ("member", "/c/riverside/market/"),
        ("member", "/c/riverside/ledger/"),
        ("coordinator", "/c/riverside/coordinate/ledger/"),
        ("coordinator", "/c/riverside/insights/outreach/"),
    ],
)
def test_every_list_page_keeps_its_filters_in_the_disclosure(
    as_persona, member, second_member, riverside, persona, url
):
    post(second_member, riverside, title="Lawn mowing", kind="offer")
    response = as_persona(persona).get(url)
    _open, summary, inside = disclosure(response)
    assert summary.startswith("Filter")
    assert '<form method="get"' in inside  # the form itself is inside, not beside it
    assert response.content.decode().count('<form method="get"') == 1


def test_the_directory_counts_its_search_and_opens_when_nobody_matches(
    client, member, second_member
):
    client.force_login(member)
    url = reverse("members:directory", args=["riverside"])
    assert disclosure(client.get(url))[:2] == (False, "Filter")
    assert disclosure(client.get(url, {"q": "Bob"}))[:2] == (False, "Filter (1 active)")
    is_open, summary, inside = disclosure(client.get(url, {"q": "Nobody by this name"}))
    assert (is_open, summary) == (True, "Filter (1 active)")
    assert 'value="Nobody by this name"' in inside and "Clear filters" in inside


def test_the_market_counts_only_filters_that_narrow_the_list(
    client, member, second_member, riverside
):
    post(second_member, riverside, title="Lawn mowing", kind="offer")
    client.force_login(member)
    url = reverse("market:browse", args=["riverside"])
    # An empty search and the default order narrow nothing.
    assert disclosure(client.get(url, {"q": "", "sort": "relevance", "kind": ""}))[:2] == (
        False,
        "Filter",
    )
    assert disclosure(client.get(url, {"q": "lawn", "kind": "offer", "sort": "newest"}))[:2] == (
        False,
        "Filter (3 active)",
    )
    assert disclosure(client.get(url, {"kind": "request"}))[:2] == (
        True,
        "Filter (1 active)",
    )  # no requests


def test_a_statement_filter_with_a_mistake_opens_with_the_error_inside(
    client, member, second_member, riverside
):
    from coproduce.ledger import services

    alice, bob = (
        Membership.objects.get(user=u, community=riverside) for u in (member, second_member)
    )
    services.record_exchange(
        community=riverside,
        giver=alice,
        receiver=bob,
        minutes=60,
        performed_on=timezone.localdate(),
        keyed_by=second_member,
        idempotency_key=services.new_key(),
    )
    client.force_login(member)
    url = reverse("ledger:statement", args=["riverside"])
    assert disclosure(client.get(url, {"kind": "exchange"}))[:2] == (
        False,
        "Filter (1 active)",
    )  # a line shows
    is_open, _summary, inside = disclosure(client.get(url, {"start": "next Tuesday"}))
    assert is_open  # the line still shows, but the mistake must not hide behind a closed summary
    assert "govuk-error-summary" in inside and "Enter a valid date" in inside


def test_the_outreach_list_opens_on_a_bad_number_of_days(as_persona, member):
    client = as_persona("coordinator")
    is_open, _summary, inside = disclosure(
        client.get(reverse("insights:outreach", args=["riverside"]), {"days": "lots"})
    )
    assert is_open and "Enter a whole number of days" in inside
