from collections import Counter

import pytest
from django.core.management import call_command

from coproduce.communities.models import Community
from coproduce.demo.logins import DEMO_LOGINS, DEMO_PASSWORD, DEMO_SLUG
from coproduce.members.models import (
    Application,
    ApplicationStatus,
    Demographics,
    Gender,
    Membership,
    Role,
)

pytestmark = pytest.mark.django_db


def _snapshot():
    community = Community.objects.get(slug=DEMO_SLUG)
    return sorted(Membership.objects.filter(community=community).values_list(
        "user__name", "area__code", "availability"))


def test_seed_builds_a_realistic_community(capsys):
    call_command("seed_demo", "--members", "200", "--seed", "7")
    community = Community.objects.get(slug=DEMO_SLUG)
    members = Membership.objects.filter(community=community)
    # The population, the demo logins (member + 2 coordinators), assisted members, and
    # the partners' staff and referred people the partner demo adds.
    assert members.count() >= 200 + 3 + 4
    assert members.filter(role=Role.COORDINATOR).count() == 2
    assert members.filter(user__is_assisted=True).count() == 4
    assert Application.objects.filter(community=community, status=ApplicationStatus.PENDING).count() == 5
    assert community.areas.count() == 8
    genders = Counter(Demographics.objects.values_list("gender", flat=True))
    assert genders[Gender.WOMAN] > genders[Gender.MAN]  # women are the majority, as in real time banks
    assert Demographics.objects.filter(age_band__in=["65_79", "80_plus"]).count() > 0
    # Every approved member has a recorded consent to the privacy notice.
    assert not Application.objects.filter(community=community, status=ApplicationStatus.APPROVED,
                                          consent_version="").exists()
    output = capsys.readouterr().out
    for email in DEMO_LOGINS.values():
        assert email in output
    assert DEMO_PASSWORD in output


def test_seed_is_idempotent():
    call_command("seed_demo", "--members", "30")
    before = _snapshot()
    call_command("seed_demo", "--members", "30")
    assert _snapshot() == before
    assert Community.objects.filter(slug=DEMO_SLUG).count() == 1


class _Rollback(Exception):
    pass


def _seed_and_snapshot(seed):
    """Seed inside a savepoint, take a snapshot, then roll the seed back."""
    from django.db import transaction

    from coproduce.demo.seed import seed_demo

    try:
        with transaction.atomic():
            seed_demo(members=40, seed=seed)
            snapshot = _snapshot()
            raise _Rollback
    except _Rollback:
        return snapshot


def test_seed_is_deterministic():
    first = _seed_and_snapshot(3)
    assert not Community.objects.filter(slug=DEMO_SLUG).exists()
    assert _seed_and_snapshot(3) == first
    assert _seed_and_snapshot(4) != first


def test_demo_logins_work(client):
    call_command("seed_demo", "--members", "5")
    assert client.login(email=DEMO_LOGINS["member"], password=DEMO_PASSWORD)
    response = client.get(f"/c/{DEMO_SLUG}/members/")
    assert response.status_code == 200


def test_seed_with_exchanges_keeps_the_ledger_sound():
    from coproduce.groups.models import Group
    from coproduce.ledger.models import Transfer
    from coproduce.market.models import Post
    from coproduce.partners.models import Organisation

    call_command("seed_demo", "--members", "60", "--exchanges", "400", "--months", "6")
    community = Community.objects.get(slug=DEMO_SLUG)
    assert Transfer.objects.filter(community=community).count() > 300
    assert Post.objects.filter(community=community).exists()
    assert Organisation.objects.filter(community=community).count() >= 4
    assert Group.objects.filter(community=community).count() >= 3
    call_command("verify_ledger", "--community", DEMO_SLUG)  # raises SystemExit(1) if unsound
