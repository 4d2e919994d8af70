"""Immutability, the verifier, concurrency and crash safety."""

import datetime
import io
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from coproduce import testing
from coproduce.communities.services import update_community_settings
from coproduce.ledger import services
from coproduce.ledger.models import Account, Entry, Transfer
from coproduce.ledger.queries import check_ledger
from coproduce.members.models import Membership

REPO = Path(__file__).resolve().parents[3]

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: needs its trigger, row locks across connections, or a database "
           "another process can open (the SQLite test database is in memory)")


def post(community, giver, receiver, minutes=60, key=None):
    return services.record_exchange(community=community, giver=giver, receiver=receiver, minutes=minutes,
                                    performed_on=timezone.localdate(), keyed_by=receiver.user,
                                    idempotency_key=key or services.new_key())


def verify(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_ledger", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def test_verify_ledger_passes_with_one_summary_line(riverside, alice, bob):
    post(riverside, alice, bob)
    code, output = verify()
    assert code == 0
    assert output.count("\n") == 1 and output.startswith("Ledger sound: 1 transfers")
    assert verify("--community", "riverside")[0] == 0


def test_verify_ledger_names_a_corrupted_balance(riverside, alice, bob):
    post(riverside, alice, bob)
    account = services.account_for_membership(alice)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_account SET balance = balance + 15 WHERE id = %s", [account.pk])
    code, output = verify()
    assert code == 1
    assert f"account #{account.pk} (Alice Ashby, riverside): cached balance 75 but entries sum to 60" in output
    assert "balances sum to 15 minutes" in output


def test_verify_ledger_names_an_unbalanced_transfer(riverside, alice, bob):
    transfer = post(riverside, alice, bob)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO ledger_entry (transfer_id, account_id, amount, balance_after) "
                       "VALUES (%s, %s, 15, 0)", [transfer.pk, services.pot_for(riverside).pk])
    code, output = verify("--community", "riverside")
    assert code == 1 and f"transfer #{transfer.pk}: entries sum to 15 minutes" in output


def test_verify_ledger_names_a_balance_past_its_limit(riverside, alice, bob):
    post(riverside, alice, bob, minutes=120)
    update_community_settings(riverside, actor=None, max_balance_minutes=60)
    code, output = verify()
    assert code == 1 and "Alice Ashby" in output and "outside its limits" in output


def test_verify_ledger_names_a_pot_past_its_floor_and_a_transfer_before_the_start(riverside, alice, bob):
    transfer = post(riverside, alice, bob, minutes=60)
    with connection.cursor() as cursor:  # what the controls now refuse, written behind their back
        cursor.execute("UPDATE communities_community SET started_on = %s, pot_floor_minutes = 0 WHERE id = %s",
                       [transfer.performed_on + datetime.timedelta(days=1), riverside.pk])
    pot = services.pot_for(riverside)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_account SET balance = -30, min_override = NULL WHERE id = %s", [pot.pk])
    code, output = verify("--community", "riverside")
    assert code == 1
    assert f"transfer #{transfer.pk}: dated {transfer.performed_on}, before the community started" in output
    assert "Community pot, riverside): balance -30 is outside its limits [0, None]" in output


@needs_postgres
@pytest.mark.postgres_only
def test_trigger_refuses_raw_update_and_delete(riverside, alice, bob):
    transfer = post(riverside, alice, bob)
    pending = services.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=15,
                                       performed_on=timezone.localdate(), keyed_by=alice.user,
                                       idempotency_key="pending")
    statements = [
        ("UPDATE ledger_entry SET amount = amount * 2 WHERE transfer_id = %s", [transfer.pk]),
        ("DELETE FROM ledger_entry WHERE transfer_id = %s", [transfer.pk]),
        ("UPDATE ledger_transfer SET status = 'declined' WHERE id = %s", [transfer.pk]),
        ("DELETE FROM ledger_transfer WHERE id = %s", [pending.pk]),
    ]
    for sql, params in statements:
        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(sql, params)
    # A pending transfer may still be settled.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_transfer SET description = 'x' WHERE id = %s", [pending.pk])
    assert Entry.objects.filter(transfer=transfer).count() == 2
    # A settled one may change its words only (an erased person's are masked, issue 20): not
    # its words together with anything the ledger counts by.
    for sql in ("UPDATE ledger_transfer SET description = 'x', performed_on = performed_on - 1 WHERE id = %s",
                "UPDATE ledger_transfer SET reason = 'x', idempotency_key = 'another' WHERE id = %s"):
        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [transfer.pk])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_transfer SET description = '[erased]', reason = '' WHERE id = %s",
                       [transfer.pk])
    transfer.refresh_from_db()
    assert transfer.description == "[erased]"


def _tight_community(size=10):
    community = testing.make_community("tight", "Tight Time Bank", areas=())
    update_community_settings(community, actor=None, min_balance_minutes=-90, max_balance_minutes=90)
    members = []
    for i in range(size):
        user = testing.make_person(f"p{i}@example.org", f"Person {i}")
        members.append(testing.join(user, community))
    members = list(Membership.objects.filter(community=community).select_related("user").order_by("pk"))
    services.member_accounts(community, members)
    community.refresh_from_db()
    return community, members


def _assert_limits_and_sound(community):
    counts, problems = check_ledger(community)
    assert problems == []
    for balance in Account.objects.filter(community=community).values_list("balance", flat=True):
        assert -90 <= balance <= 90
    return counts


