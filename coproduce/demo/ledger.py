"""A plausible exchange history for the demo community, fast enough for millions of exchanges.

Shape (product brief, "Realistic demo data"): activity is heavy-tailed (Zipf-like weights
per member, separately as giver and as receiver, so some mostly give and some mostly
receive); busier in spring and autumn, quieter in August and December, growing over the
period; mostly person-to-person exchanges of 30 minutes to 4 hours; about 1% group
exchanges (classes paid by the pot or by the learners), a few gifts, pot grants and
reversals.

Person-to-person exchanges go through ``services.bulk_post_exchanges`` (which checks
every row and limit under a lock); the few others go through the normal services.
"""

from __future__ import annotations

import calendar
import datetime
import itertools
import random
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils import timezone

from coproduce.communities.models import Category, Community
from coproduce.ledger import services
from coproduce.members.models import Membership

SEASON = {1: 0.9, 2: 0.95, 3: 1.05, 4: 1.1, 5: 1.15, 6: 1.1, 7: 1.0, 8: 0.7, 9: 1.1, 10: 1.1,
          11: 1.0, 12: 0.7}
MINUTES = [30, 45, 60, 60, 60, 60, 90, 90, 120, 120, 120, 150, 180, 240]
CHUNK = 100_000


def _months_back(today: datetime.date, months: int) -> list[datetime.date]:
    firsts = []
    year, month = today.year, today.month
    for _ in range(months):
        firsts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def seed_exchanges(community: Community, memberships: Sequence[Membership], count: int,
                   rng: random.Random, months: int, *, stdout=None) -> dict[str, int]:
    """Write about ``count`` transfers among ``memberships`` over the last ``months`` months.

    Returns the number of each kind written. Exchanges that would break a balance limit are
    turned round (the receiver gives instead) or skipped, so slightly fewer than ``count``
    may be written. The community needs an active coordinator for group exchanges, grants
    and reversals (they are skipped otherwise).
    """
    members = [m for m in memberships if m.is_active and m.community_id == community.pk]
    if len(members) < 2 or count <= 0:
        return {"exchanges": 0, "group": 0, "gifts": 0, "grants": 0, "reversals": 0}
    coordinator = (Membership.objects.coordinators().filter(community=community)
                   .select_related("user").order_by("pk").first())
    keyed_by = coordinator.user if coordinator else members[0].user
    accounts = services.member_accounts(community, members)
    today = services.community_today(community)
    # Help in a category that needs a safeguarding check is left out: the demo's helpers hold none.
    categories = list(Category.objects.filter(community=community, parent__isnull=False, retired=False,
                                              check_requirement__isnull=True)
                      .values_list("pk", flat=True)) or [None]
    category_weights = [1 / (i + 1) for i in range(len(categories))]
    rng.shuffle(categories)

    extras = {"group": min(count // 100, 500), "gifts": min(count // 100, 300),
              "grants": min(count // 500, 100), "reversals": min(count // 500, 100)}
    if coordinator is None:
        extras.update(group=0, grants=0, reversals=0)
    plain = count - sum(extras.values())

    # Heavy-tailed activity: member i's weight is 1 / rank^1.1, ranks shuffled.
    n = len(members)
    activity = [1 / (rank + 1) ** 1.1 for rank in range(n)]
    rng.shuffle(activity)
    lean = [rng.uniform(0.2, 0.8) for _ in range(n)]
    giver_cum = list(itertools.accumulate(a * g for a, g in zip(activity, lean, strict=True)))
    receiver_cum = list(itertools.accumulate(a * (1 - g) for a, g in zip(activity, lean, strict=True)))
    joined = [timezone.localdate(m.joined_at) for m in members]

    firsts = _months_back(today, months)
    month_weights = [SEASON[d.month] * (0.6 + 0.8 * i / max(1, months - 1)) for i, d in enumerate(firsts)]
    month_picks = rng.choices(range(len(firsts)), weights=month_weights, k=plain)
    givers = rng.choices(range(n), cum_weights=giver_cum, k=plain)
    receivers = rng.choices(range(n), cum_weights=receiver_cum, k=plain)
    minutes = rng.choices(MINUTES, k=plain)
    cats = rng.choices(categories, weights=category_weights, k=plain)

    candidates = []
    for i in range(plain):
        g, r = givers[i], receivers[i]
        if g == r:
            r = (r + 1) % n
        first = firsts[month_picks[i]]
        last_day = calendar.monthrange(first.year, first.month)[1]
        day = first + datetime.timedelta(days=rng.randrange(last_day))
        day = min(max(day, joined[g], joined[r]), today)
        candidates.append((day, g, r, minutes[i], cats[i]))
    candidates.sort(key=lambda c: c[0])

    balances = [a.balance for a in accounts]
    limits = [(a.min_limit, a.max_limit) for a in accounts]

    def fits(g, r, m):
        low, high = limits[r]
        if low is not None and balances[r] - m < low:
            return False
        low, high = limits[g]
        return high is None or balances[g] + m <= high

    rows = []
    tag = rng.getrandbits(48)
    for i, (day, g, r, m, category) in enumerate(candidates):
        if not fits(g, r, m):
            g, r = r, g
            if not fits(g, r, m):
                continue
        balances[g] += m
        balances[r] -= m
        rows.append(services.BulkRow(accounts[g].pk, accounts[r].pk, m, day, f"demo-{tag:x}-{i}", category))
    written = 0
    for start in range(0, len(rows), CHUNK):
        written += services.bulk_post_exchanges(community, rows[start:start + CHUNK], keyed_by=keyed_by)
        if stdout is not None:
            stdout.write(f"  exchanges: {written:,} of {len(rows):,}")

    analyse()  # the rest posts one by one, through the services, over what was just loaded
    done = {"exchanges": written, "group": 0, "gifts": 0, "grants": 0, "reversals": 0}
    recent = max(1, min(60, months * 30))

    def attempt(kind, action, **kwargs):
        try:
            action(**kwargs)
        except ValidationError:
            return
        done[kind] += 1

    busy = rng.choices(range(n), cum_weights=giver_cum, k=extras["group"] + extras["gifts"] * 2)
    picks = iter(busy)
    # Gifts first: the pot pays classes and grants only from what members gave it.
    for i in range(extras["gifts"]):
        giver = members[next(picks)]
        to = None if rng.random() < 0.7 else members[next(picks)]
        if to is not None and to.pk == giver.pk:
            to = None
        attempt("gifts", services.give_credits, community=community, giver=giver, to=to,
                minutes=rng.choice((60, 120, 180)), keyed_by=giver.user,
                idempotency_key=f"demo-{tag:x}-gift-{i}", description="A gift")
    for i in range(extras["group"]):
        teacher = members[next(picks)]
        learners = [members[p] for p in rng.sample(range(n), min(n, rng.randint(3, 9)))]
        learners = [m for m in learners if m.pk != teacher.pk][:8]
        if len(learners) < 2:
            continue
        attempt("group", services.record_group_exchange, community=community,
                givers=[(teacher, rng.choice((60, 90, 120)))], receivers=learners,
                paid_by_pot=rng.random() < 0.4, keyed_by=keyed_by,
                performed_on=today - datetime.timedelta(days=rng.randrange(recent)),
                idempotency_key=f"demo-{tag:x}-group-{i}", category=None,
                description="Group session")
    for i in range(extras["grants"]):
        attempt("grants", services.grant_from_pot, community=community, to=members[rng.randrange(n)],
                minutes=rng.choice((60, 120)), reason="Needs help and cannot give back just now",
                keyed_by=keyed_by, idempotency_key=f"demo-{tag:x}-grant-{i}")
    if extras["reversals"] and rows:
        from coproduce.ledger.models import Transfer

        keys = [row.idempotency_key for row in rng.sample(rows, min(len(rows), extras["reversals"]))]
        for i, transfer in enumerate(Transfer.objects.filter(community=community, idempotency_key__in=keys)):
            attempt("reversals", services.reverse_transfer, transfer=transfer, keyed_by=keyed_by,
                    reason="Recorded twice by mistake", idempotency_key=f"demo-{tag:x}-rev-{i}")
    return done


def analyse() -> None:
    """After a bulk load PostgreSQL's planner statistics describe empty tables until autovacuum
    catches up, and it picks plans for a dozen rows (a scan of 100,000 accounts to find one, 0.3 s
    a posting): refresh them."""
    from django.db import connection

    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
