"""The ledger's extension points (``ledger.hooks``): observers in the transaction and after it,
credit policies, and the parties it knows only as accounts."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coproduce.insights.models import MonthlyRollup
from coproduce.ledger import hooks, services
from coproduce.ledger.models import Entry, Transfer
from coproduce.ledger.queries import check_ledger


@pytest.fixture
def observers(monkeypatch):
    """Fresh copies of the registries, with the apps' own observers still in them."""
    for name in ("_posting_observers", "_bulk_observers", "_after_commit_observers", "_credit_policies"):
        monkeypatch.setattr(hooks, name, list(getattr(hooks, name)))
    return hooks


def _exchange(riverside, alice, bob, key="k1", **kwargs):
    return services.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=60,
                                    performed_on=timezone.localdate(), keyed_by=bob.user, idempotency_key=key,
                                    **kwargs)


def test_the_apps_register_themselves(riverside):
    assert any(getattr(o, "__module__", "") == "coproduce.insights.rollups" for o in hooks._posting_observers)
    assert any(getattr(o, "__module__", "") == "coproduce.insights.rollups" for o in hooks._bulk_observers)
    assert {getattr(o, "__module__", "") for o in hooks._after_commit_observers} >= {
        "coproduce.market.services", "coproduce.notifications.services"}
    assert any(type(p).__module__ == "coproduce.safeguarding.services" for p in hooks._credit_policies)


def test_an_observer_sees_the_posted_lines_and_accounts(observers, riverside, alice, bob):
    seen = []
    observers.observe_postings(seen.append)
    transfer = _exchange(riverside, alice, bob)
    (record,) = seen
    alice_account, bob_account = services.member_accounts(riverside, [alice, bob])
    assert record.transfer.pk == transfer.pk
    assert record.lines == {alice_account.pk: 60, bob_account.pk: -60}
    assert record.accounts[alice_account.pk].user_id == alice.user_id
    assert record.accounts[bob_account.pk].kind == "member"


def test_an_observer_that_raises_rolls_the_posting_back(observers, riverside, alice, bob):
    def broken(record):
        raise RuntimeError("the roll-up table is gone")

    observers.observe_postings(broken)
    with pytest.raises(RuntimeError):
        _exchange(riverside, alice, bob)
    assert not Transfer.objects.exists() and not Entry.objects.exists()
    assert not MonthlyRollup.objects.exists()
    assert services.account_for_membership(alice).balance == 0
    assert check_ledger(riverside)[1] == []


def test_an_after_commit_observer_that_raises_loses_nothing(observers, riverside, alice, bob, caplog,
                                                            django_capture_on_commit_callbacks):
    events = []

    def broken(event):
        raise RuntimeError("the mail server is down")

    observers.observe_after_commit(broken)
    observers.observe_after_commit(events.append)
    with caplog.at_level(logging.ERROR, logger="coproduce.ledger.hooks"), \
            django_capture_on_commit_callbacks(execute=True):
        transfer = _exchange(riverside, alice, bob)
    assert Transfer.objects.get(pk=transfer.pk).status == "posted"
    assert services.account_for_membership(alice).balance == 60
    assert "after-commit observer" in caplog.text and "the mail server is down" in caplog.text
    assert [e.name for e in events] == [hooks.POSTED]  # the next observer still heard of it


def test_events_name_what_happened(observers, riverside, alice, bob, django_capture_on_commit_callbacks):
    events = []
    observers.observe_after_commit(events.append)
    with django_capture_on_commit_callbacks(execute=True):
        pending = services.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=30,
                                           performed_on=timezone.localdate(), keyed_by=alice.user,
                                           idempotency_key="p")
    assert [(e.name, e.person) for e in events] == [(hooks.AWAITING_CONFIRMATION, bob.user)]
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_exchange(pending, user=bob.user)
    assert events[-1].name == hooks.POSTED and events[-1].actor == bob.user
    with django_capture_on_commit_callbacks(execute=True):
        held = services.record_group_exchange(community=riverside, givers=[(alice, 60)],
                                              receivers=[services.pot_for(riverside)],
                                              performed_on=timezone.localdate(), keyed_by=alice.user,
                                              idempotency_key="h", authority="leads a group")
    assert held.status == "held" and events[-1].name == hooks.HELD


class RefuseEveryone:
    def check(self, community, category, memberships):
        raise ValidationError(f"{memberships[0].user.name} may not help with {category.name}.")

    def refused_rows(self, community, rows, membership_of):
        return {i: "nobody may help with this" for i, row in enumerate(rows) if row.category_id}


def test_a_credit_policy_refuses_with_its_own_words_and_nothing_is_written(observers, riverside, alice, bob):
    observers.add_credit_policy(RefuseEveryone())
    gardening = riverside.categories.get(name="Gardening")
    with pytest.raises(ValidationError, match="Alice Ashby may not help with Gardening"):
        _exchange(riverside, alice, bob, category=gardening)
    _exchange(riverside, alice, bob, key="no-category")  # no category: nothing to ask
    giver, receiver = services.member_accounts(riverside, [alice, bob])
    rows = [services.BulkRow(giver.pk, receiver.pk, 60, timezone.localdate(), "b1"),
            services.BulkRow(giver.pk, receiver.pk, 60, timezone.localdate(), "b2", category_id=gardening.pk)]
    with pytest.raises(ValidationError, match="Row 2: nobody may help with this"):
        services.bulk_post_exchanges(riverside, rows, keyed_by=bob.user)
    assert Transfer.objects.count() == 1


def test_only_registered_parties_own_accounts(riverside, alice):
    with pytest.raises(ValidationError, match="Choose a member, an organisation or the pot"):
        services.account_of(riverside.areas.first(), riverside)
    with pytest.raises(TypeError, match="owns no ledger account"):
        services.account_for_party(riverside.areas.first())
