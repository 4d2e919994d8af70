import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.communities.services import update_community_settings
from coproduce.ledger import services
from coproduce.ledger.models import Account, Entry, Transfer, TransferKind, TransferStatus
from coproduce.ledger.tests.conftest import assert_sound
from coproduce.members.models import MembershipStatus


def balance(membership):
    return services.account_for_membership(membership).balance if membership else None


def exchange(community, giver, receiver, keyed_by, minutes=60, key=None, **extra):
    extra.setdefault("performed_on", timezone.localdate())
    return services.record_exchange(community=community, giver=giver, receiver=receiver,
                                    minutes=minutes, keyed_by=keyed_by,
                                    idempotency_key=key or services.new_key(), **extra)


def test_receiver_records_posts_at_once(riverside, alice, bob):
    transfer = exchange(riverside, alice, bob, bob.user, minutes=120, description="Gardening")
    assert transfer.status == TransferStatus.POSTED
    assert (balance(alice), balance(bob)) == (120, -120)
    assert sorted(transfer.entries.values_list("amount", flat=True)) == [-120, 120]
    assert transfer.keyed_by == bob.user and transfer.on_behalf_of is None
    assert_sound()


def test_giver_records_waits_for_confirmation(riverside, alice, bob):
    transfer = exchange(riverside, alice, bob, alice.user)
    assert transfer.status == TransferStatus.PENDING
    assert not Entry.objects.exists()
    assert (balance(alice), balance(bob)) == (0, 0)
    with pytest.raises(ValidationError, match="Only the person who received"):
        services.confirm_exchange(transfer, user=alice.user)
    services.confirm_exchange(transfer, user=bob.user)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.POSTED
    assert (balance(alice), balance(bob)) == (60, -60)
    with pytest.raises(ValidationError, match="no longer waiting"):
        services.confirm_exchange(transfer, user=bob.user)
    assert_sound()


def test_decline(riverside, alice, bob):
    transfer = exchange(riverside, alice, bob, alice.user)
    services.decline_exchange(transfer, user=bob.user)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DECLINED
    assert not Entry.objects.exists()
    with pytest.raises(ValidationError):
        services.confirm_exchange(transfer, user=bob.user)


def test_coordinator_records_on_behalf_and_is_audited(riverside, alice, bob, cora):
    transfer = exchange(riverside, alice, bob, cora.user)
    assert transfer.status == TransferStatus.POSTED
    assert transfer.on_behalf_of == bob.user
    entry = AuditEntry.objects.get(action=AuditAction.EXCHANGE_RECORDED_FOR)
    assert entry.actor == cora.user and entry.on_behalf_of == bob.user


def test_stranger_cannot_record_for_others(riverside, alice, bob, other_member):
    with pytest.raises(ValidationError, match="took part"):
        exchange(riverside, alice, bob, other_member)
    assert not Transfer.objects.exists()


@pytest.mark.parametrize("minutes", [0, -15, 20, 24 * 60 + 15, 10_000])
def test_bad_minutes_write_nothing(riverside, alice, bob, minutes):
    with pytest.raises(ValidationError):
        exchange(riverside, alice, bob, bob.user, minutes=minutes)
    assert not Transfer.objects.exists() and not Entry.objects.exists()


def test_twenty_four_hours_is_allowed(riverside, alice, bob):
    update_community_settings(riverside, actor=None, min_balance_minutes=-24 * 60)
    riverside.refresh_from_db()
    exchange(riverside, alice, bob, bob.user, minutes=24 * 60)
    assert balance(alice) == 24 * 60


def test_future_date_in_community_time_zone(riverside, alice, bob):
    today = services.community_today(riverside)
    with pytest.raises(ValidationError, match="future"):
        exchange(riverside, alice, bob, bob.user, performed_on=today + datetime.timedelta(days=1))
    assert exchange(riverside, alice, bob, bob.user, performed_on=today).status == TransferStatus.POSTED


def test_same_giver_and_receiver(riverside, alice):
    with pytest.raises(ValidationError, match="different"):
        exchange(riverside, alice, alice, alice.user)
    assert not Transfer.objects.exists()


