"""No one mints credits: the attacks found by trying the platform as a hostile member and a
careless partner, step by step through the pages they used, and the controls that stop them.

Before: an ordinary member who facilitated a group made a friend co-facilitator, created a
backdated 24-hour session and registered attendance; both got ~24 hours from the community
pot, repeatably, and the pot went as negative as anyone liked. Partner staff did the same from
their organisation's account by signing themselves up to their own opportunity.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduce import testing
from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.communities.services import update_community_settings
from coproduce.groups import services as groups
from coproduce.groups.models import GroupMember, Session
from coproduce.ledger import services as ledger
from coproduce.ledger.models import Transfer, TransferStatus
from coproduce.ledger.queries import check_ledger
from coproduce.members.models import Membership, Role
from coproduce.partners import services as partners
from coproduce.partners.models import Signup
from coproduce.partners.tests.fixtures import membership

LOCAL = "%Y-%m-%dT%H:%M"


@pytest.fixture
def riverside_defaults(riverside):
    """Riverside with the controls as a new community gets them: the pot's floor is 0."""
    update_community_settings(riverside, actor=None, pot_floor_minutes=0)
    riverside.refresh_from_db()
    return riverside


@pytest.fixture
def mallory(riverside):
    user = testing.make_person("mallory@example.org", "Mallory Mint")
    return testing.join(user, riverside)


@pytest.fixture
def friend(riverside):
    user = testing.make_person("fred@example.org", "Fred Friend")
    return testing.join(user, riverside)


@pytest.fixture
def mallorys_group(riverside_defaults, coordinator, mallory):
    group = groups.create_group(community=riverside_defaults, actor=coordinator, name="Knit and natter",
                                facilitators=[mallory])
    return testing.accept_invitations(group)


def _pot_balance(community) -> int:
    return ledger.pot_for(community).balance


def test_a_facilitator_cannot_make_a_friend_co_facilitator(client, riverside_defaults, mallorys_group,
                                                            mallory, friend):
    client.force_login(mallory.user)
    response = client.post(reverse("groups:role", args=[riverside_defaults.slug, mallorys_group.pk]),
                           {"member": f"#{friend.pk}", "role": "facilitator"}, follow=True)
    assert "Only coordinators and the host&#x27;s staff can make someone a facilitator" in response.text
    assert not GroupMember.objects.filter(group=mallorys_group, membership=friend).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.GROUP_INVITED, on_behalf_of=friend.user).exists()


def test_a_facilitator_cannot_add_a_backdated_session(client, riverside_defaults, mallorys_group, mallory):
    client.force_login(mallory.user)
    start = timezone.localtime() - datetime.timedelta(days=30)
    response = client.post(reverse("groups:session_new", args=[riverside_defaults.slug, mallorys_group.pk]), {
        "starts_at": start.strftime(LOCAL), "ends_at": (start + datetime.timedelta(hours=24)).strftime(LOCAL),
        "place": "My kitchen", "capacity": 2})
    assert response.status_code == 200
    assert "at most 7 days after it happened" in response.text
    assert not Session.objects.filter(group=mallorys_group).exists()


