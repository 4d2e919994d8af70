"""Spending credits at a venue: codes are single use and run out, every limit holds and says why,
cards lock after five wrong PINs without locking the member out, and the ledger moves exactly
the price from the member to the venue."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coproduce import testing
from coproduce.ledger import services as ledger
from coproduce.ledger.queries import check_ledger
from coproduce.partners.models import Listing, Redemption
from coproduce.partners.services import buy_listing
from coproduce.rewards import services
from coproduce.rewards.models import MemberCard

LONDON = zoneinfo.ZoneInfo("Europe/London")


def minutes_of(party, community) -> int:
    account = ledger.account_of(party, community)
    account.refresh_from_db()
    return account.balance


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), LONDON)


def test_a_code_moves_the_price_from_the_member_to_the_venue_once(riverside, alice, member, pat, pool, swim):
    before_member, before_pool = minutes_of(alice, riverside), minutes_of(pool, riverside)
    code = services.issue_code(swim, membership=alice, actor=member)
    assert len(code.code) == 6 and set(code.code) <= set(services.CODE_LETTERS)
    assert code.expires_at - code.created_at == datetime.timedelta(minutes=10)

    redemption, already = services.redeem_code(pool, code.code.lower(), actor=pat)
    assert not already and redemption.via == "code" and redemption.confirmed_by == pat
    assert minutes_of(alice, riverside) == before_member - 60
    assert minutes_of(pool, riverside) == before_pool + 60

    again, already = services.redeem_code(pool, code.code, actor=pat)  # a double tap, or another till
    assert already and again == redemption
    assert minutes_of(alice, riverside) == before_member - 60
    assert Redemption.objects.count() == 1
    assert check_ledger(riverside)[1] == []


def test_buying_online_goes_through_the_same_limits(riverside, alice, member, swim):
    Listing.objects.filter(pk=swim.pk).update(stock=1)
    buy_listing(swim, membership=alice, actor=member, idempotency_key="k1")
    assert Listing.objects.get(pk=swim.pk).stock == 0
    with pytest.raises(ValidationError, match="Out of stock"):
        buy_listing(swim, membership=alice, actor=member, idempotency_key="k2")


def test_a_code_runs_out_after_ten_minutes(alice, member, pat, pool, swim):
    made = timezone.now()
    code = services.issue_code(swim, membership=alice, actor=member, now=made)
    with pytest.raises(ValidationError, match="ran out at"):
        services.redeem_code(pool, code.code, actor=pat, now=made + datetime.timedelta(minutes=10, seconds=1))
    assert not Redemption.objects.exists()


def test_a_code_is_only_good_at_its_own_venue(alice, member, pat, staff, pool, surgery, swim):
    code = services.issue_code(swim, membership=alice, actor=member)
    with pytest.raises(ValidationError, match=r"No code .* for Riverside Surgery"):
        services.redeem_code(surgery, code.code, actor=staff)
    with pytest.raises(ValidationError, match="own staff and coordinators"):
        services.redeem_code(pool, code.code, actor=staff)  # staff of another venue, at this one
    with pytest.raises(ValidationError, match="six letters"):
        services.redeem_code(pool, "ABC", actor=pat)
    assert not Redemption.objects.exists()


def test_members_ask_for_their_own_codes(alice, second_member, swim):
    with pytest.raises(ValidationError, match="their own codes"):
        services.issue_code(swim, membership=alice, actor=second_member)


@pytest.mark.parametrize(
    ("limits", "when", "reason"),
    [
        ({"active": False}, (2026, 12, 7, 12), "no longer offered"),
        ({"available_until": datetime.date(2026, 12, 6)}, (2026, 12, 7, 12), "ended on 06/12/2026"),
        ({"days": ["SA", "SU"]}, (2026, 12, 7, 12), "only on Saturday, Sunday"),  # a Monday
        ({"opens_at": datetime.time(9), "closes_at": datetime.time(11)}, (2026, 12, 7, 12),
         "only from 09:00 to 11:00"),
        ({"opens_at": datetime.time(9), "closes_at": datetime.time(11)}, (2026, 12, 7, 11), "only from"),
        ({"stock": 0}, (2026, 12, 7, 12), "Out of stock"),
    ],
)
def test_every_limit_refuses_with_its_reason(alice, member, pat, pool, swim, limits, when, reason):
    Listing.objects.filter(pk=swim.pk).update(**limits)
    swim.refresh_from_db()
    now = at(datetime.date(*when[:3]), when[3])
    with pytest.raises(ValidationError, match=reason):
        services.issue_code(swim, membership=alice, actor=member, now=now)
    assert not Redemption.objects.exists()


def test_limits_allow_what_they_should(alice, member, pat, pool, swim):
    Listing.objects.filter(pk=swim.pk).update(days=["MO"], opens_at=datetime.time(9), closes_at=datetime.time(11),
                                              available_until=datetime.date(2026, 12, 7))
    swim.refresh_from_db()
    now = at(datetime.date(2026, 12, 7), 10, 59)
    code = services.issue_code(swim, membership=alice, actor=member, now=now)
    redemption, _ = services.redeem_code(pool, code.code, actor=pat, now=now)
    assert redemption.redeemed_on == datetime.date(2026, 12, 7)


def test_the_daily_cap_and_the_monthly_limit_per_member(riverside, alice, bob, member, second_member, pat, pool,
                                                         swim):
    Listing.objects.filter(pk=swim.pk).update(daily_cap=2, per_member_per_month=1)
    swim.refresh_from_db()
    monday = at(datetime.date(2026, 12, 7), 12)
    services.redeem_code(pool, services.issue_code(swim, membership=alice, actor=member, now=monday).code,
                         actor=pat, now=monday)
    with pytest.raises(ValidationError, match="1 per member per month"):
        services.issue_code(swim, membership=alice, actor=member, now=monday)
    services.redeem_code(pool, services.issue_code(swim, membership=bob, actor=second_member, now=monday).code,
                         actor=pat, now=monday)
    carol = _third_member(riverside)
    with pytest.raises(ValidationError, match="Today's limit is reached"):
        services.issue_code(swim, membership=carol, actor=carol.user, now=monday)
    tuesday = monday + datetime.timedelta(days=1)
    services.issue_code(swim, membership=carol, actor=carol.user, now=tuesday)  # a new day
    january = at(datetime.date(2027, 1, 4), 12)
    services.issue_code(swim, membership=alice, actor=member, now=january)  # a new month


def _third_member(riverside):
    from coproduce import testing
    from coproduce.members.models import Membership

    user = testing.make_person("carol@example.org", "Carol Cole")
    testing.join(user, riverside)
    return Membership.objects.get(user=user)


def test_not_enough_credits_is_the_ledgers_own_reason(riverside, alice, member, pat, pool, swim):
    riverside.min_balance_minutes = 0
    riverside.save(update_fields=["min_balance_minutes"])
    code = services.issue_code(swim, membership=alice, actor=member)
    with pytest.raises(ValidationError) as refused:
        services.redeem_code(pool, code.code, actor=pat)
    assert "balance" in " ".join(refused.value.messages).lower()
    assert not Redemption.objects.exists()
    code.refresh_from_db()
    assert code.redemption is None  # the code can still be used once the member has credits


def test_an_age_limit_is_checked_by_the_staff(alice, member, pat, pool, swim):
    Listing.objects.filter(pk=swim.pk).update(minimum_age=18)
    code = services.issue_code(swim, membership=alice, actor=member)
    with pytest.raises(ValidationError, match="at least 18"):
        services.redeem_code(pool, code.code, actor=pat)
    redemption, _ = services.redeem_code(pool, code.code, actor=pat, age_checked=True)
    assert redemption.pk


def test_a_card_and_pin(riverside, alice, member, pat, pool, swim):
    services.set_pin(alice, pin="4821", actor=member)
    assert not MemberCard.objects.get().pin_hash.endswith("4821")  # kept hashed
    before = minutes_of(alice, riverside)
    redemption = services.redeem_card(pool, swim, number=f"#{alice.pk}", pin="4821", actor=pat,
                                      idempotency_key="till-1")
    assert redemption.via == "card" and minutes_of(alice, riverside) == before - 60
    same = services.redeem_card(pool, swim, number=alice.pk, pin="4821", actor=pat, idempotency_key="till-1")
    assert same == redemption and minutes_of(alice, riverside) == before - 60  # a double submit


def test_five_wrong_pins_lock_the_card_but_not_the_member(client, riverside, alice, member, pat, pool, swim):
    services.set_pin(alice, pin="4821", actor=member)
    # Half an hour ago, so that "31 minutes later" is not tomorrow when the test runs just before midnight.
    now = timezone.now() - datetime.timedelta(minutes=31)
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError, match=f"{left} tr"):
            services.redeem_card(pool, swim, number=alice.pk, pin="0000", actor=pat, idempotency_key="x", now=now)
    with pytest.raises(ValidationError, match="locked for 30 minutes"):
        services.redeem_card(pool, swim, number=alice.pk, pin="0000", actor=pat, idempotency_key="x", now=now)
    with pytest.raises(ValidationError, match="This card is locked until"):  # even with the right PIN
        services.redeem_card(pool, swim, number=alice.pk, pin="4821", actor=pat, idempotency_key="x", now=now)
    assert not Redemption.objects.exists()
    # The member's account is untouched: they log in, and a new PIN unlocks the card.
    assert client.login(email="alice@example.org", password=testing.PASSWORD)
    assert client.get("/c/riverside/spend/").status_code == 200
    services.set_pin(alice, pin="1357", actor=member)
    assert services.redeem_card(pool, swim, number=alice.pk, pin="1357", actor=pat, idempotency_key="y",
                                now=now).pk
    later = now + datetime.timedelta(minutes=31)
    services.set_pin(alice, pin="2468", actor=member)
    for _ in range(5):
        with pytest.raises(ValidationError):
            services.redeem_card(pool, swim, number=alice.pk, pin="0000", actor=pat, idempotency_key="z", now=now)
    assert services.redeem_card(pool, swim, number=alice.pk, pin="2468", actor=pat, idempotency_key="z",
                                now=later).pk  # the lock wears off


def test_pins_are_digits_and_only_the_member_or_a_coordinator_sets_them(riverside, alice, member, second_member,
                                                                      coordinator):
    for bad in ("12", "abcd", "1234567", ""):
        with pytest.raises(ValidationError, match="4 to 6 digits"):
            services.set_pin(alice, pin=bad, actor=member)
    with pytest.raises(ValidationError, match="Only the member or a coordinator"):
        services.set_pin(alice, pin="1234", actor=second_member)
    services.set_pin(alice, pin="1234", actor=coordinator)  # with an assisted member, audited
    from coproduce.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="rewards.card_pin_set").count() == 1


def test_unknown_cards_and_other_venues_rewards(riverside, alice, member, pat, pool, surgery, coordinator):
    from coproduce.partners.services import save_listing

    services.set_pin(alice, pin="4821", actor=member)
    flu = save_listing(surgery, actor=coordinator, title="Flu clinic", description="", minutes=30)
    with pytest.raises(ValidationError, match="own rewards"):
        services.redeem_card(pool, flu, number=alice.pk, pin="4821", actor=pat, idempotency_key="a")
    with pytest.raises(ValidationError, match="No card with member number 999999"):
        services.redeem_card(pool, Listing.objects.create(organisation=pool, title="Gym", minutes=30),
                             number="999999", pin="4821", actor=pat, idempotency_key="b")


def test_confirming_a_code_is_one_short_transaction_whatever_the_history(riverside, alice, bob, member,
                                                                         second_member, pat, pool, swim):
    """The counter's hot path (bench_rewards): the venue's account is found with the member's in
    one round trip, the listing is read once with the code, and the count stays the same as
    redemptions pile up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.redeem_code(pool, services.issue_code(swim, membership=bob, actor=second_member).code, actor=pat)
    services.redeem_code(pool, services.issue_code(swim, membership=alice, actor=member).code, actor=pat)
    counts = []
    for _round in range(3):
        code = services.issue_code(swim, membership=alice, actor=member)
        with CaptureQueriesContext(connection) as queries:
            services.redeem_code(pool, code.code, actor=pat)
        counts.append(len(queries))
        sql = [q["sql"] for q in queries.captured_queries]
        assert len([s for s in sql if s.startswith("SELECT") and '"partners_listing"' in s.split(" FROM ")[1]
                    .split(" WHERE ")[0] and "rewards_redemptioncode" not in s]) == 0
        assert not [s for s in sql if s.startswith('SELECT "ledger_account"')]  # found in the prefetch
    assert counts[0] == counts[1] == counts[2] <= 18, counts  # 17 on PostgreSQL, 18 on SQLite
    assert check_ledger(riverside)[1] == []


