"""Assisted members are protected.

Before: a member recorded "I helped them" against an assisted member (no e-mail, never logs in);
it auto-confirmed after the confirmation window and drained them to their floor. Now an
exchange whose receiver cannot be asked goes to the coordinators' queue at once, and one whose
receiver has not logged in since it was recorded goes there when the window closes.
"""

import datetime

import time_machine
from django.urls import reverse
from django.utils import timezone

from coproduce import testing
from coproduce.ledger import services as ledger
from coproduce.ledger.models import Transfer, TransferStatus
from coproduce.members.models import Membership


def _membership(user):
    return Membership.objects.select_related("user").get(user=user)


def test_helped_them_against_an_assisted_member_waits_for_a_coordinator(client, riverside, member, coordinator,
                                                                          assisted_member):
    edna = _membership(assisted_member)
    client.force_login(member)
    url = reverse("ledger:record", args=[riverside.slug])
    form = client.get(url).context["form"]
    response = client.post(url, {
        "token": form.initial["token"], "direction": "gave", "other": f"#{edna.pk}", "minutes": "1200",
        "performed_on": timezone.localdate().isoformat(), "description": "Helped"}, follow=True)
    assert response.status_code == 200
    transfer = Transfer.objects.get(community=riverside)
    assert transfer.status == TransferStatus.HELD and transfer.hold_reason == "unconfirmed"
    assert "Edna Elder does not use the website" in transfer.hold_detail
    # The window passes: nothing confirms itself on Edna's behalf.
    with time_machine.travel(timezone.now() + datetime.timedelta(days=60)):
        assert ledger.settle_pending() == {"confirmed": 0, "expired": 0, "held": 0}
    assert ledger.account_for_membership(edna).balance == 0
    # A coordinator phones Edna: she says it didn't happen like that.
    client.force_login(coordinator)
    queue = client.get(reverse("ledger:approvals", args=[riverside.slug])).text
    assert "Edna Elder does not use the website" in queue
    client.post(reverse("ledger:decline_held", args=[riverside.slug, transfer.pk]),
                {"reason": "Edna says it was an hour, not twenty"})
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DECLINED
    assert ledger.account_for_membership(edna).balance == 0


def test_a_receiver_who_has_not_logged_in_is_not_confirmed_for(riverside, member, second_member, coordinator):
    alice, bob = _membership(member), _membership(second_member)
    transfer = ledger.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=60,
                                      performed_on=timezone.localdate(), keyed_by=member,
                                      idempotency_key=ledger.new_key())
    assert transfer.status == TransferStatus.PENDING
    with time_machine.travel(timezone.now() + datetime.timedelta(days=30)):
        assert ledger.settle_pending()["held"] == 1
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.HELD and "has not logged in" in transfer.hold_detail
    assert ledger.account_for_membership(bob).balance == 0
    # Bob comes back later and can still answer it himself.
    ledger.confirm_exchange(transfer, user=second_member)
    assert ledger.account_for_membership(bob).balance == -60


def test_a_receiver_who_logged_in_and_said_nothing_is_confirmed_as_before(riverside, member, second_member):
    alice, bob = _membership(member), _membership(second_member)
    transfer = ledger.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=60,
                                      performed_on=timezone.localdate(), keyed_by=member,
                                      idempotency_key=ledger.new_key())
    client = testing.Client()
    client.post("/accounts/login/", {"login": second_member.email, "password": testing.PASSWORD})
    with time_machine.travel(timezone.now() + datetime.timedelta(days=30)):
        assert ledger.settle_pending()["confirmed"] == 1
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.POSTED


def test_a_coordinator_who_checked_with_them_approves_and_it_posts(riverside, coordinator, assisted_member,
                                                                   member):
    edna = _membership(assisted_member)
    other = testing.make_person("cass@example.org", "Cass Second")
    testing.join(other, riverside, role="coordinator")
    transfer = ledger.record_exchange(community=riverside, giver=_membership(member), receiver=edna, minutes=60,
                                      performed_on=timezone.localdate(), keyed_by=member,
                                      idempotency_key=ledger.new_key())
    ledger.approve_transfer(transfer, approver=other)
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.POSTED
    assert ledger.account_for_membership(edna).balance == -60
