import datetime

import pytest

from coproduce.ledger.queries import check_ledger
from coproduce.members.models import Membership


@pytest.fixture
def alice(member, riverside):
    return Membership.objects.select_related("user").get(user=member, community=riverside)


@pytest.fixture
def bob(second_member, riverside):
    return Membership.objects.select_related("user").get(user=second_member, community=riverside)


@pytest.fixture
def cora(coordinator, riverside):
    return Membership.objects.select_related("user").get(user=coordinator, community=riverside)


@pytest.fixture
def olga(other_member, hilltop):
    return Membership.objects.select_related("user").get(user=other_member, community=hilltop)


@pytest.fixture
def yesterday():
    return datetime.date.today() - datetime.timedelta(days=1)


def assert_sound(community=None):
    _counts, problems = check_ledger(community)
    assert problems == []


@pytest.fixture
def member_factory(riverside):
    from coproduce import testing

    def make(name, community=None):
        user = testing.make_person(f"{name.lower()}@example.org", f"{name} Example")
        membership = testing.join(user, community or riverside)
        return Membership.objects.select_related("user").get(pk=membership.pk)

    return make
