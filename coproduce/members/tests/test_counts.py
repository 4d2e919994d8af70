"""Issue 19: member counts are kept between changes of a community's people, and a join, a departure
or a new role is counted at once (``members.counts``). Each count is checked against the
memberships themselves."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coproduce import testing
from coproduce.members import services
from coproduce.members.counts import active_members, active_members_of
from coproduce.members.models import Membership, MembershipStatus, Role


def _counted(community, role=None) -> int:
    """The count from the memberships themselves, not through the kept one."""
    rows = Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE)
    return sum(1 for m in rows if role is None or m.role == role)


def _counts_twice(community, **kwargs) -> tuple[int, list[str]]:
    active_members(community, **kwargs)
    with CaptureQueriesContext(connection) as queries:
        value = active_members(community, **kwargs)
    return value, [query["sql"] for query in queries]


def test_a_count_is_kept_and_follows_every_change_of_the_communitys_people(riverside, member, coordinator):
    value, sql = _counts_twice(riverside)
    assert value == _counted(riverside) == 2
    assert len(sql) == 1 and "COUNT" not in sql[0]  # only when the people last changed

    newcomer = testing.join(testing.make_person("new@example.org", "Nia New"), riverside)
    assert active_members(riverside) == _counted(riverside) == 3
    assert active_members(riverside, role=Role.MEMBER) == _counted(riverside, Role.MEMBER) == 2

    services.change_role(newcomer, actor=coordinator, role=Role.COORDINATOR)
    assert active_members(riverside, role=Role.MEMBER) == _counted(riverside, Role.MEMBER) == 1
    assert active_members(riverside, role=Role.COORDINATOR) == _counted(riverside, Role.COORDINATOR) == 2

    services.leave_community(Membership.objects.get(user=member, community=riverside), actor=member)
    assert active_members(riverside) == _counted(riverside) == 2
    Membership.objects.get(pk=newcomer.pk).delete()  # through the admin, say
    assert active_members(riverside) == _counted(riverside) == 1


def test_another_communitys_change_keeps_this_ones_count(riverside, hilltop, member, other_member):
    active_members(riverside)
    testing.join(testing.make_person("hill@example.org", "Hal Hill"), hilltop)
    value, sql = _counts_twice(riverside)
    assert value == 1 and not any("COUNT" in query for query in sql)
    assert active_members(hilltop) == _counted(hilltop) == 2


def test_the_list_of_time_banks_counts_each_bank_once_per_change(client, riverside, hilltop, member, other_member):
    assert active_members_of([riverside, hilltop]) == {riverside.pk: 1, hilltop.pk: 1}
    with CaptureQueriesContext(connection) as queries:
        assert active_members_of([riverside, hilltop]) == {riverside.pk: 1, hilltop.pk: 1}
    assert len(queries) == 1  # when each bank's people last changed; the counts are kept
    for n in range(5):
        testing.join(testing.make_person(f"r{n}@example.org", f"Rae {n}"), riverside)
    assert active_members_of([riverside, hilltop]) == {riverside.pk: _counted(riverside), hilltop.pk: 1}
    page = client.get(reverse("time_banks")).content.decode()
    assert "6 members" in page  # at least the community's k: shown as counted


def test_members_added_in_bulk_are_counted_at_once(riverside, hilltop, member):
    """``bulk_create`` sends no signal; an import or seeder must still not leave a count stale
    (the directory pages by the kept count)."""
    from coproduce.accounts.models import User

    assert active_members(riverside) == _counted(riverside)
    hilltop_before = active_members(hilltop)
    people = User.objects.bulk_create(User(email=f"bulk{i}@example.org", name=f"Bulk {i}", password="!")
                                      for i in range(30))
    Membership.objects.bulk_create(Membership(community=riverside, user=person) for person in people)
    assert active_members(riverside) == _counted(riverside) == 31
    assert active_members(hilltop) == _counted(hilltop) == hilltop_before


def test_members_changed_in_bulk_are_counted_at_once(riverside, hilltop, member, other_member, coordinator):
    """``update`` and ``bulk_update`` send no signal either (a script, a data fix in the shell)."""
    assert active_members(riverside) == _counted(riverside) == 2
    hilltop_before = active_members(hilltop)
    Membership.objects.filter(community=riverside, user=member).update(status=MembershipStatus.LEFT,
                                                                       left_at=timezone.now())
    assert active_members(riverside) == _counted(riverside) == 1
    assert active_members(hilltop) == _counted(hilltop) == hilltop_before
    rows = list(Membership.objects.filter(community=riverside))
    for row in rows:
        row.role = Role.MEMBER
    Membership.objects.bulk_update(rows, ["role"])
    assert active_members(riverside, role=Role.COORDINATOR) == _counted(riverside, Role.COORDINATOR) == 0
