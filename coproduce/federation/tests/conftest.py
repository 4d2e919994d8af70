"""Two linked banks in one test database: Riverside and Hilltop, each linked to the other as two
installations would be, with the messages between them carried by Django's test client instead
of the network (test_two_servers.py runs two real servers)."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from coproduce.federation import services, transport
from coproduce.members.models import Membership


class Wire:
    """Carries each signed request to this installation's own views; can be cut, or made to lose
    the answer after the other side acted on the request."""

    def __init__(self):
        self.down = False
        self.lose_answers = False
        self.sent = []

    def __call__(self, url, method, body, headers):
        if self.down:
            raise transport.Unreachable("connection refused")
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        self.sent.append((method, path))
        response = Client().generic(method, path, data=body, content_type="application/json", headers=headers)
        if self.lose_answers:
            raise transport.Unreachable("timed out")
        return response.status_code, response.content


@pytest.fixture
def wire(monkeypatch):
    carried = Wire()
    monkeypatch.setattr(transport, "_http", carried)
    return carried


@pytest.fixture
def banks(riverside, hilltop, coordinator, other_coordinator, member, other_member, wire):
    """(riverside's link to hilltop, hilltop's link to riverside), 10 hours each way."""
    here = services.link_bank(riverside, name="Hilltop Time Bank", peer_url="http://hilltop.test",
                              peer_slug="hilltop", peer_public_key=services.node_for(hilltop).public_key,
                              we_may_owe=600, they_may_owe=600, actor=coordinator)
    there = services.link_bank(hilltop, name="Riverside Time Bank", peer_url="http://riverside.test",
                               peer_slug="riverside", peer_public_key=services.node_for(riverside).public_key,
                               we_may_owe=600, they_may_owe=600, actor=other_coordinator)
    return here, there


@pytest.fixture
def alice(riverside, member):
    return Membership.objects.select_related("user").get(user=member, community=riverside)


@pytest.fixture
def olga(hilltop, other_member):
    return Membership.objects.select_related("user").get(user=other_member, community=hilltop)