@needs_postgres
@pytest.mark.postgres_only
def test_sixteen_threads_lose_nothing(transactional_db):
    community, members = _tight_community()
    threads, total = 16, 2000
    results: list[list] = [[] for _ in range(threads)]
    shared_keys = [f"shared-{i}" for i in range(40)]

    def work(n):
        rng = random.Random(n)
        try:
            for i in range(total // threads):
                giver, receiver = rng.sample(members, 2)
                minutes = rng.choice((15, 30, 45, 60))
                key = rng.choice(shared_keys) if rng.random() < 0.1 else f"t{n}-{i}"
                try:
                    transfer = post(community, giver, receiver, minutes, key)
                except ValidationError:
                    continue
                results[n].append((key, transfer.pk, giver.pk, receiver.pk, minutes))
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    accepted = [row for rows in results for row in rows]
    by_key: dict[str, set[int]] = {}
    for key, pk, *_rest in accepted:
        by_key.setdefault(key, set()).add(pk)
    assert all(len(pks) == 1 for pks in by_key.values()), "a key posted twice"
    keys_in_db = Counter(Transfer.objects.filter(community=community).values_list("idempotency_key", flat=True))
    assert set(keys_in_db) == set(by_key) and max(keys_in_db.values()) == 1
    # No lost update: balances equal what the accepted, unshared postings say plus the shared ones.
    expected = Counter()
    for key, _pk, giver, receiver, minutes in accepted:
        if not key.startswith("shared"):
            expected[giver] += minutes
            expected[receiver] -= minutes
    for entry in Entry.objects.filter(transfer__idempotency_key__startswith="shared").select_related("account"):
        expected[entry.account.membership_id] += entry.amount
    for account in Account.objects.filter(community=community):
        assert account.balance == expected[account.membership_id]
    assert 100 < len(by_key) < total  # some refused by the tight limits, many accepted
    _assert_limits_and_sound(community)


def _poster(community, count, seed, prefix, mode):
    settings = connection.settings_dict
    url = (f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
           f"/{settings['NAME']}")
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "false",
           "ALLOWED_HOSTS": "localhost"}
    return subprocess.Popen([sys.executable, "-m", "coproduce.ledger.tests.poster", community.slug,
                             str(count), str(seed), prefix, mode],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)


@needs_postgres
@pytest.mark.postgres_only
def test_several_processes_lose_nothing(transactional_db):
    community, _members = _tight_community()
    processes = [_poster(community, 500, seed, f"proc{seed}", "each") for seed in range(4)]
    printed = []
    for process in processes:
        out, _err = process.communicate(timeout=120)
        assert process.returncode == 0
        printed += out.split()
    keys = list(Transfer.objects.filter(community=community).values_list("idempotency_key", flat=True))
    assert sorted(keys) == sorted(printed)
    assert 100 < len(keys) < 2000
    _assert_limits_and_sound(community)


@needs_postgres
@pytest.mark.postgres_only
@pytest.mark.parametrize("mode", ["each", "bulk"])
def test_killed_mid_batch_leaves_no_partial_transfer(transactional_db, mode):
    community, _members = _tight_community()
    update_community_settings(community, actor=None, min_balance_minutes=-10**6, max_balance_minutes=10**6)
    process = _poster(community, 200_000 if mode == "bulk" else 100_000, 7, "crash", mode)
    if mode == "bulk":
        assert process.stdout.readline().strip() == "started"
        time.sleep(0.5)
    else:
        for _ in range(50):
            process.stdout.readline()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    posted = Transfer.objects.filter(community=community).count()
    if mode == "bulk":
        assert posted == 0  # killed before the batch committed: nothing of it
    else:
        assert posted >= 50
    assert Entry.objects.filter(transfer__community=community).count() == 2 * posted
    counts, problems = check_ledger(community)
    assert problems == [] and counts["transfers"] == posted


def test_bench_ledger_prints_one_json_line_and_cleans_up(riverside, alice, bob):
    import json

    post(riverside, alice, bob)
    out = io.StringIO()
    call_command("bench_ledger", "--exchanges", "20", "--bulk", "200", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert {"service_per_s", "baseline_per_s", "ratio", "bulk_per_s", "bulk_floor_per_s", "bulk_ratio"} <= set(result)
    assert Transfer.objects.count() == 1 and Account.objects.count() == 2
    assert check_ledger()[1] == []


def test_settle_pending_command(riverside, alice, bob):
    import time_machine

    pending = services.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=30,
                                       performed_on=timezone.localdate(), keyed_by=alice.user,
                                       idempotency_key="p")
    unseen = services.record_exchange(community=riverside, giver=bob, receiver=alice, minutes=15,
                                      performed_on=timezone.localdate(), keyed_by=bob.user,
                                      idempotency_key="q")
    type(bob.user).objects.filter(pk=bob.user_id).update(last_login=timezone.now() + datetime.timedelta(days=1))
    out = io.StringIO()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=30)):
        call_command("settle_pending", "--community", "riverside", stdout=out)
    pending.refresh_from_db()
    unseen.refresh_from_db()
    assert pending.status == "posted" and unseen.status == "held"
    assert "Confirmed 1, expired 0, held for a coordinator 1." in out.getvalue()
