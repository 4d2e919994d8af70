"""Crossings between two linked banks: booked on both ledgers against mirrored clearing accounts,
idempotent by UUID, signed, within the agreed limits, and reconciled after a fault."""

import datetime
import json
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from coproduce.federation import keys, messages, services
from coproduce.federation.models import Crossing, CrossingState
from coproduce.ledger import queries
from coproduce.ledger import services as ledger
from coproduce.ledger.models import Account, AccountKind, Transfer, TransferKind


def _balance(membership) -> int:
    account = Account.objects.filter(membership=membership).first()
    return account.balance if account else 0


def _clearing(link) -> int:
    return Account.objects.get(pk=link.account_id).balance


def _record(link, payer, their_member, minutes, capture, **extra):
    with capture(execute=True):
        crossing = services.start_crossing(link, member=payer, their_member=their_member, minutes=minutes,
                                           performed_on=ledger.community_today(link.community),
                                           description=extra.pop("description", "A lift to the surgery"),
                                           keyed_by=payer.user, **extra)
    crossing.refresh_from_db()
    return crossing


def _ledgers_agree(here, there):
    assert _clearing(here) == -_clearing(there)
    for community in (here.community, there.community):
        # Double entry in each bank: every community's accounts sum to zero.
        assert sum(Account.objects.filter(community=community).values_list("balance", flat=True)) == 0
    call_command("verify_ledger")


def test_a_member_pays_a_member_of_the_linked_bank_and_both_ledgers_book_it(
        banks, alice, olga, django_capture_on_commit_callbacks):
    here, there = banks
    crossing = _record(here, alice, olga.pk, 90, django_capture_on_commit_callbacks)

    assert crossing.state == CrossingState.COMPLETED
    assert crossing.their_name == "Olga Other"
    assert _balance(alice) == -90 and _balance(olga) == 90
    assert _clearing(here) == 90 and _clearing(there) == -90  # Riverside owes Hilltop 1.5 hours
    theirs = Crossing.objects.get(link=there, uuid=crossing.uuid)
    assert theirs.state == CrossingState.COMPLETED and not theirs.started_here and theirs.member == olga
    assert theirs.their_name == "Alice Ashby"
    assert Transfer.objects.get(pk=theirs.transfer_id).kind == TransferKind.CROSSING
    _ledgers_agree(here, there)


def test_crossings_run_both_ways_and_net_out(banks, alice, olga, django_capture_on_commit_callbacks):
    here, there = banks
    _record(here, alice, olga.pk, 120, django_capture_on_commit_callbacks)
    _record(there, olga, alice.pk, 45, django_capture_on_commit_callbacks)
    assert _balance(alice) == -75 and _balance(olga) == 75
    assert _clearing(here) == 75 and _clearing(there) == -75
    _ledgers_agree(here, there)


def test_statements_name_the_member_and_the_bank_on_the_other_side(banks, alice, olga,
                                                                   django_capture_on_commit_callbacks):
    here, _there = banks
    _record(here, alice, olga.pk, 60, django_capture_on_commit_callbacks)
    [line] = queries.with_other_side(queries.statement(ledger.account_for_membership(alice)),
                                     ledger.account_for_membership(alice))
    assert line.other_side == "Received from Olga Other at Hilltop Time Bank"
    [line] = queries.with_other_side(queries.statement(ledger.account_for_membership(olga)),
                                     ledger.account_for_membership(olga))
    assert line.other_side == "Gave to Alice Ashby at Riverside Time Bank"


def test_a_repeated_submission_posts_once(banks, alice, olga, wire, django_capture_on_commit_callbacks):
    here, there = banks
    key = uuid.uuid4()
    first = _record(here, alice, olga.pk, 60, django_capture_on_commit_callbacks, uuid=key)
    again = _record(here, alice, olga.pk, 60, django_capture_on_commit_callbacks, uuid=key)
    assert first.pk == again.pk
    # The other bank gets the same proposal again (a retry whose answer was lost): same answer.
    crossing = Crossing.objects.select_related("link__community", "member__user").get(pk=first.pk)
    body = json.dumps(messages.as_message(crossing, state="validated")).encode()
    path = "/federation/v1/hilltop/crossings"
    node = here.community.node
    response = Client().post(path, data=body, content_type="application/json",
                             headers=keys.sign(node.private_key, node.public_key, "POST", path, body,
                                               recipient=here.peer_public_key))
    assert response.status_code == 200 and response.json()["state"] == "completed"
    assert _balance(alice) == -60 and _balance(olga) == 60
    assert Crossing.objects.filter(link=there).count() == 1
    assert Transfer.objects.filter(kind=TransferKind.CROSSING).count() == 2  # one per bank
    _ledgers_agree(here, there)