def test_member_who_left_or_of_another_community(riverside, alice, bob, olga):
    with pytest.raises(ValidationError, match="not a member"):
        exchange(riverside, alice, olga, alice.user)
    bob.status, bob.left_at = MembershipStatus.LEFT, timezone.now()
    bob.save()
    with pytest.raises(ValidationError, match="no longer a member"):
        exchange(riverside, alice, bob, alice.user)
    assert not Transfer.objects.exists()


def test_category_of_another_community_refused(riverside, hilltop, alice, bob):
    with pytest.raises(ValidationError):
        exchange(riverside, alice, bob, bob.user, category=hilltop.categories.first())


def test_limit_error_names_account_limit_and_balance(riverside, alice, bob):
    update_community_settings(riverside, actor=None, min_balance_minutes=-60)
    riverside.refresh_from_db()
    exchange(riverside, alice, bob, bob.user, minutes=60)
    with pytest.raises(ValidationError) as info:
        exchange(riverside, alice, bob, bob.user, minutes=15)
    message = " ".join(info.value.messages)
    assert "Bob Brown" in message and "−1 hour" in message and "balance now −1 hour" in message
    assert Transfer.objects.count() == 1
    assert_sound()


def test_limit_exception(riverside, alice, bob, cora):
    update_community_settings(riverside, actor=None, min_balance_minutes=-60)
    account = services.account_for_membership(bob)
    with pytest.raises(ValidationError):
        services.set_limit_exception(account, actor=cora.user, min_minutes=-120, max_minutes=None, reason="")
    services.set_limit_exception(account, actor=cora.user, min_minutes=-120, max_minutes=None,
                                 reason="Recovering from an operation")
    exchange(riverside, alice, bob, bob.user, minutes=120)
    assert balance(bob) == -120
    assert AuditEntry.objects.filter(action=AuditAction.LIMIT_EXCEPTION).count() == 1
    assert_sound()


def test_idempotent_repeat_posts_once(riverside, alice, bob):
    first = exchange(riverside, alice, bob, bob.user, key="form-token-1")
    again = exchange(riverside, alice, bob, bob.user, key="form-token-1", minutes=90)
    assert again.pk == first.pk
    assert Transfer.objects.count() == 1 and balance(alice) == 60


def test_split_shares_rule():
    assert services.split_shares(60, 4) == [15, 15, 15, 15]
    assert services.split_shares(90, 4) == [30, 30, 15, 15]
    assert services.split_shares(60, 5) == [15, 15, 15, 15, 0]
    for minutes in range(15, 600, 15):
        for parties in range(1, 12):
            shares = services.split_shares(minutes, parties)
            assert sum(shares) == minutes and all(s % 15 == 0 for s in shares)
            assert max(shares) - min(shares) <= 15


def test_class_each_receiver_pays_share(riverside, alice, bob, cora, member_factory):
    carl, dina = member_factory("Carl"), member_factory("Dina")
    transfer = services.record_group_exchange(
        community=riverside, givers=[(alice, 90)], receivers=[bob, carl, dina],
        performed_on=timezone.localdate(), keyed_by=cora.user, idempotency_key="class-1")
    assert transfer.kind == TransferKind.GROUP
    assert [balance(m) for m in (alice, bob, carl, dina)] == [90, -30, -30, -30]
    transfer = services.record_group_exchange(
        community=riverside, givers=[(alice, 60)], receivers=[bob, carl, dina],
        performed_on=timezone.localdate(), keyed_by=cora.user, idempotency_key="class-2")
    # 60 min = 4 steps over 3 people: 15 each, the extra step to the first listed.
    assert [balance(m) for m in (alice, bob, carl, dina)] == [150, -60, -45, -45]
    assert_sound()


def test_class_paid_by_pot(riverside, alice, bob, cora, member_factory):
    carl = member_factory("Carl")
    services.record_group_exchange(
        community=riverside, givers=[(alice, 60)], receivers=[bob, carl], paid_by_pot=True,
        performed_on=timezone.localdate(), keyed_by=cora.user, idempotency_key="class-pot")
    assert (balance(alice), balance(bob), services.pot_for(riverside).balance) == (60, 0, -60)
    assert_sound()


