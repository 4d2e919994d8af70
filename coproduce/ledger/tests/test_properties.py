"""Random sequences of ledger actions keep every invariant verify_ledger checks."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from coproduce import testing
from coproduce.communities.services import update_community_settings
from coproduce.ledger import services
from coproduce.ledger.models import AccountKind, Entry, Transfer, TransferKind, TransferStatus
from coproduce.ledger.queries import check_ledger
from coproduce.members.models import Membership, Role
from coproduce.partners.models import Organisation

PEOPLE = 5
minutes = st.sampled_from([15, 30, 45, 60, 90, 120, 0, 20, 24 * 60 + 15])
person = st.integers(min_value=0, max_value=PEOPLE - 1)


class LedgerMachine(RuleBasedStateMachine):
    """Each example runs inside a savepoint that is rolled back at teardown."""

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.community = testing.make_community("prop", "Property Time Bank", areas=())
        # The controls a finance officer signs off, tight enough to be reached: the pot pays only
        # what it was given, an organisation may issue two hours, one person gets at most an hour
        # from either without a coordinator.
        update_community_settings(self.community, actor=None, min_balance_minutes=-120,
                                  max_balance_minutes=180, pot_floor_minutes=0,
                                  organisation_floor_minutes=-120, approval_ceiling_minutes=60)
        self.community.refresh_from_db()
        for i in range(PEOPLE):
            testing.join(testing.make_person(f"m{i}@example.org", f"Member {i}"), self.community)
        coordinator = testing.make_person("coord@example.org", "Coord")
        self.coordinator_membership = testing.join(coordinator, self.community, role=Role.COORDINATOR)
        self.coordinator = coordinator
        self.second_coordinator = testing.make_person("coord2@example.org", "Second Coord")
        testing.join(self.second_coordinator, self.community, role=Role.COORDINATOR)
        self.organisation = Organisation.objects.create(community=self.community, name="Surgery")
        self.members = list(Membership.objects.filter(community=self.community, role=Role.MEMBER)
                            .select_related("user").order_by("pk"))
        self.counter = 0
        self.today = timezone.localdate()

    def key(self):
        self.counter += 1
        return f"k{self.counter}"

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def attempt(self, action, *args, **kwargs):
        before = Transfer.objects.count()
        try:
            result = action(*args, **kwargs)
        except ValidationError:
            assert Transfer.objects.count() == before, "a refused action wrote something"
            event(f"{action.__name__}: refused")
            return None
        event(f"{action.__name__}: {getattr(result, 'status', 'done')}")
        return result

    @rule(giver=person, receiver=person, amount=minutes, who=st.sampled_from(["giver", "receiver", "coordinator"]),
          days_ago=st.integers(min_value=-1, max_value=30))
    def exchange(self, giver, receiver, amount, who, days_ago):
        giver, receiver = self.members[giver], self.members[receiver]
        keyed_by = {"giver": giver.user, "receiver": receiver.user, "coordinator": self.coordinator}[who]
        self.attempt(services.record_exchange, community=self.community, giver=giver, receiver=receiver,
                     minutes=amount, performed_on=self.today - datetime.timedelta(days=days_ago),
                     keyed_by=keyed_by, idempotency_key=self.key())

    @rule(confirm=st.booleans(), data=st.data())
    def settle(self, confirm, data):
        pending = list(Transfer.objects.filter(community=self.community, status=TransferStatus.PENDING)
                       .select_related("awaiting__membership"))
        if not pending:
            return
        transfer = data.draw(st.sampled_from(pending))
        user = transfer.awaiting.membership.user
        self.attempt(services.confirm_exchange if confirm else services.decline_exchange, transfer, user=user)

    @rule(giver=person, receivers=st.lists(person, min_size=2, max_size=4, unique=True),
          amount=minutes, by_pot=st.booleans())
    def group(self, giver, receivers, amount, by_pot):
        self.attempt(services.record_group_exchange, community=self.community,
                     givers=[(self.members[giver], amount)],
                     receivers=[self.members[r] for r in receivers], paid_by_pot=by_pot,
                     performed_on=self.today, keyed_by=self.coordinator, idempotency_key=self.key())

    @rule(givers=st.lists(person, min_size=2, max_size=3, unique=True), receiver=person, amount=minutes)
    def event(self, givers, receiver, amount):
        self.attempt(services.record_group_exchange, community=self.community,
                     givers=[(self.members[g], amount) for g in givers],
                     receivers=[self.members[receiver]], performed_on=self.today,
                     keyed_by=self.members[receiver].user, idempotency_key=self.key())

    @rule(giver=person, to=st.one_of(st.none(), person), amount=minutes)
    def gift(self, giver, to, amount):
        self.attempt(services.give_credits, community=self.community, giver=self.members[giver],
                     to=None if to is None else self.members[to], minutes=amount,
                     keyed_by=self.members[giver].user, idempotency_key=self.key())

    @rule(to=st.one_of(person, st.just("self")), amount=minutes)
    def grant(self, to, amount):
        self.attempt(services.grant_from_pot, community=self.community,
                     to=self.coordinator_membership if to == "self" else self.members[to],
                     minutes=amount, reason="needs help", keyed_by=self.coordinator,
                     idempotency_key=self.key())

    @rule(givers=st.lists(person, min_size=1, max_size=3, unique=True), keyer=person, amount=minutes,
          from_pot=st.booleans())
    def volunteers_credited(self, givers, keyer, amount, from_pot):
        """A session or an opportunity: the pot or the organisation credits several people, keyed
        by someone the calling service authorised (who may be among them: self-dealing)."""
        payer = services.pot_for(self.community) if from_pot else self.organisation
        self.attempt(services.record_group_exchange, community=self.community,
                     givers=[(self.members[g], amount) for g in givers], receivers=[payer],
                     performed_on=self.today, keyed_by=self.members[keyer].user,
                     idempotency_key=self.key(), authority="leads the session")

    @rule(data=st.data(), approve=st.booleans(), by_second=st.booleans())
    def decide(self, data, approve, by_second):
        held = list(Transfer.objects.filter(community=self.community, status=TransferStatus.HELD))
        if not held:
            return
        transfer = data.draw(st.sampled_from(held))
        approver = self.second_coordinator if by_second else self.coordinator
        if approve:
            self.attempt(services.approve_transfer, transfer, approver=approver)
        else:
            self.attempt(services.decline_held_transfer, transfer, approver=approver, reason="not agreed")

    @rule(data=st.data())
    def reverse(self, data):
        posted = list(Transfer.objects.filter(community=self.community, status=TransferStatus.POSTED))
        if not posted:
            return
        transfer = data.draw(st.sampled_from(posted))
        self.attempt(services.reverse_transfer, transfer, keyed_by=self.coordinator, reason="mistake",
                     idempotency_key=self.key())

    @rule()
    def replay_last_key(self):
        if self.counter:
            before = Transfer.objects.count()
            existing = Transfer.objects.filter(community=self.community, idempotency_key=f"k{self.counter}").first()
            result = self.attempt(services.give_credits, community=self.community, giver=self.members[0],
                                  to=None, minutes=15, keyed_by=self.members[0].user,
                                  idempotency_key=f"k{self.counter}")
            if existing is not None:
                assert result == existing and Transfer.objects.count() == before

    @invariant()
    def ledger_is_sound(self):
        _counts, problems = check_ledger(self.community)
        assert problems == []  # includes every balance within its limits: the pot and organisation floors

    @invariant()
    def nobody_mints_credits_for_themselves(self):
        """Credits from the pot or an organisation to the person who keyed them, or over the ceiling
        keyed by a non-coordinator, are posted only by another coordinator's approval."""
        issued = (Entry.objects.filter(transfer__community=self.community, amount__lt=0,
                                       account__kind__in=[AccountKind.POT, AccountKind.ORGANISATION])
                  .exclude(transfer__kind=TransferKind.REVERSAL).values_list("transfer_id", flat=True))
        coordinators = {self.coordinator.pk, self.second_coordinator.pk}
        for transfer in Transfer.objects.filter(pk__in=issued).prefetch_related("entries__account__membership"):
            credited = {e.account.membership.user_id: e.amount for e in transfer.entries.all()
                        if e.amount > 0 and e.account.membership_id}
            approved = transfer.settled_by_id is not None
            if transfer.keyed_by_id in credited or (
                    max(credited.values(), default=0) > 60 and transfer.keyed_by_id not in coordinators):
                assert approved, f"transfer #{transfer.pk} posted without approval"
            if approved:
                assert transfer.settled_by_id in coordinators
                assert transfer.settled_by_id != transfer.keyed_by_id
                assert transfer.settled_by_id not in credited


@pytest.mark.django_db
def test_random_ledger_actions_keep_every_invariant():
    run_state_machine_as_test(LedgerMachine, settings=settings(
        max_examples=25, stateful_step_count=30, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