def _post_signed(link, payload, *, tamper=None):
    node = link.community.node
    body = json.dumps(payload).encode()
    path = f"/federation/v1/{link.peer_slug}/crossings"
    headers = keys.sign(node.private_key, node.public_key, "POST", path, body, recipient=link.peer_public_key)
    if tamper:
        tamper(headers)
        if "body" in headers:
            body = headers.pop("body")
    return Client().post(path, data=body, content_type="application/json", headers=headers)


def _proposal(payer, payee, minutes=60, key=None):
    return {"uuid": str(key or uuid.uuid4()), "state": "validated", "workflow": messages.WORKFLOW,
            "entries": [{"payer": f"{payer.community.slug}/{payer.pk}", "payee": f"{payee.community.slug}/{payee.pk}",
                         "quant": minutes, "description": "Shopping",
                         "metadata": {"performed_on": ledger.community_today(payee.community).isoformat(),
                                      "payer_name": payer.user.name}}]}


def test_the_same_uuid_with_different_content_is_a_conflict(banks, alice, olga):
    here, _there = banks
    key = uuid.uuid4()
    assert _post_signed(here, _proposal(alice, olga, 60, key)).status_code == 201
    response = _post_signed(here, _proposal(alice, olga, 75, key))
    assert response.status_code == 409 and "uuid" in response.json()["errors"]
    assert _balance(olga) == 60


@pytest.mark.parametrize("tamper, why", [
    (lambda h: h.update({keys.SIGNATURE_HEADER: h[keys.SIGNATURE_HEADER][:-4] + "AAAA"}), "forged signature"),
    (lambda h: h.update(body=b'{"changed": true}'), "body changed after signing"),
    (lambda h: h.update({keys.TIME_HEADER: str(int(h[keys.TIME_HEADER]) - keys.SKEW - 5)}), "too old"),
    (lambda h: h.update({keys.KEY_HEADER: keys.new_key_pair()[1]}), "a key nobody linked"),
])
def test_a_request_without_a_valid_signature_is_refused_and_changes_nothing(banks, alice, olga, tamper, why):
    here, _there = banks
    response = _post_signed(here, _proposal(alice, olga), tamper=tamper)
    assert response.status_code == 401, why
    assert response.json()["errors"]["detail"]
    assert not Crossing.objects.exists() and _balance(olga) == 0


def test_malformed_proposals_get_400_naming_the_field(banks, alice, olga):
    here, _there = banks
    for change, field in [({"uuid": "nope"}, "uuid"), ({"state": "completed"}, "state"), ({"entries": []}, "entries")]:
        response = _post_signed(here, {**_proposal(alice, olga), **change})
        assert response.status_code == 400 and field in response.json()["errors"], field
    bad_quant = _proposal(alice, olga)
    bad_quant["entries"][0]["quant"] = "60"
    assert "quant" in _post_signed(here, bad_quant).json()["errors"]
    wrong_payer = _proposal(alice, olga)
    wrong_payer["entries"][0]["payer"] = "elsewhere/1"  # not the linked bank's member
    assert "payer" in _post_signed(here, wrong_payer).json()["errors"]
    assert not Crossing.objects.exists()


def test_crossing_our_own_limit_is_refused_here_and_nothing_is_sent(banks, alice, olga, wire,
                                                                    django_capture_on_commit_callbacks):
    here, _there = banks
    ledger.set_clearing_limits(here.account, we_may_owe=60, they_may_owe=600)
    with pytest.raises(ValidationError) as refused:
        _record(here, alice, olga.pk, 90, django_capture_on_commit_callbacks)
    assert "Hilltop Time Bank" in " ".join(refused.value.messages)
    assert not wire.sent and not Crossing.objects.exists()
    assert _balance(alice) == 0 and _clearing(here) == 0


