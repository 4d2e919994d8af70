"""Every write about partner organisations: staff, opportunities, listings and exchanges.

Credits move only through the ledger's services: confirmed attendance is one group
exchange (many givers → the organisation), buying a listing is an exchange keyed by the
member who receives, an agency-to-agency exchange is keyed by a coordinator or by staff of
the receiving organisation.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.communities.models import Community
from coproduce.ledger import services as ledger
from coproduce.ledger.models import Transfer, TransferStatus
from coproduce.lib.duration import format_duration
from coproduce.members.models import Membership
from coproduce.partners import rewards
from coproduce.partners.models import (
    WEEKDAY_NAMES,
    Listing,
    Opportunity,
    OpportunityStatus,
    Organisation,
    RedemptionVia,
    Signup,
    Staff,
)
from coproduce.partners.permissions import manager_authority

ORGANISATION_FIELDS = ("name", "type", "area", "description", "contact_name", "contact_email", "contact_phone")
OPPORTUNITY_FIELDS = ("title", "description", "place", "starts_on", "ends_on", "times", "places_needed",
                      "expected_minutes", "check_required")


def _is_coordinator(user, community: Community) -> bool:
    return ledger.is_coordinator(user, community)


def _require_manager(user, organisation: Organisation) -> str:
    """The authority under which ``user`` acts for the organisation; refuse anyone else."""
    return manager_authority(user, organisation)


# ---------------------------------------------------------------------------- organisations


@transaction.atomic
def save_organisation(*, community: Community, actor, organisation: Organisation | None = None,
                      **fields) -> Organisation:
    """Add a partner organisation (coordinators) or change one (coordinators and its staff)."""
    if organisation is None:
        if not _is_coordinator(actor, community):
            raise ValidationError(_("Only coordinators can add a partner organisation."))
        organisation = Organisation(community=community)
    else:
        _require_manager(actor, organisation)
    name = (fields.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the organisation's name.")})
    area = fields.get("area")
    if area is not None and area.community_id != community.pk:
        raise ValidationError({"area": _("Choose one of this community's areas.")})
    duplicate = Organisation.objects.filter(community=community, name__iexact=name).exclude(pk=organisation.pk)
    if duplicate.exists():
        raise ValidationError({"name": _("%(name)s is already a partner here.") % {"name": name}})
    for field in ORGANISATION_FIELDS:
        if field in fields:
            setattr(organisation, field, fields[field])
    organisation.name = name
    organisation.save()
    ledger.account_for_organisation(organisation)
    record_audit(actor=actor, action=AuditAction.ORGANISATION_SAVED, community=community,
                 subject=organisation.name, organisation=organisation.pk)
    return organisation


@transaction.atomic
def add_staff(organisation: Organisation, *, actor, membership: Membership, job_title: str = "",
              started_on: datetime.date | None = None) -> Staff:
    """Make a member of the community staff of the organisation (coordinators only).

    Staff keep their membership: they may give and receive as ordinary members too.
    """
    if not _is_coordinator(actor, organisation.community):
        raise ValidationError(_("Only coordinators can add partner staff."))
    if membership.community_id != organisation.community_id or not membership.is_active:
        raise ValidationError({"member": _("Choose an active member of this community.")})
    if Staff.objects.filter(organisation=organisation, user_id=membership.user_id, left_on__isnull=True).exists():
        raise ValidationError({"member": _("%(name)s is already staff of %(organisation)s.")
                               % {"name": membership.user.name, "organisation": organisation.name}})
    staff = Staff.objects.create(organisation=organisation, user_id=membership.user_id, job_title=job_title.strip(),
                                 started_on=started_on or timezone.localdate())
    record_audit(actor=actor, action=AuditAction.STAFF_ADDED, community=organisation.community,
                 on_behalf_of=membership.user, subject=str(staff), organisation=organisation.pk)
    return staff


@transaction.atomic
def end_staff(staff: Staff, *, actor, left_on: datetime.date | None = None) -> Staff:
    """Record that someone left the organisation: from that day they lose its access."""
    staff = Staff.objects.select_for_update(of=("self",)).select_related("organisation__community", "user").get(pk=staff.pk)
    if not _is_coordinator(actor, staff.organisation.community):
        raise ValidationError(_("Only coordinators can record that staff have left."))
    if staff.left_on is not None:
        raise ValidationError(_("%(name)s has already left.") % {"name": staff.user.name})
    staff.left_on = max(left_on or timezone.localdate(), staff.started_on)
    staff.save(update_fields=["left_on"])
    record_audit(actor=actor, action=AuditAction.STAFF_LEFT, community=staff.organisation.community,
                 on_behalf_of=staff.user, subject=str(staff), organisation=staff.organisation_id)
    return staff


# ---------------------------------------------------------------------------- opportunities


@transaction.atomic
def post_opportunity(organisation: Organisation, *, actor, **fields) -> Opportunity:
    """Staff (or a coordinator) post a way members can contribute."""
    _require_manager(actor, organisation)
    opportunity = Opportunity(organisation=organisation, created_by=actor)
    _set_opportunity_fields(opportunity, actor, fields)
    opportunity.save()
    record_audit(actor=actor, action=AuditAction.OPPORTUNITY_POSTED, community=organisation.community,
                 subject=opportunity.title, opportunity=opportunity.pk)
    return opportunity


@transaction.atomic
def change_opportunity(opportunity: Opportunity, *, actor, **fields) -> Opportunity:
    """Staff (or a coordinator) correct an opportunity, for example to give it an expected time."""
    opportunity = Opportunity.objects.select_for_update(of=("self",)).select_related("organisation__community").get(
        pk=opportunity.pk)
    _require_manager(actor, opportunity.organisation)
    if opportunity.status != OpportunityStatus.OPEN:
        raise ValidationError(_("This opportunity has been cancelled."))
    signed_up = opportunity.signups.count()
    if fields.get("places_needed") is not None and fields["places_needed"] < signed_up:
        raise ValidationError({"places_needed": ngettext(
            "%(n)d person has already signed up.", "%(n)d people have already signed up.", signed_up)
            % {"n": signed_up}})
    before = {name: getattr(opportunity, name) for name in OPPORTUNITY_FIELDS}
    _set_opportunity_fields(opportunity, actor, fields, check_date=fields.get("starts_on") != opportunity.starts_on)
    opportunity.save()
    changed = sorted(name for name in OPPORTUNITY_FIELDS if getattr(opportunity, name) != before[name])
    record_audit(actor=actor, action=AuditAction.OPPORTUNITY_CHANGED, community=opportunity.organisation.community,
                 subject=opportunity.title, opportunity=opportunity.pk, changed=changed)
    return opportunity


def _set_opportunity_fields(opportunity: Opportunity, actor, fields: dict, *, check_date: bool = True) -> None:
    for name in OPPORTUNITY_FIELDS:
        if name in fields:
            setattr(opportunity, name, fields[name])
    opportunity.title = (opportunity.title or "").strip()
    if not opportunity.title:
        raise ValidationError({"title": _("Give the opportunity a title.")})
    if opportunity.ends_on and opportunity.ends_on < opportunity.starts_on:
        raise ValidationError({"ends_on": _("The last date cannot be before the first.")})
    if check_date:
        _check_not_backdated(opportunity.organisation.community, actor, opportunity.starts_on)
    if not opportunity.places_needed or opportunity.places_needed < 1:
        raise ValidationError({"places_needed": _("At least one person is needed.")})
    if opportunity.expected_minutes is not None:
        try:
            ledger.check_minutes(opportunity.expected_minutes)
        except ValidationError as error:
            raise ValidationError({"expected_minutes": error.messages}) from None


def _check_not_backdated(community: Community, actor, starts_on: datetime.date) -> None:
    """Confirmed time at an opportunity is credited from the organisation, so only a coordinator
    enters one older than the community allows; nothing starts before the time bank did."""
    if starts_on < community.started_on:
        raise ValidationError({"starts_on": _("The date cannot be before the time bank started.")})
    oldest = ledger.community_today(community) - datetime.timedelta(days=community.backdate_days)
    if starts_on < oldest and not _is_coordinator(actor, community):
        raise ValidationError({"starts_on": _(
            "An opportunity can be posted at most %(days)s days after it started; ask a coordinator to add "
            "an older one.") % {"days": community.backdate_days}})


@transaction.atomic
def cancel_opportunity(opportunity: Opportunity, *, actor) -> Opportunity:
    opportunity = Opportunity.objects.select_for_update(of=("self",)).select_related("organisation__community").get(
        pk=opportunity.pk)
    _require_manager(actor, opportunity.organisation)
    opportunity.status = OpportunityStatus.CANCELLED
    opportunity.save(update_fields=["status"])
    record_audit(actor=actor, action=AuditAction.OPPORTUNITY_CANCELLED,
                 community=opportunity.organisation.community, subject=opportunity.title)
    return opportunity


def _check_safeguarding(opportunity: Opportunity, membership: Membership) -> None:
    if not opportunity.check_required:
        return
    from coproduce.safeguarding.services import checked_membership_ids

    if membership.pk not in checked_membership_ids([membership.pk], opportunity.check_required):
        raise ValidationError(
            _("%(title)s needs a valid %(check)s, and %(name)s does not have one on record.")
            % {"title": opportunity.title, "check": opportunity.get_check_required_display(),
               "name": membership.user.name})


@transaction.atomic
def sign_up(opportunity: Opportunity, *, membership: Membership, actor) -> Signup:
    """A member signs up (or a coordinator signs them up). Refused when full or cancelled."""
    opportunity = Opportunity.objects.select_for_update(of=("self",)).select_related("organisation__community").get(
        pk=opportunity.pk)
    community = opportunity.organisation.community
    acting_for = actor.pk != membership.user_id
    if acting_for and not _is_coordinator(actor, community):
        raise ValidationError(_("Only coordinators can sign someone else up."))
    if membership.community_id != community.pk or not membership.is_active:
        raise ValidationError({"member": _("Choose an active member of this community.")})
    if opportunity.status != OpportunityStatus.OPEN:
        raise ValidationError(_("This opportunity has been cancelled."))
    if opportunity.signups.filter(membership=membership).exists():
        raise ValidationError(_("%(name)s is already signed up.") % {"name": membership.user.name})
    if opportunity.signups.count() >= opportunity.places_needed:
        raise ValidationError(_("This opportunity is full."))
    _check_safeguarding(opportunity, membership)
    signup = Signup.objects.create(opportunity=opportunity, membership=membership, signed_up_by=actor)
    if acting_for:
        record_audit(actor=actor, action=AuditAction.SIGNED_UP_FOR, community=community,
                     on_behalf_of=membership.user, subject=opportunity.title)
    return signup


@transaction.atomic
def withdraw_signup(signup: Signup, *, actor) -> None:
    """The member (or a coordinator) takes a sign-up back, before attendance is confirmed."""
    signup = Signup.objects.select_for_update(of=("self",)).select_related("opportunity__organisation__community",
                                                               "membership").get(pk=signup.pk)
    community = signup.opportunity.organisation.community
    if actor.pk != signup.membership.user_id and not _is_coordinator(actor, community):
        raise ValidationError(_("You can only take back your own sign-up."))
    if signup.transfer_id:
        raise ValidationError(_("Attendance has already been confirmed."))
    signup.delete()


@transaction.atomic
def confirm_attendance(opportunity: Opportunity, *, actor, attended: Sequence[tuple[Membership, int]],
                       performed_on: datetime.date, idempotency_key: str) -> Transfer:
    """Staff confirm who came and for how long; the ledger credits each person in one group
    exchange (many givers → the organisation's account). Nothing is written on any error."""
    opportunity = Opportunity.objects.select_for_update(of=("self",)).select_related("organisation__community").get(
        pk=opportunity.pk)
    organisation = opportunity.organisation
    authority = _require_manager(actor, organisation)
    already = Transfer.objects.filter(community=organisation.community, idempotency_key=idempotency_key).first()
    if already is not None:  # a double submit: the first one stands
        return already
    if opportunity.status != OpportunityStatus.OPEN:
        raise ValidationError(_("This opportunity has been cancelled."))
    if not attended:
        raise ValidationError(_("Enter the time of at least one person who came."))
    last_day = min(opportunity.ends_on or opportunity.starts_on, ledger.community_today(organisation.community))
    if not opportunity.starts_on <= performed_on <= last_day:
        raise ValidationError({"performed_on": _("Give a date the opportunity ran, from %(first)s to %(last)s.")
                               % {"first": date_format(opportunity.starts_on, "j F Y"),
                                  "last": date_format(last_day, "j F Y")}})
    signups = {s.membership_id: s for s in opportunity.signups.select_for_update(of=("self",)).select_related("membership__user")}
    for membership, _minutes in attended:
        signup = signups.get(membership.pk)
        if signup is None:
            raise ValidationError(_("%(name)s did not sign up for %(title)s.")
                                  % {"name": membership.user.name, "title": opportunity.title})
        if signup.transfer_id:
            raise ValidationError(_("%(name)s's time has already been confirmed.") % {"name": membership.user.name})
    transfer = ledger.record_group_exchange(
        community=organisation.community, givers=list(attended), receivers=[organisation],
        performed_on=performed_on, keyed_by=actor, idempotency_key=idempotency_key,
        description=opportunity.title, authority=authority)
    for membership, minutes in attended:
        signup = signups[membership.pk]
        signup.minutes, signup.transfer = minutes, transfer
        signup.save(update_fields=["minutes", "transfer"])
    record_audit(actor=actor, action=AuditAction.ATTENDANCE_CONFIRMED, community=organisation.community,
                 subject=opportunity.title, transfer=transfer.pk, people=len(attended))
    return transfer


@dataclass
class EveryoneCame:
    """What "Everyone came" did: who was credited (in one transfer), and who was skipped and why."""

    transfer: Transfer | None
    minutes: int
    credited: list[Membership] = dataclasses.field(default_factory=list)
    skipped: list[tuple[Membership, str]] = dataclasses.field(default_factory=list)
    repeated: bool = False  # the same form sent twice: the first result is shown again


def _skip_reason(signup: Signup) -> str | None:
    """Why "Everyone came" leaves someone out, or None to credit them."""
    if signup.transfer_id:
        transfer = signup.transfer
        if transfer.status == TransferStatus.HELD:
            return _("their time already waits for a coordinator's approval")
        if transfer.status == TransferStatus.DECLINED:
            return _("a coordinator declined their time; record it one by one if they did come")
        return _("already credited %(time)s on %(date)s") % {
            "time": format_duration(signup.minutes or 0), "date": date_format(transfer.performed_on, "j F Y")}
    if not signup.membership.is_active:
        return _("no longer a member here")
    return None


@transaction.atomic
def confirm_everyone_came(opportunity: Opportunity, *, actor, performed_on: datetime.date,
                          idempotency_key: str) -> EveryoneCame:
    """Staff say everyone who signed up came: each person not yet credited is credited the
    opportunity's expected time, in one group exchange through ``confirm_attendance`` (so the
    ledger's floors, ceilings and approvals apply exactly as when time is entered one by one).

    People already credited (or held, or declined) and people who have left are skipped, with the
    reason. Pressing it twice credits nobody twice: the same form returns the first result, and a
    fresh one finds nobody left to credit. Nothing is written on any error.
    """
    opportunity = Opportunity.objects.select_for_update(of=("self",)).select_related("organisation__community").get(
        pk=opportunity.pk)
    organisation = opportunity.organisation
    _require_manager(actor, organisation)
    signups = list(opportunity.signups.select_for_update(of=("self",))
                   .select_related("membership__user", "transfer").order_by("membership__user__name", "pk"))
    already = Transfer.objects.filter(community=organisation.community, idempotency_key=idempotency_key).first()
    if already is not None:
        credited = [s.membership for s in signups if s.transfer_id == already.pk]
        return EveryoneCame(already, opportunity.expected_minutes or 0, credited, [], repeated=True)
    if opportunity.status != OpportunityStatus.OPEN:
        raise ValidationError(_("This opportunity has been cancelled."))
    if not opportunity.expected_minutes:
        raise ValidationError(_("%(title)s has no expected time, so enter each person's time below.")
                              % {"title": opportunity.title})
    result = EveryoneCame(None, opportunity.expected_minutes)
    for signup in signups:
        reason = _skip_reason(signup)
        if reason:
            result.skipped.append((signup.membership, reason))
        else:
            result.credited.append(signup.membership)
    if not signups:
        raise ValidationError(_("Nobody has signed up for %(title)s.") % {"title": opportunity.title})
    if result.credited:
        result.transfer = confirm_attendance(
            opportunity, actor=actor, attended=[(m, opportunity.expected_minutes) for m in result.credited],
            performed_on=performed_on, idempotency_key=idempotency_key)
    return result


# ---------------------------------------------------------------------------- spending and agencies


LISTING_LIMITS = ("stock", "daily_cap", "per_member_per_month", "days", "opens_at", "closes_at",
                  "available_until", "minimum_age")


@transaction.atomic
def save_listing(organisation: Organisation, *, actor, title: str, description: str, minutes: int,
                 **limits) -> Listing:
    """Staff list something members can spend credits on at the organisation, with any of the
    limits in ``LISTING_LIMITS`` (checked by ``rewards.refusal`` at every spend)."""
    _require_manager(actor, organisation)
    ledger.check_minutes(minutes, cap=None)
    if not title.strip():
        raise ValidationError({"title": _("Give it a title.")})
    unknown = set(limits) - set(LISTING_LIMITS)
    if unknown:
        raise TypeError(f"unknown listing limits: {sorted(unknown)}")
    opens_at, closes_at = limits.get("opens_at"), limits.get("closes_at")
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The end must be after the start.")})
    days = limits.get("days") or []
    if any(day not in WEEKDAY_NAMES for day in days):
        raise ValidationError({"days": _("Choose days of the week.")})
    limits["days"] = [day for day in WEEKDAY_NAMES if day in days]
    return Listing.objects.create(organisation=organisation, title=title.strip(), description=description,
                                  minutes=minutes, **limits)


def buy_listing(listing: Listing, *, membership: Membership, actor, idempotency_key: str) -> Transfer:
    """A member spends credits on a listing online: the organisation gives, the member receives and
    pays, within the listing's limits (``rewards.redeem_listing``)."""
    if actor.pk != membership.user_id:
        raise ValidationError(_("Members spend their own credits."))
    return rewards.redeem_listing(listing, membership=membership, actor=actor, via=RedemptionVia.ONLINE,
                                  idempotency_key=idempotency_key).transfer


def give_to_pot(organisation: Organisation, *, actor, minutes: int, idempotency_key: str,
                description: str = "") -> Transfer:
    """The organisation passes credits it earned on to the community's pot (a community cause),
    by its own staff or a coordinator."""
    authority = _require_manager(actor, organisation) or _("a coordinator")
    return ledger.give_credits(community=organisation.community, giver=organisation, to=None, minutes=minutes,
                               keyed_by=actor, idempotency_key=idempotency_key,
                               description=description or _("Passed on by %(name)s") % {"name": organisation.name},
                               authority=authority)


def record_time_for_community(organisation: Organisation, *, actor, minutes: int, performed_on: datetime.date,
                              description: str, idempotency_key: str) -> Transfer:
    """The organisation gave its time to the community (a free room for a group, its staff at a
    community event), recorded by its staff or a coordinator: the pot pays it once a coordinator
    approves, so a business earns credits by giving as well as by honouring them."""
    authority = _require_manager(actor, organisation) or _("a coordinator")
    return ledger.claim_from_pot(community=organisation.community, organisation=organisation, minutes=minutes,
                                 performed_on=performed_on, keyed_by=actor, idempotency_key=idempotency_key,
                                 description=description, authority=authority)


def record_agency_exchange(*, giver: Organisation, receiver: Organisation, minutes: int,
                           performed_on: datetime.date, description: str, actor,
                           idempotency_key: str) -> Transfer:
    """One organisation helped another; keyed by a coordinator or by staff of the receiver."""
    if giver.community_id != receiver.community_id:
        raise ValidationError(_("Both organisations must take part in this community."))
    if giver.pk == receiver.pk:
        raise ValidationError({"giver": _("Choose two different organisations.")})
    authority = _require_manager(actor, receiver)
    return ledger.record_exchange(
        community=receiver.community, giver=giver, receiver=receiver, minutes=minutes, performed_on=performed_on,
        keyed_by=actor, idempotency_key=idempotency_key, description=description, authority=authority)
