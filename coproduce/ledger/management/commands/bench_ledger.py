"""Measure the ledger service against a minimal hand-written SQL posting, and the bulk path.

Everything happens in a throwaway community that is removed afterwards. Posted entries are
immutable, so the clean-up runs with ``coproduce.ledger_maintenance = 'on'`` for its own
transaction only (the PostgreSQL trigger honours it; see ledger migration 0002).
"""

import json
import random
import secrets
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from coproduce.communities.models import Community
from coproduce.ledger import services
from coproduce.ledger.models import TransferKind, TransferStatus
from coproduce.members.models import Membership

MEMBERS = 50
BLOCK = 200


class Command(BaseCommand):
    help = ("Print one JSON line: service_per_s, baseline_per_s, ratio, bulk_per_s, bulk_floor_per_s, "
            "bulk_ratio.")

    def add_arguments(self, parser):
        parser.add_argument("--exchanges", type=int, default=2000,
                            help="exchanges for the one-at-a-time runs (default 2000)")
        parser.add_argument("--bulk", type=int, default=50000,
                            help="exchanges for the bulk run (default 50000)")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, exchanges, bulk, seed, **options):
        if exchanges < 1 or bulk < 1:
            raise CommandError("--exchanges and --bulk must be at least 1.")
        rng = random.Random(seed)
        tag = secrets.token_hex(4)
        community = Community.objects.create(
            name=f"Benchmark {tag}", slug=f"bench-{tag}",
            min_balance_minutes=-10**8, max_balance_minutes=10**8)
        try:
            result = self._run(community, tag, rng, exchanges, bulk)
        finally:
            _remove(community)
        self.stdout.write(json.dumps(result))

    def _run(self, community, tag, rng, exchanges, bulk):
        User = get_user_model()
        users = User.objects.bulk_create(
            User(email=f"bench-{tag}-{i}@example.invalid", name=f"Bench {i}", password="!")
            for i in range(MEMBERS))
        Membership.objects.bulk_create(Membership(community=community, user=u) for u in users)
        memberships = list(Membership.objects.filter(community=community).select_related("user").order_by("pk"))
        accounts = services.member_accounts(community, memberships)
        today = timezone.localdate()

        def pairs(n):
            for _ in range(n):
                giver, receiver = rng.sample(range(MEMBERS), 2)
                yield giver, receiver, rng.choice((30, 60, 60, 90, 120))

        def service(batch):
            for giver, receiver, minutes in batch:
                services.record_exchange(
                    community=community, giver=memberships[giver], receiver=memberships[receiver],
                    minutes=minutes, performed_on=today, keyed_by=memberships[receiver].user,
                    idempotency_key=services.new_key())

        def baseline(batch):
            for giver, receiver, minutes in batch:
                _baseline_post(community.pk, accounts[giver].pk, accounts[receiver].pk, minutes, today,
                               users[receiver].pk)

        # Warm up both, then alternate blocks so drift in the machine's load hits both alike.
        warm = list(pairs(50))
        service(warm)
        baseline(warm)
        rows = list(pairs(exchanges))
        service_s = baseline_s = 0.0
        for start in range(0, exchanges, BLOCK):
            block = rows[start:start + BLOCK]
            started = time.perf_counter()
            service(block)
            service_s += time.perf_counter() - started
            started = time.perf_counter()
            baseline(block)
            baseline_s += time.perf_counter() - started

        _check_rollups(community.pk)
        bulk_rows = [services.BulkRow(accounts[g].pk, accounts[r].pk, m, today, f"b-{i}")
                     for i, (g, r, m) in enumerate(pairs(bulk))]
        started = time.perf_counter()
        services.bulk_post_exchanges(community, bulk_rows, keyed_by=users[0])
        bulk_s = time.perf_counter() - started
        floor_rows = [(accounts[g].pk, accounts[r].pk, m) for g, r, m in pairs(bulk)]
        started = time.perf_counter()
        _bulk_floor(community.pk, floor_rows, today, users[0].pk)
        floor_s = time.perf_counter() - started

        service_per_s = exchanges / service_s
        baseline_per_s = exchanges / baseline_s
        return {
            "database": connection.vendor,
            "exchanges": exchanges,
            "service_per_s": round(service_per_s, 1),
            "baseline_per_s": round(baseline_per_s, 1),
            "ratio": round(baseline_per_s / service_per_s, 2),
            "bulk_exchanges": bulk,
            "bulk_per_s": round(bulk / bulk_s, 1),
            "bulk_floor_per_s": round(bulk / floor_s, 1) if floor_s else None,
            "bulk_ratio": round(bulk_s / floor_s, 2) if floor_s else None,
        }


