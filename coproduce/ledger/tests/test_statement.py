"""The statement names the other side of each line, without a query per line."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coproduce.ledger import services
from coproduce.partners.models import Organisation


def _exchange(community, giver, receiver, minutes=60, keyed_by=None):
    return services.record_exchange(community=community, giver=giver, receiver=receiver, minutes=minutes,
                                    performed_on=timezone.localdate(), keyed_by=keyed_by or receiver.user,
                                    idempotency_key=services.new_key())


def _rows(client, name):
    page = client.get(reverse(f"ledger:{name}", args=["riverside"]))
    assert page.status_code == 200
    return page.content.decode()


def test_statement_names_the_other_member_of_an_exchange(client, alice, bob, riverside):
    _exchange(riverside, giver=alice, receiver=bob)
    client.force_login(alice.user)
    assert "Gave to Bob Brown" in _rows(client, "statement")
    client.force_login(bob.user)
    assert "Received from Alice Ashby" in _rows(client, "statement")


def test_statement_names_the_pot_for_a_grant_and_a_gift(client, alice, bob, cora, riverside):
    services.give_credits(community=riverside, giver=alice, to=None, minutes=60, keyed_by=alice.user,
                          idempotency_key=services.new_key())
    services.grant_from_pot(community=riverside, to=bob, minutes=30, reason="Cannot give back",
                            keyed_by=cora.user, idempotency_key=services.new_key())
    client.force_login(alice.user)
    assert "To the community pot" in _rows(client, "statement")
    client.force_login(bob.user)
    assert "From the community pot" in _rows(client, "statement")
    pot = _rows(client, "pot")
    assert "From Alice Ashby" in pot and "To Bob Brown" in pot


def test_statement_names_an_organisation(client, alice, cora, riverside):
    surgery = Organisation.objects.create(community=riverside, name="Riverside Surgery")
    _exchange(riverside, giver=surgery, receiver=alice, keyed_by=cora.user)
    client.force_login(alice.user)
    assert "Received from Riverside Surgery (organisation)" in _rows(client, "statement")


def test_group_session_counts_the_people_on_the_other_side(client, alice, bob, cora, member_factory, riverside):
    dan = member_factory("Dan")
    services.record_group_exchange(community=riverside, givers=[(alice, 120)], receivers=[bob, cora, dan],
                                   performed_on=timezone.localdate(), keyed_by=cora.user,
                                   idempotency_key=services.new_key())
    client.force_login(alice.user)
    assert "Gave to 3 people" in _rows(client, "statement")
    client.force_login(bob.user)
    page = _rows(client, "statement")
    # A receiver sees the one who gave, not the other people in the session.
    assert "Received from Alice Ashby" in page and "Dan Example" not in page


def test_csv_has_the_other_side(client, alice, bob, riverside):
    _exchange(riverside, giver=alice, receiver=bob)
    client.force_login(bob.user)
    rows = list(csv.reader(io.StringIO(_rows(client, "statement_csv"))))
    assert rows[0][5] == "with" and rows[1][5] == "Received from Alice Ashby"


def _count(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize("name", ["statement", "statement_csv"])
def test_naming_the_other_side_costs_the_same_for_5_and_50_lines(client, alice, bob, riverside, name):
    surgery = Organisation.objects.create(community=riverside, name="Riverside Surgery")
    def post(n):
        for i in range(n):
            # Mixed counterparties: members and an organisation.
            giver = surgery if i % 2 else bob
            _exchange(riverside, giver=giver, receiver=alice, minutes=15, keyed_by=alice.user)

    post(5)
    client.force_login(alice.user)
    url = reverse(f"ledger:{name}", args=["riverside"])
    five = _count(client, url)
    post(45)
    assert "Riverside Surgery (organisation)" in client.get(url).content.decode()
    assert _count(client, url) == five
