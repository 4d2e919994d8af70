"""At a busy counter: two tills confirming one code post once, and stock and daily caps hold
under 16 redemptions at the same moment (each in its own database connection)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from coproduce import testing
from coproduce.ledger.queries import check_ledger
from coproduce.members.models import Membership
from coproduce.partners.models import Listing, Redemption
from coproduce.rewards import services

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def busy(transactional_db, riverside):
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks across connections (PostgreSQL)")


def all_at_once(works):
    """Run each work() in its own thread and connection, released together; their outcomes."""
    start = threading.Barrier(len(works))
    outcomes = [None] * len(works)

    def run(i, work):
        try:
            start.wait()
            outcomes[i] = ("done", work())
        except ValidationError as error:
            outcomes[i] = ("refused", " ".join(error.messages))
        except Exception as error:
            outcomes[i] = ("error", repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, work)) for i, work in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_two_tills_confirming_one_code_post_once(busy, riverside, alice, member, pat, coordinator, pool, swim):
    code = services.issue_code(swim, membership=alice, actor=member)
    outcomes = all_at_once([lambda: services.redeem_code(pool, code.code, actor=pat),
                            lambda: services.redeem_code(pool, code.code, actor=coordinator)])
    assert [kind for kind, _ in outcomes] == ["done", "done"], outcomes
    (first, first_already), (second, second_already) = (result for _, result in outcomes)
    assert first == second and sorted([first_already, second_already]) == [False, True]
    assert Redemption.objects.count() == 1
    assert check_ledger(riverside)[1] == []


def _members(riverside, n):
    made = []
    for i in range(n):
        user = testing.make_person(f"m{i}@example.org", f"Member {i}")
        testing.join(user, riverside)
        made.append(Membership.objects.get(user=user))
    return made


@pytest.mark.parametrize("limit", ["stock", "daily_cap"])
def test_stock_and_daily_caps_hold_under_sixteen_at_once(busy, riverside, pat, pool, swim, limit):
    Listing.objects.filter(pk=swim.pk).update(**{limit: 5})
    swim.refresh_from_db()
    people = _members(riverside, 16)
    codes = [services.issue_code(swim, membership=m, actor=m.user) for m in people]
    outcomes = all_at_once([lambda code=code: services.redeem_code(pool, code.code, actor=pat) for code in codes])
    kinds = [kind for kind, _ in outcomes]
    assert kinds.count("done") == 5 and kinds.count("refused") == 11, outcomes
    refusals = {message for kind, message in outcomes if kind == "refused"}
    assert refusals == {"Out of stock: none are left." if limit == "stock" else "Today's limit is reached: try again tomorrow."}
    assert Redemption.objects.filter(listing=swim).count() == 5
    if limit == "stock":
        assert Listing.objects.get(pk=swim.pk).stock == 0
    assert check_ledger(riverside)[1] == []


def test_a_double_submitted_online_spend_posts_once_and_both_get_it(busy, riverside, alice, member, pool, swim):
    from coproduce.partners.services import buy_listing

    def buy():
        return buy_listing(swim, membership=Membership.objects.get(pk=alice.pk), actor=member,
                           idempotency_key="the-same-form")

    outcomes = all_at_once([buy, buy, buy, buy])
    assert [kind for kind, _ in outcomes] == ["done"] * 4, outcomes
    assert len({transfer.pk for _, transfer in outcomes}) == 1
    assert Redemption.objects.count() == 1
    assert check_ledger(riverside)[1] == []
