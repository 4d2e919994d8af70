"""Referrals (social prescribing): partner staff refer, coordinators move each referral on."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.ledger.services import community_today, is_coordinator
from coproduce.members.models import Membership
from coproduce.partners.models import Organisation
from coproduce.partners.permissions import is_active_staff
from coproduce.referrals.models import (
    STEP_ORDER,
    ClosedReason,
    Reason,
    Referral,
    ReferralStep,
    Signpost,
    SignpostHow,
    Step,
)


@transaction.atomic
def make_referral(organisation: Organisation, *, actor, reason: str, consent: bool, note: str = "",
                  membership: Membership | None = None, name: str = "", contact: str = "",
                  group=None, service=None, received_on: datetime.date | None = None) -> Referral:
    """Active staff of the organisation refer a member, or someone new, with their consent.

    ``received_on`` (default today) dates the first step, for referrals entered after the event.
    """
    community = organisation.community
    if not is_active_staff(actor, organisation):
        raise ValidationError(_("Only %(organisation)s's own staff can refer on its behalf.")
                              % {"organisation": organisation.name})
    errors = {}
    if reason not in Reason.values:
        errors["reason"] = _("Choose a reason from the list.")
    if not consent:
        errors["consent"] = _("Ask the person first: a referral needs their consent.")
    if membership is None and not name.strip():
        errors["name"] = _("Choose a member, or give the name of someone new.")
    if membership is not None and (membership.community_id != community.pk or not membership.is_active):
        errors["member"] = _("Choose an active member of this community.")
    if group is not None and group.community_id != community.pk:
        errors["group"] = _("Choose one of this community's groups.")
    if service is not None and (service.community_id != community.pk or not service.active):
        errors["service"] = _("Choose a service listed in this community's directory.")
    if group is not None and service is not None:
        errors["service"] = _("Refer to a group or to a service, not both.")
    received_on = received_on or community_today(community)
    if received_on > community_today(community):
        errors["received_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    referral = Referral.objects.create(
        community=community, organisation=organisation, referred_by=actor, membership=membership,
        name="" if membership else name.strip(), contact="" if membership else contact.strip(),
        consent_recorded_at=timezone.now(), group=group, service=service, reason=reason, note=note.strip())
    ReferralStep.objects.create(referral=referral, step=Step.RECEIVED, on=received_on, recorded_by=actor)
    # The reason and note stay out of the audit log: coordinators' log views are wider than the referral.
    record_audit(actor=actor, action=AuditAction.REFERRAL_MADE, community=community,
                 on_behalf_of=membership.user if membership else None, subject=str(referral))
    return referral


@transaction.atomic
def advance_referral(referral: Referral, *, actor, step: str, on: datetime.date | None = None,
                     membership: Membership | None = None, closed_reason: str = "") -> Referral:
    """A coordinator moves a referral to a later step (dated), linking the person when they join."""
    referral = Referral.objects.select_for_update(of=("self",)).select_related("community").get(pk=referral.pk)
    community = referral.community
    if not is_coordinator(actor, community):
        raise ValidationError(_("Only coordinators can move a referral on."))
    if step not in Step.values:
        raise ValidationError({"step": _("Choose a step from the list.")})
    if referral.step == Step.CLOSED:
        raise ValidationError(_("This referral is closed."))
    if STEP_ORDER.index(step) <= STEP_ORDER.index(referral.step):
        raise ValidationError({"step": _("Choose a step after “%(step)s”.") % {"step": referral.get_step_display()}})
    on = on or community_today(community)
    last = referral.steps.order_by("-on").values_list("on", flat=True).first()
    if on > community_today(community):
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if last and on < last:
        raise ValidationError({"on": _("The date cannot be before the previous step.")})
    if membership is not None:
        if membership.community_id != community.pk:
            raise ValidationError({"member": _("Choose a member of this community.")})
        referral.membership = membership
    if step in (Step.JOINED, Step.FIRST_EXCHANGE) and referral.membership_id is None:
        raise ValidationError({"member": _("Link the person to their membership first.")})
    if step == Step.CLOSED:
        if closed_reason not in ClosedReason.values:
            raise ValidationError({"closed_reason": _("Choose why the referral is closed.")})
        referral.closed_reason = closed_reason
    elif closed_reason:
        raise ValidationError({"closed_reason": _("Only a closed referral has a closing reason.")})
    referral.step = step
    referral.save(update_fields=["step", "membership", "closed_reason"])
    if step == Step.JOINED and referral.group_id:
        from coproduce.groups.services import welcome_referred

        welcome_referred(referral.group, membership=referral.membership)
    ReferralStep.objects.create(referral=referral, step=step, on=on, recorded_by=actor)
    record_audit(actor=actor, action=AuditAction.REFERRAL_STEP, community=community,
                 on_behalf_of=referral.membership.user if referral.membership_id else None,
                 subject=str(referral), step=step)
    return referral


@transaction.atomic
def signpost(organisation: Organisation, *, actor, service, how: str, reason: str) -> Signpost:
    """Staff gave someone a directory service's details (printed or sent), without a referral:
    counted in the referral figures, holding nothing about the person."""
    community = organisation.community
    if not is_active_staff(actor, organisation):
        raise ValidationError(_("Only %(organisation)s's own staff can signpost on its behalf.")
                              % {"organisation": organisation.name})
    errors = {}
    if service.community_id != community.pk or not service.active:
        errors["service"] = _("Choose a service listed in this community's directory.")
    if how not in SignpostHow.values:
        errors["how"] = _("Say whether you printed the details or sent them.")
    if reason not in Reason.values:
        errors["reason"] = _("Choose a reason from the list.")
    if errors:
        raise ValidationError(errors)
    return Signpost.objects.create(community=community, organisation=organisation, made_by=actor, service=service,
                                   how=how, reason=reason)