def test_a_facilitators_own_24_hour_session_waits_for_a_coordinator(client, riverside_defaults, mallorys_group,
                                                                     mallory, coordinator):
    """The attack's last step, within the backdating window: it posts nothing until approved."""
    client.force_login(mallory.user)
    start = timezone.localtime() - datetime.timedelta(days=2)
    client.post(reverse("groups:session_new", args=[riverside_defaults.slug, mallorys_group.pk]), {
        "starts_at": start.strftime(LOCAL), "ends_at": (start + datetime.timedelta(hours=24)).strftime(LOCAL),
        "place": "My kitchen", "capacity": 2})
    session = Session.objects.get(group=mallorys_group)
    url = reverse("groups:register", args=[riverside_defaults.slug, session.pk])
    token = client.get(url).context["form"].initial["token"]
    response = client.post(url, {"token": token, "present": [str(mallory.pk)]}, follow=True)
    assert "wait for a coordinator" in response.text
    transfer = Session.objects.get(pk=session.pk).transfer
    assert transfer.status == TransferStatus.HELD and transfer.hold_reason == "self_dealing"
    assert ledger.account_for_membership(mallory).balance == 0
    assert _pot_balance(riverside_defaults) == 0
    # A second try at the same session is refused; the queue shows the first for a coordinator.
    response = client.post(url, {"token": ledger.new_key(), "present": [str(mallory.pk)]})
    assert "already been recorded" in response.text
    client.force_login(coordinator)
    queue = client.get(reverse("ledger:approvals", args=[riverside_defaults.slug]))
    assert "Mallory Mint recorded credits for themselves" in queue.text
    # The pot was never given anything: approving cannot take it below its floor of 0.
    response = client.post(reverse("ledger:approve", args=[riverside_defaults.slug, transfer.pk]), follow=True)
    assert "below their lowest balance of 0 hours" in response.text
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.HELD
    assert _pot_balance(riverside_defaults) == 0
    assert check_ledger(riverside_defaults)[1] == []


def test_pot_floor_holds_for_coordinators_too(riverside_defaults, coordinator, member):
    alice = Membership.objects.get(user=member)
    with pytest.raises(Exception, match="lowest balance of 0 hours"):
        ledger.grant_from_pot(community=riverside_defaults, to=alice, minutes=60, reason="needs help",
                              keyed_by=coordinator, idempotency_key=ledger.new_key())
    ledger.give_credits(community=riverside_defaults, giver=alice, to=None, minutes=120, keyed_by=member,
                        idempotency_key=ledger.new_key())
    ledger.grant_from_pot(community=riverside_defaults, to=alice, minutes=120, reason="needs help",
                          keyed_by=coordinator, idempotency_key=ledger.new_key())
    assert _pot_balance(riverside_defaults) == 0
    assert not Transfer.objects.filter(kind="pot_grant", status="posted").exclude(
        entries__amount=120).exists()


def test_organisation_floor_stops_an_organisation_issuing_without_end(riverside, coordinator, member,
                                                                      second_member):
    update_community_settings(riverside, actor=None, organisation_floor_minutes=-120)
    riverside.refresh_from_db()
    surgery = partners.save_organisation(community=riverside, actor=coordinator, name="Surgery", type="health")
    alice, bob = (Membership.objects.get(user=u) for u in (member, second_member))
    ledger.record_group_exchange(community=riverside, givers=[(alice, 120)], receivers=[surgery],
                                 performed_on=timezone.localdate(), keyed_by=coordinator,
                                 idempotency_key=ledger.new_key())
    with pytest.raises(Exception, match="Surgery below their lowest balance of −2 hours"):
        ledger.record_group_exchange(community=riverside, givers=[(bob, 15)], receivers=[surgery],
                                     performed_on=timezone.localdate(), keyed_by=coordinator,
                                     idempotency_key=ledger.new_key())
    assert ledger.account_for_organisation(surgery).balance == -120


def test_partner_staff_signing_themselves_up_waits_for_a_coordinator(client, riverside, coordinator, staff,
                                                                     surgery):
    opportunity = partners.post_opportunity(surgery, actor=staff, title="Flu clinic helper",
                                            starts_on=timezone.localdate(), places_needed=3)
    own = membership(staff, riverside)
    client.force_login(staff)
    client.post(reverse("partners:sign_up", args=[riverside.slug, opportunity.pk]))
    signup = Signup.objects.get(opportunity=opportunity, membership=own)
    url = reverse("partners:attendance", args=[riverside.slug, opportunity.pk])
    token = client.get(url).context["form"].initial["token"]
    response = client.post(url, {"token": token, "performed_on": timezone.localdate().isoformat(),
                                 f"minutes_{signup.pk}": "8 hours"}, follow=True)
    assert "wait for a coordinator" in response.text
    transfer = Transfer.objects.get(community=riverside, kind="group")
    assert transfer.status == TransferStatus.HELD and transfer.hold_reason == "self_dealing"
    assert ledger.account_for_membership(own).balance == 0
    assert ledger.account_for_organisation(surgery).balance == 0