def _baseline_post(community_id, giver_id, receiver_id, minutes, today, user_id):
    """The least a correct posting must do: lock both rows, insert the transfer and its entries,
    update the balances, keep the roll-ups, commit."""
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT id, balance FROM ledger_account WHERE id IN (%s, %s) ORDER BY id{lock}",
                       [giver_id, receiver_id])
        balances = dict(cursor.fetchall())
        cursor.execute(
            "INSERT INTO ledger_transfer (community_id, kind, status, performed_on, description, reason,"
            " keyed_by_id, idempotency_key, proposed, created_at, posted_at)"
            " VALUES (%s, %s, %s, %s, '', '', %s, %s, '[]', %s, %s) RETURNING id",
            [community_id, TransferKind.EXCHANGE, TransferStatus.POSTED, today, user_id,
             secrets.token_urlsafe(24), now, now])
        transfer_id = cursor.fetchone()[0]
        giver_after, receiver_after = balances[giver_id] + minutes, balances[receiver_id] - minutes
        cursor.execute(
            "INSERT INTO ledger_entry (transfer_id, account_id, amount, balance_after)"
            " VALUES (%s, %s, %s, %s), (%s, %s, %s, %s)",
            [transfer_id, giver_id, minutes, giver_after, transfer_id, receiver_id, -minutes, receiver_after])
        cursor.execute("UPDATE ledger_account SET balance = CASE id WHEN %s THEN %s ELSE %s END"
                       " WHERE id IN (%s, %s)",
                       [giver_id, giver_after, receiver_after, giver_id, receiver_id])
        _baseline_rollups(cursor, community_id, giver_id, receiver_id, minutes, today.replace(day=1))


# The roll-up rows the service keeps for a person-to-person exchange with no category between
# members with no area (what the benchmark posts): the month's row, each member's month and the
# pair's month. Written as the service writes them: one statement on PostgreSQL, three on SQLite.
_ROLLUP_UPSERTS = (
    "INSERT INTO insights_monthlyrollup (key, community_id, month, category_id, area_id, exchange_type,"
    " minutes, exchanges, givers) VALUES (%s, %s, %s, NULL, NULL, 'p2p', %s, 1, 1) ON CONFLICT (key) DO UPDATE"
    " SET minutes = insights_monthlyrollup.minutes + excluded.minutes,"
    " exchanges = insights_monthlyrollup.exchanges + 1, givers = insights_monthlyrollup.givers + 1",
    "INSERT INTO insights_membermonth (key, community_id, account_id, month, given, received)"
    " VALUES (%s, %s, %s, %s, %s, 0), (%s, %s, %s, %s, 0, %s) ON CONFLICT (key) DO UPDATE"
    " SET given = insights_membermonth.given + excluded.given,"
    " received = insights_membermonth.received + excluded.received",
    "INSERT INTO insights_pairmonth (key, community_id, low_id, high_id, month, exchanges)"
    " VALUES (%s, %s, %s, %s, %s, 1) ON CONFLICT (key) DO UPDATE"
    " SET exchanges = insights_pairmonth.exchanges + 1",
)


def _baseline_rollups(cursor, community_id, giver_id, receiver_id, minutes, month):
    low, high = sorted((giver_id, receiver_id))
    params = (
        [f"{community_id}:{month.isoformat()}:-:-:p2p", community_id, month, minutes],
        [f"{giver_id}:{month.isoformat()}", community_id, giver_id, month, minutes,
         f"{receiver_id}:{month.isoformat()}", community_id, receiver_id, month, minutes],
        [f"{low}:{high}:{month.isoformat()}", community_id, low, high, month],
    )
    if connection.vendor == "postgresql":
        cursor.execute(f"WITH r AS ({_ROLLUP_UPSERTS[0]}), m AS ({_ROLLUP_UPSERTS[1]}) {_ROLLUP_UPSERTS[2]}",
                       [value for part in params for value in part])
    else:
        for sql, part in zip(_ROLLUP_UPSERTS, params, strict=True):
            cursor.execute(sql, part)


