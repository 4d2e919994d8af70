"""Recording an exchange in a category that needs a safeguarding check (issue 4, point 4)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coproduce.ledger import services
from coproduce.ledger.models import Transfer
from coproduce.members.models import Membership
from coproduce.safeguarding.services import record_check, set_requirement


@pytest.fixture
def sitting(riverside, coordinator):
    category = riverside.categories.get(name="Sitting with someone")
    set_requirement(category, actor=coordinator, check_type="enhanced_dbs")
    return category


def _record(riverside, giver, receiver, category, key, keyed_by):
    return services.record_exchange(
        community=riverside, giver=giver, receiver=receiver, minutes=60, performed_on=timezone.localdate(),
        category=category, keyed_by=keyed_by, idempotency_key=key)


def test_an_unchecked_helper_cannot_be_credited_in_a_check_required_category(
        riverside, member, second_member, coordinator, sitting):
    alice, bob = (Membership.objects.get(user=u) for u in (member, second_member))
    for keyed_by in (bob.user, alice.user, coordinator):  # receiver, giver, coordinator: all refused
        with pytest.raises(ValidationError, match="needs a valid enhanced DBS check"):
            _record(riverside, alice, bob, sitting, f"k-{keyed_by.pk}", keyed_by)
    with pytest.raises(ValidationError, match="needs a valid enhanced DBS check"):
        services.record_group_exchange(
            community=riverside, givers=[(alice, 60)], receivers=[bob], performed_on=timezone.localdate(),
            category=sitting, keyed_by=coordinator, idempotency_key="group")
    assert not Transfer.objects.exists()


def test_a_checked_helper_can_be_credited(riverside, member, second_member, coordinator, sitting):
    alice, bob = (Membership.objects.get(user=u) for u in (member, second_member))
    today = timezone.localdate()
    record_check(alice, actor=coordinator, check_type="enhanced_dbs", checked_on=today - timedelta(days=10),
                 outcome="clear", expires_on=today + timedelta(days=365))
    transfer = _record(riverside, alice, bob, sitting, "ok", bob.user)
    assert transfer.status == "posted"
    # The receiver needs no check: only the helper does.
    with pytest.raises(ValidationError):
        _record(riverside, bob, alice, sitting, "reverse-direction", alice.user)


def test_the_bulk_path_keeps_the_same_rule(riverside, member, second_member, coordinator, sitting):
    alice, bob = (Membership.objects.get(user=u) for u in (member, second_member))
    alice_account, bob_account = services.member_accounts(riverside, [alice, bob])
    row = services.BulkRow(giver_id=alice_account.pk, receiver_id=bob_account.pk, minutes=60,
                           performed_on=timezone.localdate(), category_id=sitting.pk, description="",
                           idempotency_key="bulk-1")
    with pytest.raises(ValidationError, match="Row 1: help in this category needs a valid enhanced DBS check"):
        services.bulk_post_exchanges(riverside, [row], keyed_by=coordinator)
    assert not Transfer.objects.exists()
    today = timezone.localdate()
    record_check(alice, actor=coordinator, check_type="enhanced_dbs", checked_on=today, outcome="clear",
                 expires_on=today + timedelta(days=365))
    assert services.bulk_post_exchanges(riverside, [row], keyed_by=coordinator) == 1