def test_over_the_ceiling_waits_unless_a_coordinator_keyed_it(riverside, coordinator, staff, surgery, member):
    alice = Membership.objects.get(user=member)
    opportunity = partners.post_opportunity(surgery, actor=staff, title="Garden day",
                                            starts_on=timezone.localdate(), places_needed=3)
    partners.sign_up(opportunity, membership=alice, actor=member)
    transfer = partners.confirm_attendance(opportunity, actor=staff, attended=[(alice, 9 * 60)],
                                           performed_on=timezone.localdate(), idempotency_key=ledger.new_key())
    assert transfer.status == TransferStatus.HELD and transfer.hold_reason == "over_ceiling"
    assert "would be credited 9 hours; the ceiling is 8 hours" in transfer.hold_detail
    # The same amount keyed by a coordinator is the coordinator's own decision.
    posted = ledger.record_group_exchange(community=riverside, givers=[(alice, 9 * 60)], receivers=[surgery],
                                          performed_on=timezone.localdate(), keyed_by=coordinator,
                                          idempotency_key=ledger.new_key())
    assert posted.status == TransferStatus.POSTED


def test_opportunities_cannot_be_backdated_or_credited_outside_their_dates(riverside, coordinator, staff, surgery,
                                                                          member):
    today = timezone.localdate()
    with pytest.raises(Exception, match="at most 7 days after it started"):
        partners.post_opportunity(surgery, actor=staff, title="Old", starts_on=today - datetime.timedelta(days=40))
    older = partners.post_opportunity(surgery, actor=coordinator, title="Paper record",
                                      starts_on=today - datetime.timedelta(days=40))
    assert older.pk
    opportunity = partners.post_opportunity(surgery, actor=staff, title="Today", starts_on=today)
    alice = Membership.objects.get(user=member)
    partners.sign_up(opportunity, membership=alice, actor=member)
    with pytest.raises(Exception, match="Give a date the opportunity ran"):
        partners.confirm_attendance(opportunity, actor=staff, attended=[(alice, 60)],
                                    performed_on=datetime.date(1, 1, 1), idempotency_key=ledger.new_key())
    assert not Transfer.objects.exists()


def test_approval_needs_a_second_coordinator_and_is_audited(riverside, coordinator, member):
    other = testing.make_person("cass@example.org", "Cass Second")
    testing.join(other, riverside, role=Role.COORDINATOR)
    own = testing.join(coordinator, riverside) if not Membership.objects.filter(user=coordinator).exists() \
        else Membership.objects.get(user=coordinator)
    transfer = ledger.grant_from_pot(community=riverside, to=own, minutes=60, reason="my own",
                                     keyed_by=coordinator, idempotency_key=ledger.new_key())
    assert transfer.status == TransferStatus.HELD and transfer.hold_reason == "self_dealing"
    with pytest.raises(Exception, match="Another coordinator must approve what you recorded"):
        ledger.approve_transfer(transfer, approver=coordinator)
    with pytest.raises(Exception, match="Only a coordinator"):
        ledger.approve_transfer(transfer, approver=member)
    with pytest.raises(Exception, match="Say why"):
        ledger.decline_held_transfer(transfer, approver=other, reason="  ")
    ledger.approve_transfer(transfer, approver=other)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.POSTED and transfer.settled_by == other
    entry = AuditEntry.objects.get(action=AuditAction.TRANSFER_APPROVED)
    assert entry.actor == other and entry.detail["transfer"] == transfer.pk
    with pytest.raises(Exception, match="no longer waiting"):
        ledger.approve_transfer(transfer, approver=other)