def test_crossing_the_other_banks_limit_is_refused_there_and_undone_here(banks, alice, olga,
                                                                        django_capture_on_commit_callbacks):
    here, there = banks
    ledger.set_clearing_limits(there.account, we_may_owe=600, they_may_owe=60)  # Hilltop lets Riverside owe 1 hour
    crossing = _record(here, alice, olga.pk, 90, django_capture_on_commit_callbacks)
    assert crossing.state == CrossingState.REFUSED and "Riverside Time Bank" in crossing.reason
    assert Crossing.objects.get(link=there, uuid=crossing.uuid).state == CrossingState.REFUSED
    assert _balance(alice) == 0 and _balance(olga) == 0  # booked, then undone by a reversal
    assert Transfer.objects.get(reverses=crossing.transfer_id).kind == TransferKind.REVERSAL
    _ledgers_agree(here, there)
    # Within the limit it goes through.
    assert _record(here, alice, olga.pk, 60, django_capture_on_commit_callbacks).state == CrossingState.COMPLETED


def test_an_unknown_member_there_is_refused_with_the_reason(banks, alice, django_capture_on_commit_callbacks):
    here, there = banks
    crossing = _record(here, alice, 999999, 60, django_capture_on_commit_callbacks)
    assert crossing.state == CrossingState.REFUSED and "999999" in crossing.reason
    assert _balance(alice) == 0
    _ledgers_agree(here, there)


def test_a_bank_that_is_down_leaves_the_crossing_pending_and_it_is_retried(banks, alice, olga, wire,
                                                                          django_capture_on_commit_callbacks):
    here, there = banks
    wire.down = True
    crossing = _record(here, alice, olga.pk, 60, django_capture_on_commit_callbacks)
    assert crossing.state == CrossingState.PENDING and crossing.attempts == 1
    assert "refused" in crossing.last_error and crossing.next_try_at > timezone.now()
    assert _balance(alice) == -60 and _balance(olga) == 0  # booked here, waiting there
    assert services.deliver_due() == 0  # not due yet
    wire.down = False
    assert services.deliver_due(now=timezone.now() + datetime.timedelta(minutes=5)) == 1
    crossing.refresh_from_db()
    assert crossing.state == CrossingState.COMPLETED and _balance(olga) == 60
    _ledgers_agree(here, there)


def test_reconciliation_finishes_a_crossing_whose_answer_was_lost(banks, alice, olga, wire,
                                                                  django_capture_on_commit_callbacks):
    here, there = banks
    wire.lose_answers = True  # Hilltop books it, Riverside never hears back
    crossing = _record(here, alice, olga.pk, 60, django_capture_on_commit_callbacks)
    assert crossing.state == CrossingState.PENDING and _balance(olga) == 60
    wire.lose_answers = False
    report = services.reconcile(here)
    assert report.completed_here == [str(crossing.uuid)] and report.agrees, report
    crossing.refresh_from_db()
    assert crossing.state == CrossingState.COMPLETED
    _ledgers_agree(here, there)


def test_reconciliation_resends_what_the_other_bank_never_got(banks, alice, olga, wire,
                                                             django_capture_on_commit_callbacks):
    here, there = banks
    wire.down = True
    crossing = _record(here, alice, olga.pk, 60, django_capture_on_commit_callbacks)
    wire.down = False
    report = services.reconcile(here)
    assert report.resent == [str(crossing.uuid)] and report.agrees, report
    _ledgers_agree(here, there)


def test_reconciliation_books_what_waits_at_the_other_bank(banks, alice, olga, wire,
                                                          django_capture_on_commit_callbacks):
    """Hilltop booked a crossing and could not deliver it; Riverside's check takes it from
    Hilltop's list, and Hilltop's next delivery finds it done (a repeat)."""
    here, there = banks
    wire.down = True
    crossing = _record(there, olga, alice.pk, 45, django_capture_on_commit_callbacks)
    wire.down = False
    report = services.reconcile(here)
    assert report.received == [str(crossing.uuid)]
    assert _balance(alice) == 45 and _clearing(here) == -45 and _clearing(there) == 45
    assert services.deliver(crossing.pk).state == CrossingState.COMPLETED
    assert services.reconcile(here).agrees and services.reconcile(there).agrees
    _ledgers_agree(here, there)