def _bulk_floor(community_id, rows, today, user_id):
    """What any bulk import must do at the least, by hand: reserve ids, write the transfers and
    their entries (COPY on PostgreSQL, executemany on SQLite), set the balances, commit; no checks
    and no roll-ups. ``bulk_ratio`` is the bulk path's time over this one's."""
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT id, balance FROM ledger_account WHERE community_id = %s", [community_id])
        balances = dict(cursor.fetchall())
        transfers, entries = [], []
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM ledger_transfer")
        if connection.vendor == "postgresql":
            cursor.execute("SELECT array_agg(nextval(pg_get_serial_sequence('ledger_transfer', 'id'))) "
                           "FROM generate_series(1, %s)", [len(rows)])
            ids = cursor.fetchone()[0]
        else:
            first = cursor.fetchone()[0] + 1
            ids = range(first, first + len(rows))
        for tid, (giver, receiver, minutes) in zip(ids, rows, strict=True):
            balances[giver] += minutes
            balances[receiver] -= minutes
            transfers.append((tid, community_id, TransferKind.EXCHANGE, TransferStatus.POSTED, today, user_id,
                              f"f-{tid}", "[]", now, now))
            entries += [(tid, giver, minutes, balances[giver]), (tid, receiver, -minutes, balances[receiver])]
        transfer_columns = ("id, community_id, kind, status, performed_on, keyed_by_id, idempotency_key, "
                            "proposed, created_at, posted_at, description, reason")
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY ledger_transfer ({transfer_columns}) FROM STDIN") as copy:
                copy.write("".join("\t".join(map(str, (*t[:8], t[8].isoformat(), t[9].isoformat()))) + "\t\t\n"
                                   for t in transfers))
            with cursor.cursor.copy("COPY ledger_entry (transfer_id, account_id, amount, balance_after) "
                                    "FROM STDIN") as copy:
                copy.write("".join(f"{a}\t{b}\t{c}\t{d}\n" for a, b, c, d in entries))
        else:
            cursor.executemany(f"INSERT INTO ledger_transfer ({transfer_columns}) VALUES "
                               "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', '')", transfers)
            cursor.executemany("INSERT INTO ledger_entry (transfer_id, account_id, amount, balance_after) "
                               "VALUES (%s, %s, %s, %s)", entries)
        for pk, balance in balances.items():
            cursor.execute("UPDATE ledger_account SET balance = %s WHERE id = %s", [balance, pk])


def _check_rollups(community_id):
    """Both ways kept the same roll-ups: every posted exchange is counted once in each table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM ledger_transfer WHERE community_id = %s),"
            " (SELECT SUM(exchanges) FROM insights_monthlyrollup WHERE community_id = %s),"
            " (SELECT SUM(exchanges) FROM insights_pairmonth WHERE community_id = %s),"
            " (SELECT SUM(given) - SUM(received) FROM insights_membermonth WHERE community_id = %s)",
            [community_id] * 4)
        transfers, monthly, pairs, net = cursor.fetchone()
    if not (transfers == monthly == pairs and net == 0):
        raise CommandError(f"The roll-ups disagree with the ledger: {transfers} transfers, {monthly} in the "
                           f"monthly roll-up, {pairs} in the pairs, members net {net}.")


def _remove(community):
    """Delete the throwaway community and everything the benchmark made in it (plain SQL:
    the ORM's cascade would visit every app's tables, and entries refuse ORM deletes)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL coproduce.ledger_maintenance = 'on'")
        cursor.execute("DELETE FROM ledger_entry WHERE transfer_id IN "
                       "(SELECT id FROM ledger_transfer WHERE community_id = %s)", [community.pk])
        cursor.execute("DELETE FROM ledger_transfer WHERE community_id = %s", [community.pk])
        for table in ("insights_monthlyrollup", "insights_membermonth", "insights_pairmonth"):  # issue 6 roll-ups
            cursor.execute(f"DELETE FROM {table} WHERE community_id = %s", [community.pk])
        cursor.execute("DELETE FROM ledger_account WHERE community_id = %s", [community.pk])
        user_ids = list(Membership.objects.filter(community=community).values_list("user_id", flat=True))
        # The benchmark made nothing else in its community, so plain deletes suffice.
        cursor.execute("DELETE FROM members_membership WHERE community_id = %s", [community.pk])
        cursor.execute("DELETE FROM members_peoplechanged WHERE community_id = %s", [community.pk])
        cursor.execute("DELETE FROM communities_community WHERE id = %s", [community.pk])
        if user_ids:  # made with bulk_create, so no signal attached anything else to them
            cursor.execute(f"DELETE FROM {get_user_model()._meta.db_table} WHERE id IN ("
                           + ", ".join(["%s"] * len(user_ids)) + ")", user_ids)