def test_declining_posts_nothing_and_tells_the_recorder(client, riverside, coordinator, mallory, friend):
    other = testing.make_person("cass@example.org", "Cass Second")
    testing.join(other, riverside, role=Role.COORDINATOR)
    testing.enable_totp(other)
    transfer = ledger.record_group_exchange(community=riverside, givers=[(mallory, 60)],
                                            receivers=[ledger.pot_for(riverside)], performed_on=timezone.localdate(),
                                            keyed_by=mallory.user, idempotency_key=ledger.new_key(),
                                            authority="leads Knit and natter")
    client.force_login(other)
    url = reverse("ledger:decline_held", args=[riverside.slug, transfer.pk])
    response = client.post(url, {"reason": ""}, follow=True)
    assert "Say why it is declined" in response.text
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.HELD
    client.post(url, {"reason": "No such session took place"})
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DECLINED and transfer.decline_reason == "No such session took place"
    assert not transfer.entries.exists()
    assert AuditEntry.objects.get(action=AuditAction.TRANSFER_DECLINED).detail["reason"] == \
        "No such session took place"
    client.force_login(mallory.user)
    assert client.get(reverse("ledger:approvals", args=[riverside.slug])).status_code == 403


def test_the_queue_counts_by_reason(client, riverside, coordinator, mallory, friend, member):
    for who in (mallory, friend):
        ledger.record_group_exchange(community=riverside, givers=[(who, 60)], receivers=[ledger.pot_for(riverside)],
                                     performed_on=timezone.localdate(), keyed_by=who.user,
                                     idempotency_key=ledger.new_key(), authority="leads a group")
    client.force_login(coordinator)
    page = client.get(reverse("ledger:approvals", args=[riverside.slug])).text
    assert "2 transfers are waiting for a coordinator." in page
    assert "<strong>2</strong> credits from the pot or an organisation to the person who recorded them" in page
    dashboard = client.get(reverse("members:coordinate", args=[riverside.slug])).text
    assert "<strong>2</strong> credits waiting for approval" in dashboard


def test_the_bulk_path_refuses_what_it_cannot_hold(riverside, coordinator, member):
    alice = Membership.objects.get(user=member)
    pot = ledger.pot_for(riverside)
    own = ledger.account_for_membership(alice)
    row = ledger.BulkRow(own.pk, pot.pk, 60, timezone.localdate(), "self")
    with pytest.raises(Exception, match="credits the person importing it"):
        ledger.bulk_post_exchanges(riverside, [row], keyed_by=member)
    big = ledger.BulkRow(own.pk, pot.pk, 9 * 60, timezone.localdate(), "big")
    with pytest.raises(Exception, match="over the community's ceiling"):
        ledger.bulk_post_exchanges(riverside, [big], keyed_by=testing.make_person("x@example.org", "X"))
    assert not Transfer.objects.exists()


def test_facilitators_appointed_by_a_facilitator_before_the_rule_wait(riverside, coordinator, mallory, friend):
    """A role given before only coordinators and hosts could (no ``appointed_by``): approval first."""
    group = testing.accept_invitations(groups.create_group(community=riverside, actor=coordinator,
                                                           name="Old group", facilitators=[mallory]))
    GroupMember.objects.create(group=group, membership=friend, role="facilitator")  # the old way
    start = timezone.now() - datetime.timedelta(hours=2)
    session = groups.add_session(group, actor=coordinator, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                                 capacity=5, place="Hall")
    transfer = groups.record_attendance(session, actor=coordinator, present=[mallory, friend],
                                        idempotency_key=ledger.new_key())
    assert transfer.status == TransferStatus.HELD and transfer.hold_reason == "appointment"
    assert "Fred Friend" in transfer.hold_detail


