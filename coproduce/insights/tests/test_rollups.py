"""Roll-ups kept in the posting transaction equal the ones rebuilt from the ledger."""

import contextlib
import datetime
import random
import statistics

from django.core.exceptions import ValidationError
from django.core.management import call_command

from coproduce import testing
from coproduce.communities.models import Category
from coproduce.insights import figures
from coproduce.insights.models import MemberMonth, MonthlyRollup, PairMonth
from coproduce.ledger import services
from coproduce.ledger.models import Transfer, TransferKind
from coproduce.members.models import Membership, Role


def _snapshot(community):
    rollups = sorted((r.month, r.category_id or 0, r.area_id or 0, r.exchange_type, r.minutes, r.exchanges)
                     for r in MonthlyRollup.objects.filter(community=community) if r.minutes or r.exchanges)
    members = sorted((r.account_id, r.month, r.given, r.received)
                     for r in MemberMonth.objects.filter(community=community) if r.given or r.received)
    pairs = sorted((r.low_id, r.high_id, r.month, r.exchanges)
                   for r in PairMonth.objects.filter(community=community) if r.exchanges)
    return rollups, members, pairs


def _by_hand(community, start, end):
    """Given and received minutes per member account from the ledger's own rows: posted exchanges
    and group exchanges performed from start to end that were not reversed."""
    reversed_ids = set(Transfer.objects.filter(community=community, kind=TransferKind.REVERSAL)
                       .values_list("reverses_id", flat=True))
    sums = {}
    for transfer in Transfer.objects.filter(community=community, status="posted", kind__in=["exchange", "group"],
                                            performed_on__range=(start, end)).prefetch_related("entries__account"):
        if transfer.pk in reversed_ids:
            continue
        for entry in transfer.entries.all():
            if entry.account.kind == "member":
                cell = sums.setdefault(entry.account_id, [0, 0])
                cell[0 if entry.amount > 0 else 1] += abs(entry.amount)
    return sums


def test_incremental_rollups_equal_rebuilt(riverside, coordinator):
    rng = random.Random(6)
    areas = list(riverside.areas.all())
    people = []
    for i in range(6):
        user = testing.make_person(f"p{i}@example.org", f"Person {i}")
        people.append(testing.join(user, riverside, area=rng.choice([*areas, None])))
    cora = Membership.objects.get(user=coordinator, community=riverside)
    categories = [*list(Category.objects.filter(community=riverside)[:3]), None]
    today = datetime.date.today()
    posted = []
    for i in range(40):
        giver, receiver = rng.sample(people, 2)
        day = today - datetime.timedelta(days=rng.randrange(0, 200))
        try:
            posted.append(services.record_exchange(
                community=riverside, giver=giver, receiver=receiver, minutes=rng.choice((15, 30, 60)),
                performed_on=day, keyed_by=receiver.user, idempotency_key=f"x{i}",
                category=rng.choice(categories)))
        except ValidationError:
            continue
    accounts = services.member_accounts(riverside, people)
    rows = [services.BulkRow(a.pk, b.pk, 15, today - datetime.timedelta(days=rng.randrange(0, 90)), f"b{i}",
                             category_id=getattr(rng.choice(categories), "pk", None))
            for i, (a, b) in enumerate(rng.sample(accounts, 2) for _ in range(30))]
    with contextlib.suppress(ValidationError):
        services.bulk_post_exchanges(riverside, rows, keyed_by=coordinator)
    for i, transfer in enumerate(rng.sample(posted, min(8, len(posted)))):
        services.reverse_transfer(transfer, keyed_by=coordinator, reason="mistake", idempotency_key=f"r{i}")
    with contextlib.suppress(ValidationError):
        services.give_credits(community=riverside, giver=people[0], to=None, minutes=30,
                              keyed_by=people[0].user, idempotency_key="gift")
    group = services.record_group_exchange(community=riverside, givers=[(people[1], 60), (people[2], 30)],
                                           receivers=[people[3]], performed_on=today - datetime.timedelta(days=3),
                                           keyed_by=coordinator, idempotency_key="group")
    services.reverse_transfer(posted[-1], keyed_by=coordinator, reason="mistake", idempotency_key="r-last")
    assert cora.role == Role.COORDINATOR
    assert Transfer.objects.filter(community=riverside, kind=TransferKind.REVERSAL).exists()
    assert group.kind == TransferKind.GROUP
    incremental = _snapshot(riverside)
    assert incremental[0] and incremental[1] and incremental[2]
    call_command("rebuild_rollups", "--community", riverside.slug)
    assert _snapshot(riverside) == incremental
    # The per-member figures read from MemberMonth agree with the ledger's rows, worked out here.
    period = figures.Period(figures.add_months(today.replace(day=1), -6), today.replace(day=1))
    sums = [tuple(v) for v in _by_hand(riverside, period.start, period.last_day).values() if v[0] or v[1]]
    got = figures.member_figures(riverside, period)
    assert got.active == len(sums)
    assert got.reciprocal == sum(1 for given, received in sums if given and received)
    assert got.median_hours == figures.hours(statistics.median(g + r for g, r in sums))


def test_reversal_nets_out(riverside, member, second_member, coordinator):
    alice = Membership.objects.get(user=member, community=riverside)
    bob = Membership.objects.get(user=second_member, community=riverside)
    day = datetime.date.today().replace(day=1)
    t = services.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=90, performed_on=day,
                                 keyed_by=second_member, idempotency_key="one")
    services.record_exchange(community=riverside, giver=bob, receiver=alice, minutes=30, performed_on=day,
                             keyed_by=member, idempotency_key="two")
    services.reverse_transfer(t, keyed_by=coordinator, reason="typo", idempotency_key="rev")
    rows = MonthlyRollup.objects.filter(community=riverside, month=day)
    assert sum(r.minutes for r in rows) == 30
    assert sum(r.exchanges for r in rows) == 1
    assert {r.exchange_type for r in rows if r.exchanges} == {"p2p"}