def test_many_givers_one_receiver(riverside, alice, bob, cora, member_factory):
    carl = member_factory("Carl")
    services.record_group_exchange(
        community=riverside, givers=[(alice, 60), (bob, 120)], receivers=[carl],
        performed_on=timezone.localdate(), keyed_by=carl.user, idempotency_key="event-1")
    assert (balance(alice), balance(bob), balance(carl)) == (60, 120, -180)
    with pytest.raises(ValidationError, match="coordinator"):
        services.record_group_exchange(
            community=riverside, givers=[(alice, 60)], receivers=[bob, carl],
            performed_on=timezone.localdate(), keyed_by=alice.user, idempotency_key="class-x")
    with pytest.raises(ValidationError):
        services.record_group_exchange(
            community=riverside, givers=[(alice, 60), (bob, 60)], receivers=[carl, alice],
            performed_on=timezone.localdate(), keyed_by=cora.user, idempotency_key="bad")
    assert Transfer.objects.count() == 1


def test_gifts_and_pot_grant(riverside, alice, bob, cora):
    exchange(riverside, alice, bob, bob.user, minutes=120)
    services.give_credits(community=riverside, giver=alice, to=bob, minutes=30,
                          keyed_by=alice.user, idempotency_key="g1")
    services.give_credits(community=riverside, giver=alice, to=None, minutes=60,
                          keyed_by=alice.user, idempotency_key="g2")
    with pytest.raises(ValidationError, match="own credits"):
        services.give_credits(community=riverside, giver=alice, to=None, minutes=15,
                              keyed_by=bob.user, idempotency_key="g3")
    with pytest.raises(ValidationError, match="reason"):
        services.grant_from_pot(community=riverside, to=bob, minutes=30, reason=" ",
                                keyed_by=cora.user, idempotency_key="p0")
    with pytest.raises(ValidationError, match="coordinator"):
        services.grant_from_pot(community=riverside, to=bob, minutes=30, reason="help",
                                keyed_by=alice.user, idempotency_key="p1")
    services.grant_from_pot(community=riverside, to=bob, minutes=45, reason="Housebound after a fall",
                            keyed_by=cora.user, idempotency_key="p2")
    assert (balance(alice), balance(bob), services.pot_for(riverside).balance) == (30, -45, 15)
    assert AuditEntry.objects.filter(action=AuditAction.POT_GRANT).count() == 1
    assert_sound()


def test_reversal_mirrors_once(riverside, alice, bob, cora):
    original = exchange(riverside, alice, bob, bob.user, minutes=75)
    with pytest.raises(ValidationError, match="coordinator"):
        services.reverse_transfer(original, keyed_by=alice.user, reason="x", idempotency_key="r0")
    with pytest.raises(ValidationError, match="reason"):
        services.reverse_transfer(original, keyed_by=cora.user, reason="", idempotency_key="r0")
    reversal = services.reverse_transfer(original, keyed_by=cora.user, reason="Entered twice",
                                         idempotency_key="r1")
    assert reversal.kind == TransferKind.REVERSAL and reversal.reverses == original
    assert (balance(alice), balance(bob)) == (0, 0)
    with pytest.raises(ValidationError, match="already been reversed"):
        services.reverse_transfer(original, keyed_by=cora.user, reason="again", idempotency_key="r2")
    with pytest.raises(ValidationError, match="cannot be reversed"):
        services.reverse_transfer(reversal, keyed_by=cora.user, reason="again", idempotency_key="r3")
    assert Transfer.objects.count() == 2
    assert AuditEntry.objects.filter(action=AuditAction.TRANSFER_REVERSED).count() == 1
    assert_sound()


def test_reversal_respects_limits_until_an_exception_is_set(riverside, alice, bob, cora):
    original = exchange(riverside, alice, bob, bob.user, minutes=60)
    services.give_credits(community=riverside, giver=alice, to=None, minutes=60,
                          keyed_by=alice.user, idempotency_key="g")
    update_community_settings(riverside, actor=None, min_balance_minutes=-30)
    with pytest.raises(ValidationError, match="Alice Ashby below their lowest balance of −30 minutes"):
        services.reverse_transfer(original, keyed_by=cora.user, reason="wrong", idempotency_key="r1")
    services.set_limit_exception(services.account_for_membership(alice), actor=cora.user,
                                 min_minutes=-60, max_minutes=None, reason="Reversal of a mistake")
    services.reverse_transfer(original, keyed_by=cora.user, reason="wrong", idempotency_key="r1")
    assert balance(alice) == -60
    assert_sound()