QUEUE_MATRIX = [
    # anon, outsider, member, other_member, coordinator, other_coordinator, site_admin
    ("/c/riverside/coordinate/approvals/", ("login", 403, 403, 403, 200, 403, 200)),
]


@pytest.mark.parametrize("url,expected", QUEUE_MATRIX)
def test_queue_permission_matrix(url, expected, request, subtests, riverside, member, outsider, other_member,
                                 coordinator, other_coordinator, site_admin):
    for _persona, status, isolated in testing.each_persona(request, subtests, expected):
        with isolated as client:
            testing.assert_status(client.get(url), status)


@pytest.mark.parametrize("action", ["approve", "decline_held"])
def test_queue_actions_by_every_persona(action, request, subtests, riverside, hilltop, member, outsider,
                                        other_member, coordinator, other_coordinator, site_admin, mallory):
    transfer = ledger.record_group_exchange(community=riverside, givers=[(mallory, 60)],
                                            receivers=[ledger.pot_for(riverside)], performed_on=timezone.localdate(),
                                            keyed_by=mallory.user, idempotency_key=ledger.new_key(),
                                            authority="leads a group")
    url = reverse(f"ledger:{action}", args=["riverside", transfer.pk])
    expected = ("login", 403, 403, 403, 302, 403, 302)
    for persona, status, isolated in testing.each_persona(request, subtests, expected):
        with isolated as client:
            response = client.post(url, {"reason": "not agreed"})
            testing.assert_status(response, status)
            after = Transfer.objects.get(pk=transfer.pk).status
            if persona in ("coordinator", "site_admin"):
                assert after == ("posted" if action == "approve" else "declined")
            else:
                assert after == "held"
    # Another community's coordinator cannot reach it by its id under their own community either.
    client = testing.Client()
    client.force_login(other_coordinator)
    assert client.post(reverse(f"ledger:{action}", args=["hilltop", transfer.pk])).status_code == 404


def test_two_sessions_of_a_group_cannot_overlap(riverside, coordinator, mallorys_group):
    """Otherwise one afternoon could be registered, and paid, twice."""
    start = timezone.now() - datetime.timedelta(hours=3)
    groups.add_session(mallorys_group, actor=coordinator, starts_at=start, ends_at=start + datetime.timedelta(hours=2),
                       capacity=5, place="Hall")
    with pytest.raises(Exception, match="already has a session at that time"):
        groups.add_session(mallorys_group, actor=coordinator, starts_at=start + datetime.timedelta(hours=1),
                           ends_at=start + datetime.timedelta(hours=4), capacity=5, place="Hall")
    assert Session.objects.filter(group=mallorys_group).count() == 1


def test_a_coordinator_sets_an_exception_to_the_pots_floor(client, riverside_defaults, coordinator, member,
                                                            other_coordinator, hilltop):
    pot = ledger.pot_for(riverside_defaults)
    url = reverse("ledger:account_limits", args=[riverside_defaults.slug, pot.pk])
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(other_coordinator)
    assert client.get(url).status_code == 403
    assert client.get(reverse("ledger:account_limits", args=["hilltop", pot.pk])).status_code == 404
    client.force_login(coordinator)
    response = client.post(url, {"min_minutes": "-10", "max_minutes": "", "reason": ""})
    assert "Give a reason" in response.text
    client.post(url, {"min_minutes": "-10", "max_minutes": "", "reason": "Council grant agreed in advance"})
    pot.refresh_from_db()
    assert pot.min_limit == -600
    assert AuditEntry.objects.filter(action=AuditAction.LIMIT_EXCEPTION, subject="Community pot").exists()
    alice = Membership.objects.get(user=member)
    ledger.grant_from_pot(community=riverside_defaults, to=alice, minutes=600, reason="needs help",
                          keyed_by=coordinator, idempotency_key=ledger.new_key())
    assert ledger.pot_for(riverside_defaults).balance == -600
    assert check_ledger(riverside_defaults)[1] == []
