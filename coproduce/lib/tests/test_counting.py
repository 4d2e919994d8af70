"""``count_each``: several counts in one query, each the same as ``.count()`` would give."""

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.test.utils import CaptureQueriesContext

from coproduce import testing
from coproduce.accounts.models import User
from coproduce.lib.counting import count_each
from coproduce.members.models import Membership, Role


@pytest.mark.django_db
def test_each_count_is_what_count_gives_in_one_query(riverside, hilltop, member, second_member, coordinator):
    for i in range(5):
        testing.join(testing.make_person(f"p{i}@example.org", f"Person {i}"), riverside if i % 2 else hilltop)
    asked = {
        "everyone": User.objects.all(),
        "riverside": Membership.objects.filter(community=riverside).select_related("user").order_by("-pk"),
        "coordinators": Membership.objects.filter(role=Role.COORDINATOR, user__name__icontains="o"),
        "with a membership": User.objects.filter(Exists(Membership.objects.filter(user=OuterRef("pk")))),
        "either": Membership.objects.filter(Q(community=hilltop) | Q(user=member)).exclude(user=second_member),
        "distinct": Membership.objects.values("community").distinct(),
        "none": User.objects.filter(email="nobody@example.org"),
    }
    expected = {name: queryset.count() for name, queryset in asked.items()}
    assert expected["riverside"] >= 5 and expected["none"] == 0  # the data is not trivial
    with CaptureQueriesContext(connection) as queries:
        counted = count_each(**asked)
    assert counted == expected
    assert len(queries) == 1


def test_nothing_asked_reads_nothing(db):
    with CaptureQueriesContext(connection) as queries:
        assert count_each() == {}
    assert len(queries) == 0


@pytest.mark.django_db
def test_counts_for_ids_are_built_once_and_right_for_every_id(riverside, hilltop, member, second_member,
                                                               other_member, coordinator):
    from coproduce.lib.counting import count_each_for

    built = []

    def build(*, user: int, community: int):
        built.append((user, community))
        return {
            "memberships": Membership.objects.filter(user=user),
            "here": Membership.objects.filter(user=user, community=community, status="active"),
            "coordinators here": Membership.objects.filter(community=community, role=Role.COORDINATOR),
        }

    for user in (member, second_member, other_member, coordinator):
        for community in (riverside, hilltop):
            expected = count_each(**build(user=user.pk, community=community.pk))
            with CaptureQueriesContext(connection) as queries:
                assert count_each_for("test: ids", build, user=user.pk, community=community.pk) == expected
            assert len(queries) == 1
    # Compiled once for all eight (built twice with stand-in ids, to be sure it depends on nothing
    # else), beside the eight direct builds above.
    assert len([ids for ids in built if ids[0] < 0]) == 2 and len(built) == 10
    assert count_each_for("test: ids", build, user=member.pk, community=riverside.pk)["here"] == 1
    assert count_each_for("test: ids", build, user=member.pk, community=hilltop.pk)["here"] == 0


def test_counts_that_depend_on_the_clock_or_ignore_an_id_are_refused(db):
    from django.utils import timezone

    from coproduce.lib.counting import count_each_for

    with pytest.raises(ValueError, match="depend on more than the ids"):
        count_each_for("test: clock", lambda *, user: {"n": User.objects.filter(pk=user, date_joined__lt=timezone.now())},
                       user=1)
    with pytest.raises(ValueError, match=r"do not use \['community'\]"):
        count_each_for("test: unused", lambda *, user, community: {"n": User.objects.filter(pk=user)},
                       user=1, community=2)