def test_pending_cannot_be_reversed(riverside, alice, bob, cora):
    pending = exchange(riverside, alice, bob, alice.user)
    with pytest.raises(ValidationError, match="posted"):
        services.reverse_transfer(pending, keyed_by=cora.user, reason="x", idempotency_key="r")


@pytest.mark.parametrize("after", ["confirm", "expire"])
def test_settle_pending_applies_window(riverside, alice, bob, after):
    update_community_settings(riverside, actor=None, after_confirmation_window=after,
                              confirmation_window_days=7)
    transfer = exchange(riverside, alice, bob, alice.user)
    bob.user.last_login = timezone.now()  # Bob was told and could have answered
    bob.user.save(update_fields=["last_login"])
    assert services.settle_pending(now=timezone.now()) == {"confirmed": 0, "expired": 0, "held": 0}
    counts = services.settle_pending(now=timezone.now() + datetime.timedelta(days=8))
    transfer.refresh_from_db()
    if after == "confirm":
        assert counts["confirmed"] == 1 and transfer.status == TransferStatus.POSTED
        assert balance(alice) == 60
    else:
        assert counts["expired"] == 1 and transfer.status == TransferStatus.EXPIRED
        assert balance(alice) == 0
    assert_sound()


def test_orm_refuses_changes(riverside, alice, bob):
    transfer = exchange(riverside, alice, bob, bob.user)
    entry = transfer.entries.first()
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        Entry.objects.all().update(amount=1)
    with pytest.raises(TypeError):
        Entry.objects.all().delete()
    transfer = Transfer.objects.get(pk=transfer.pk)
    with pytest.raises(TypeError):
        transfer.save()
    with pytest.raises(TypeError):
        transfer.delete()
    with pytest.raises(TypeError):
        Transfer.objects.filter(pk=transfer.pk).update(description="edited")


def test_locking_refuses_outside_a_transaction(riverside, alice, transactional_db):
    with pytest.raises(RuntimeError, match="atomic"):
        services._lock([services.account_for_membership(alice).pk])


def test_bulk_post_keeps_invariants_and_is_all_or_nothing(riverside, alice, bob, cora):
    a, b = services.member_accounts(riverside, [alice, bob])
    today = timezone.localdate()
    rows = [services.BulkRow(a.pk, b.pk, 60, today, f"k{i}") for i in range(5)]
    assert services.bulk_post_exchanges(riverside, rows, keyed_by=cora.user) == 5
    a.refresh_from_db()
    assert a.balance == 300
    too_many = [services.BulkRow(a.pk, b.pk, 8 * 60, today, f"m{i}") for i in range(2)]
    with pytest.raises(ValidationError, match="Row 2"):
        services.bulk_post_exchanges(riverside, too_many, keyed_by=cora.user)
    assert Transfer.objects.count() == 5
    assert_sound()


def test_bulk_post_keeps_every_character_of_a_description(riverside, alice, bob, cora):
    """The bulk path writes COPY text itself: tabs, line breaks and backslashes survive it."""
    a, b = services.member_accounts(riverside, [alice, bob])
    awkward = 'Tab\there, a new\nline, a back\\slash, \\N and “quotes” — ✓'
    services.bulk_post_exchanges(riverside, [services.BulkRow(a.pk, b.pk, 60, timezone.localdate(), "odd\tkey",
                                                              description=awkward)], keyed_by=cora.user)
    transfer = Transfer.objects.get(idempotency_key="odd\tkey")
    assert transfer.description == awkward
    assert transfer.created_at is not None and transfer.entries.count() == 2


def test_account_constraints(riverside, alice):
    from django.db import IntegrityError, transaction

    services.account_for_membership(alice)
    assert services.account_for_membership(alice).pk == services.account_for_membership(alice).pk
    services.pot_for(riverside)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(community=riverside, kind="pot")
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(community=riverside, kind="member")
