"""The receiver of a pending exchange hears about it (issue 4, point 7)."""

from django.core import mail
from django.test import TestCase
from django.utils import timezone

from coproduce.ledger import services
from coproduce.members.models import Membership


def test_the_receiver_is_emailed_when_an_exchange_waits_for_them(riverside, member, second_member):
    alice, bob = (Membership.objects.get(user=u) for u in (member, second_member))
    with TestCase.captureOnCommitCallbacks(execute=True):
        transfer = services.record_exchange(
            community=riverside, giver=alice, receiver=bob, minutes=60, performed_on=timezone.localdate(),
            keyed_by=alice.user, idempotency_key="pending-1")
    assert transfer.status == "pending"
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    assert "/c/riverside/ledger/pending/" in mail.outbox[0].body