def test_reconciliation_reports_a_difference_it_cannot_explain(banks, alice, olga,
                                                               django_capture_on_commit_callbacks):
    here, there = banks
    _record(here, alice, olga.pk, 60, django_capture_on_commit_callbacks)
    # Hilltop books something against its clearing account outside the protocol.
    ledger.post_crossing(clearing=there.account, member=olga, member_gains=30,
                         performed_on=ledger.community_today(there.community), description="", keyed_by=olga.user,
                         uuid=uuid.uuid4())
    report = services.reconcile(here)
    assert not report.agrees
    assert any("do not mirror" in difference for difference in report.differences)


def test_the_crossing_kind_is_not_counted_as_exchange_hours(banks, alice, olga, django_capture_on_commit_callbacks):
    from coproduce.insights.models import MonthlyRollup

    here, _there = banks
    _record(here, alice, olga.pk, 60, django_capture_on_commit_callbacks)
    rows = MonthlyRollup.objects.filter(community=here.community)
    assert set(rows.values_list("exchange_type", flat=True)) == {"crossing"}


def test_linking_checks_the_key_the_address_and_the_limits(riverside, coordinator):
    good_key = keys.new_key_pair()[1]
    with pytest.raises(ValidationError) as refused:
        services.link_bank(riverside, name="X", peer_url="ftp://x", peer_slug="x", peer_public_key="short",
                           we_may_owe=60, they_may_owe=60, actor=coordinator)
    assert set(refused.value.message_dict) == {"peer_url", "peer_public_key"}
    with pytest.raises(ValidationError) as refused:
        services.link_bank(riverside, name="X", peer_url="https://x.example", peer_slug="x",
                           peer_public_key=good_key, we_may_owe=-1, they_may_owe=60, actor=coordinator)
    assert "we_may_owe" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.link_bank(riverside, name="Self", peer_url="https://x.example", peer_slug="x",
                           peer_public_key=services.node_for(riverside).public_key, we_may_owe=0,
                           they_may_owe=0, actor=coordinator)
    link = services.link_bank(riverside, name="X", peer_url="https://x.example/", peer_slug="x",
                              peer_public_key=good_key, we_may_owe=60, they_may_owe=30, actor=coordinator)
    assert link.peer_url == "https://x.example"
    from coproduce.audit.models import AuditEntry

    entry = AuditEntry.objects.get(action="federation.linked")
    assert (entry.actor, entry.community, entry.subject) == (coordinator, riverside, "X")
    assert (link.account.kind, link.account.min_override, link.account.max_override) == (AccountKind.CLEARING, -30, 60)


def test_signatures_cover_method_path_body_and_time():
    private, public = keys.new_key_pair()
    us, another_bank = keys.new_key_pair()[1], keys.new_key_pair()[1]
    headers = keys.sign(private, public, "POST", "/a", b"body", recipient=us, now=1000)
    args = (headers[keys.TIME_HEADER], headers[keys.SIGNATURE_HEADER])
    assert keys.verify(public, "POST", "/a", b"body", *args, recipient=us, now=1000)
    assert not keys.verify(public, "GET", "/a", b"body", *args, recipient=us, now=1000)
    assert not keys.verify(public, "POST", "/b", b"body", *args, recipient=us, now=1000)
    assert not keys.verify(public, "POST", "/a", b"other", *args, recipient=us, now=1000)
    assert not keys.verify(public, "POST", "/a", b"body", *args, recipient=us, now=1000 + keys.SKEW + 1)
    assert not keys.verify(keys.new_key_pair()[1], "POST", "/a", b"body", *args, recipient=us, now=1000)
    # A request signed for one bank is refused by another that also links the sender.
    assert not keys.verify(public, "POST", "/a", b"body", *args, recipient=another_bank, now=1000)


def test_a_refusal_that_named_nobody_here_still_lists_and_reconciles(banks, alice, django_capture_on_commit_callbacks):
    here, there = banks
    _record(here, alice, 999999, 60, django_capture_on_commit_callbacks)  # refused there, kept without a member
    report = services.reconcile(here)
    assert report.agrees, report
    assert services.reconcile(there).agrees


def test_a_coordinator_cannot_reverse_one_side_of_a_crossing(banks, alice, olga, coordinator,
                                                            django_capture_on_commit_callbacks):
    here, there = banks
    crossing = _record(here, alice, olga.pk, 60, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="linked time bank"):
        ledger.reverse_transfer(crossing.transfer, keyed_by=coordinator, reason="Mistake",
                                idempotency_key=ledger.new_key())
    _ledgers_agree(here, there)


