"""``authority``: a rule checked by the calling service (partner staff, a group's facilitator)
lets a non-coordinator post a group exchange or an exchange at once, audited."""

import pytest
from django.core.exceptions import ValidationError

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.ledger import services
from coproduce.ledger.models import Transfer


def test_group_exchange_needs_a_coordinator_or_an_authority(riverside, alice, bob, yesterday):
    pot = services.pot_for(riverside)
    kwargs = {"community": riverside, "givers": [(alice, 60)], "receivers": [pot], "performed_on": yesterday,
              "keyed_by": bob.user}
    with pytest.raises(ValidationError, match="Ask a coordinator"):
        services.record_group_exchange(idempotency_key=services.new_key(), **kwargs)
    with pytest.raises(ValidationError, match="Ask a coordinator"):
        services.record_group_exchange(idempotency_key=services.new_key(), authority="  ", **kwargs)
    assert not Transfer.objects.exists()
    transfer = services.record_group_exchange(idempotency_key=services.new_key(),
                                              authority="facilitator of Carers' circle", **kwargs)
    assert transfer.status == "posted"
    entry = AuditEntry.objects.get(action=AuditAction.EXCHANGE_RECORDED_FOR)
    assert entry.detail["authority"] == "facilitator of Carers' circle"


def test_exchange_with_authority_posts_at_once(riverside, alice, bob, yesterday):
    kwargs = {"community": riverside, "giver": alice, "receiver": services.pot_for(riverside), "minutes": 30,
              "performed_on": yesterday, "keyed_by": bob.user}
    with pytest.raises(ValidationError, match="only record exchanges you took part in"):
        services.record_exchange(idempotency_key=services.new_key(), **kwargs)
    transfer = services.record_exchange(idempotency_key=services.new_key(), authority="staff of the pot", **kwargs)
    assert transfer.status == "posted"
    assert AuditEntry.objects.get(action=AuditAction.EXCHANGE_RECORDED_FOR).detail["authority"] == "staff of the pot"
