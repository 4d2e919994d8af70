"""Each account keeps the day of its latest exchange (for "who has not exchanged lately"): set by
every path that posts an exchange, untouched by gifts and grants, worked out again when an
exchange is reversed, and checked by verify_ledger against the entries."""

import datetime

from django.utils import timezone

from coproduce.ledger import services
from coproduce.ledger.models import Account, Entry, TransferKind, TransferStatus
from coproduce.ledger.queries import check_ledger
from coproduce.ledger.tests.conftest import assert_sound
from coproduce.ledger.tests.test_services import exchange


def _day(days_ago: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days_ago)


def last(membership):
    return services.account_for_membership(membership).last_exchange_on


def recomputed(membership):
    """Independently: the latest day among this member's posted exchange entries not reversed."""
    account = services.account_for_membership(membership)
    reversed_ids = set(Entry.objects.filter(transfer__kind=TransferKind.REVERSAL, transfer__status=TransferStatus.POSTED)
                       .values_list("transfer__reverses_id", flat=True))
    days = [e.transfer.performed_on for e in Entry.objects.filter(account=account).select_related("transfer")
            if e.transfer.kind in (TransferKind.EXCHANGE, TransferKind.GROUP)
            and e.transfer.status == TransferStatus.POSTED and e.transfer_id not in reversed_ids]
    return max(days, default=None)


def test_an_exchange_sets_both_sides_and_an_older_one_does_not_move_it_back(riverside, alice, bob):
    assert last(alice) is None
    exchange(riverside, alice, bob, bob.user, performed_on=_day(3))
    assert last(alice) == last(bob) == _day(3)
    exchange(riverside, alice, bob, bob.user, performed_on=_day(10))  # entered late, done earlier
    assert last(alice) == last(bob) == _day(3)
    exchange(riverside, bob, alice, alice.user, performed_on=_day(1))
    assert last(alice) == last(bob) == _day(1) == recomputed(alice)
    assert_sound()


def test_waiting_exchanges_count_once_confirmed(riverside, alice, bob):
    waiting = exchange(riverside, alice, bob, alice.user, performed_on=_day(2))  # the giver keyed it
    assert waiting.status == TransferStatus.PENDING
    assert last(alice) is None and last(bob) is None
    services.confirm_exchange(waiting, user=bob.user)
    assert last(alice) == last(bob) == _day(2)


def test_grants_and_gifts_are_not_exchanges(riverside, alice, bob, cora):
    services.grant_from_pot(community=riverside, to=bob, minutes=45, reason="Housebound after a fall",
                            keyed_by=cora.user, idempotency_key="g1")
    assert last(bob) is None and services.pot_for(riverside).last_exchange_on is None
    assert_sound()


def test_reversing_the_latest_exchange_falls_back_to_the_one_before(riverside, alice, bob, cora):
    exchange(riverside, alice, bob, bob.user, performed_on=_day(20))
    latest = exchange(riverside, alice, bob, bob.user, performed_on=_day(2))
    services.reverse_transfer(latest, keyed_by=cora.user, reason="Entered twice", idempotency_key="r1")
    assert last(alice) == last(bob) == _day(20) == recomputed(bob)
    first = alice.ledger_accounts.get().entries.order_by("id").first().transfer
    services.reverse_transfer(first, keyed_by=cora.user, reason="Never happened", idempotency_key="r2")
    assert last(alice) is None and last(bob) is None
    assert_sound()


def test_the_bulk_path_sets_each_accounts_latest_day(riverside, alice, bob, cora):
    giver, receiver = services.member_accounts(riverside, [alice, bob])
    coordinator = services.member_accounts(riverside, [cora])[0]
    rows = [services.BulkRow(giver.pk, receiver.pk, 60, _day(9), "b1"),
            services.BulkRow(receiver.pk, giver.pk, 60, _day(4), "b2"),  # back to a zero balance
            services.BulkRow(giver.pk, coordinator.pk, 30, _day(6), "b3")]
    services.bulk_post_exchanges(riverside, rows, keyed_by=cora.user)
    assert last(bob) == _day(4)  # Bob's balance did not change in the end, his last exchange did
    assert last(alice) == _day(4) and last(cora) == _day(6)
    exchange(riverside, alice, bob, bob.user, performed_on=_day(12))
    assert last(alice) == _day(4) == recomputed(alice)
    assert_sound()


def test_verify_ledger_finds_a_wrong_cached_day(riverside, alice, bob):
    exchange(riverside, alice, bob, bob.user, performed_on=_day(5))
    Account.objects.filter(pk=services.account_for_membership(alice).pk).update(last_exchange_on=_day(1))
    _counts, problems = check_ledger(riverside)
    assert len(problems) == 1 and "Alice" in problems[0] and "last exchange" in problems[0]