def test_someone_elses_uuid_is_refused_and_tells_nothing(banks, alice, olga, second_member, riverside,
                                                        django_capture_on_commit_callbacks):
    from coproduce.members.models import Membership

    here, _there = banks
    key = uuid.uuid4()
    _record(here, alice, olga.pk, 60, django_capture_on_commit_callbacks, uuid=key)
    bob = Membership.objects.get(user=second_member, community=riverside)
    with pytest.raises(ValidationError) as refused:
        _record(here, bob, olga.pk, 30, django_capture_on_commit_callbacks, uuid=key)
    assert "uuid" in refused.value.message_dict and _balance(bob) == 0


def test_a_refusal_that_cannot_be_undone_waits_for_a_coordinator_and_stops_nothing(
        banks, alice, olga, wire, django_capture_on_commit_callbacks):
    here, there = banks
    wire.down = True
    stuck = _record(here, alice, 999999, 60, django_capture_on_commit_callbacks)  # pending: Hilltop is down
    other = _record(here, alice, olga.pk, 30, django_capture_on_commit_callbacks)
    alice.status, alice.left_at = "left", timezone.now()  # she leaves: her account can no longer be credited back
    alice.save(update_fields=["status", "left_at"])
    wire.down = False
    report = services.reconcile(here)  # Hilltop refuses the first; the second goes through
    stuck.refresh_from_db()
    other.refresh_from_db()
    assert stuck.state == CrossingState.PENDING and "could not be undone" in stuck.last_error
    assert stuck.next_try_at is None and services.deliver(stuck.pk).state == CrossingState.PENDING
    assert other.state == CrossingState.COMPLETED
    assert not report.agrees  # reported until a coordinator acts
    alice.status, alice.left_at = "active", None  # (she comes back: the next reconciliation undoes it)
    alice.save(update_fields=["status", "left_at"])
    assert services.reconcile(here).agrees
    _ledgers_agree(here, there)


def test_a_stale_retry_does_nothing(banks, alice, olga, wire, django_capture_on_commit_callbacks):
    here, _there = banks
    wire.down = True
    crossing = _record(here, alice, olga.pk, 60, django_capture_on_commit_callbacks)
    assert crossing.attempts == 1
    sent = len(wire.sent)
    wire.down = False
    services.deliver(crossing.pk, attempt=0)  # queued for a try that has been overtaken
    assert len(wire.sent) == sent
    crossing.refresh_from_db()
    assert crossing.state == CrossingState.PENDING
    assert services.deliver(crossing.pk, attempt=1).state == CrossingState.COMPLETED


def test_proposals_out_of_bounds_get_400(banks, alice, olga):
    here, _there = banks
    for change in ({"quant": 10**12}, {"payee": "hilltop/²"}, {"payee": "hilltop/" + "9" * 30}):
        proposal = _proposal(alice, olga)
        proposal["entries"][0].update(change)
        assert _post_signed(here, proposal).status_code == 400, change


def test_a_crossing_costs_the_same_few_queries_on_each_bank_however_many_came_before(
        banks, alice, olga, wire, monkeypatch, django_capture_on_commit_callbacks):
    """bench_federation's throughput rests on these round trips (issue 17): the receiving bank's
    signed request finds its link, community and key pair in one query, and neither side looks a
    UUID up before saving it (its unique constraint finds a repeat)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coproduce.federation import transport

    carried, received = wire, []

    def counting(url, method, body, headers):
        with CaptureQueriesContext(connection) as inbound:
            answer = carried(url, method, body, headers)
        received.append(len(inbound.captured_queries))
        return answer

    monkeypatch.setattr(transport, "_http", counting)
    here, _there = banks
    sent = []
    for _ in range(6):
        with CaptureQueriesContext(connection) as everything:
            crossing = _record(here, alice, olga.pk, 15, django_capture_on_commit_callbacks)
        assert crossing.state == CrossingState.COMPLETED
        sent.append(len(everything.captured_queries) - received[-1])
    assert len(set(sent[1:])) == 1 and len(set(received[1:])) == 1, (sent, received)
    # Counted inside the test's transaction, so each bank's own transaction shows as a savepoint.
    assert sent[-1] <= 15, sent
    assert received[-1] <= 16, received