def test_the_counters_plain_sql_reads_the_code_as_the_orm_does(riverside, alice, member, pat, pool, surgery):
    """``_locked_code`` skips the ORM's compiling on the hot path; every field of the code, its
    listing (JSON days, times, dates), the member and the person comes back as the ORM gives it,
    on PostgreSQL and SQLite alike, and another venue's code is not found."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from coproduce.members.models import Membership
    from coproduce.partners.services import save_listing
    from coproduce.rewards.models import RedemptionCode
    from coproduce.rewards.services import _locked_code

    listing = save_listing(pool, actor=pat, title="A gym session", description="", minutes=30,
                           days=["MO", "SA"], opens_at=datetime.time(7), closes_at=datetime.time(21, 30),
                           available_until=datetime.date(2099, 1, 31), minimum_age=16, stock=5)
    # A Monday within its hours, whatever the clock says (run after 21:30 this test failed).
    code = services.issue_code(listing, membership=alice, actor=member, now=at(datetime.date(2026, 12, 7), 10))
    orm = RedemptionCode.objects.select_related("listing", "membership__user").get(pk=code.pk)
    with transaction.atomic():
        plain = _locked_code(pool, code.code)
    for model, a, b in ((RedemptionCode, orm, plain), (Listing, orm.listing, plain.listing),
                        (Membership, orm.membership, plain.membership),
                        (get_user_model(), orm.membership.user, plain.membership.user)):
        for field in model._meta.concrete_fields:
            assert getattr(a, field.attname) == getattr(b, field.attname), (model.__name__, field.name)
            assert type(getattr(a, field.attname)) is type(getattr(b, field.attname)), (model.__name__, field.name)
    assert plain.listing.days == ["MO", "SA"]
    with transaction.atomic():
        assert _locked_code(surgery, code.code) is None  # another venue's till
        assert _locked_code(pool, "ZZZZZZ") is None
