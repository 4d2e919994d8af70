"""Partner personas, shared by the partners, referrals and groups tests.

staff works at the surgery; other_staff at the school (another organisation, same
community); left_staff worked at the surgery and has left.
"""

import datetime

import pytest
from django.utils import timezone

from coproduce import testing
from coproduce.members.models import Membership, Role
from coproduce.partners import services


def membership(user, community):
    return Membership.objects.select_related("user").get(user=user, community=community)


@pytest.fixture
def surgery(riverside, coordinator):
    return services.save_organisation(community=riverside, actor=coordinator, name="Riverside Surgery",
                                      type="health", description="The GP surgery.")


@pytest.fixture
def school(riverside, coordinator):
    return services.save_organisation(community=riverside, actor=coordinator, name="Riverside Primary",
                                      type="education")


def _staff(email, name, riverside, coordinator, organisation):
    user = testing.make_person(email, name)
    testing.join(user, riverside, role=Role.PARTNER_STAFF)
    services.add_staff(organisation, actor=coordinator, membership=membership(user, riverside),
                       started_on=timezone.localdate() - datetime.timedelta(days=30))
    return user


@pytest.fixture
def staff(riverside, coordinator, surgery):
    return _staff("sam@example.org", "Sam Staff", riverside, coordinator, surgery)


@pytest.fixture
def other_staff(riverside, coordinator, school):
    return _staff("tess@example.org", "Tess Teacher", riverside, coordinator, school)


@pytest.fixture
def left_staff(riverside, coordinator, surgery):
    user = _staff("lee@example.org", "Lee Left", riverside, coordinator, surgery)
    services.end_staff(user.staff_roles.get(), actor=coordinator)
    return user


@pytest.fixture
def alice(member, riverside):
    return membership(member, riverside)


@pytest.fixture
def bob(second_member, riverside):
    return membership(second_member, riverside)


@pytest.fixture
def yesterday():
    return timezone.localdate() - datetime.timedelta(days=1)
