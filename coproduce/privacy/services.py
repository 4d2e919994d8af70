"""People's data rights (issue 20): copies of their data (asked for, made in the background, downloaded,
cleared) and requests to be erased (asked for, cancelled, confirmed; what erasure does is ``privacy.erasure``)."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task

from coproduce.accounts.emails import with_footer
from coproduce.accounts.models import User
from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.communities.languages import language_for
from coproduce.communities.models import Community
from coproduce.lib.personal_data import Basis, Purpose
from coproduce.members.models import Membership, MembershipStatus
from coproduce.privacy import archive
from coproduce.privacy.erasure import carry_out
from coproduce.privacy.models import EXPORT_KEPT, DataExport, ErasureRequest

log = logging.getLogger(__name__)
DEFAULT_COOLING_OFF_DAYS = 14  # for someone in no community any more


def clear_expired(now=None) -> int:
    """Delete the copies past their seven days (and any asked for that long ago and never made)."""
    cutoff = (now or timezone.now()) - EXPORT_KEPT
    deleted, _by_model = DataExport.objects.filter(requested_at__lt=cutoff).filter(
        finished_at__isnull=True).delete()
    gone, _by_model = DataExport.objects.filter(finished_at__lt=cutoff).delete()
    return deleted + gone


def request_copy(person, *, requested_by, community=None, reason: str = "") -> DataExport:
    """A copy of ``person``'s data, asked for by them or, for an assisted member, by a
    coordinator of ``community`` with a reason. A copy already being made for the same requester
    is returned instead of making a second one."""
    on_behalf = requested_by.pk != person.pk
    reason = reason.strip()
    if on_behalf and not reason:
        raise ValidationError({"reason": _("Say why you are asking for this member's data.")})
    with transaction.atomic():
        clear_expired()
        waiting = DataExport.objects.filter(person=person, requested_by=requested_by,
                                            status=DataExport.Status.PENDING).first()
        if waiting is not None:
            return waiting
        export = DataExport.objects.create(person=person, requested_by=requested_by, community=community,
                                           reason=reason if on_behalf else "", parts_total=archive.parts())
        record_audit(actor=requested_by,
                     action=AuditAction.DATA_COPY_REQUESTED_FOR if on_behalf else AuditAction.DATA_COPY_REQUESTED,
                     community=community, on_behalf_of=person if on_behalf else None, subject=person.name,
                     export=export.pk, **({"reason": reason} if on_behalf else {}))
        transaction.on_commit(lambda: make_copy.enqueue(export.pk))
    return export


@task()
def make_copy(export_id: int) -> None:
    """Build one asked-for copy, saving how far it has got as it goes, then e-mail whoever asked."""
    export = DataExport.objects.select_related("person", "requested_by", "community").filter(pk=export_id).first()
    if export is None or export.status != DataExport.Status.PENDING:
        return  # cleared, or made by an earlier run of a retried task

    def progress(done: int) -> None:
        DataExport.objects.filter(pk=export.pk).update(parts_done=min(done, export.parts_total))

    try:
        with translation.override(language_for(export.person, export.community)):
            export.archive = archive.build(export.person, progress=progress)
        export.status, export.parts_done = DataExport.Status.DONE, export.parts_total
    except Exception:  # the page must say it failed, not "being made" for ever
        log.exception("The copy of data %s could not be made.", export_id)
        export.status = DataExport.Status.FAILED
    export.finished_at = timezone.now()
    export.save(update_fields=["archive", "status", "parts_done", "finished_at"])
    _email_requester(export)


def _email_requester(export: DataExport) -> None:
    user = export.requested_by
    if not user.email:
        return
    link = settings.SITE_URL + reverse("privacy:copy", args=[export.pk])
    with translation.override(language_for(user, export.community)):
        ready = export.status == DataExport.Status.DONE
        subject = _("Your copy of the data is ready") if ready else _("Your copy of the data could not be made")
        body = with_footer(render_to_string("privacy/email/copy_ready.txt", {
            "user": user, "export": export, "ready": ready, "link": link,
            "expires_at": export.expires_at}))
    send_mail(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body, None, [user.email])


def downloaded(export: DataExport, *, by) -> bytes:
    """The archive, with an audit entry saying who took it."""
    record_audit(actor=by, action=AuditAction.DATA_COPY_DOWNLOADED, community=export.community,
                 on_behalf_of=export.person if export.person_id != by.pk else None, subject=export.person.name,
                 export=export.pk)
    return bytes(export.archive)


# Erasure: asked for, waited out, cancelled or confirmed. What it does is in ``privacy.erasure``.


def cooling_off_days(person) -> int:
    """The longest cooling-off period of the communities the person belongs to."""
    days = (Membership.objects.filter(user=person).exclude(status=MembershipStatus.LEFT)
            .aggregate(days=Max("community__erasure_cooling_off_days"))["days"])
    return DEFAULT_COOLING_OFF_DAYS if days is None else days


def open_erasure(person) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(person=person, status__in=[ErasureRequest.Status.WAITING,
                                                                    ErasureRequest.Status.ERASING]).first()


def request_erasure(person, *, requested_by, community=None, reason: str = "") -> ErasureRequest:
    """Ask for ``person`` to be erased after the cooling-off period: by themselves, or by a
    coordinator of ``community`` for an assisted member, saying why. Asking again returns the
    request already waiting."""
    on_behalf = requested_by.pk != person.pk
    reason = reason.strip()
    if on_behalf and not reason:
        raise ValidationError({"reason": _("Say why this member is to be erased.")})
    if not person.is_active:
        raise ValidationError(_("This person has already been erased."))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True).get()
        waiting = open_erasure(person)
        if waiting is not None:
            return waiting
        now = timezone.now()
        erasure = ErasureRequest.objects.create(
            person=person, requested_by=requested_by, reason=reason if on_behalf else "", requested_at=now,
            erasable_from=now + datetime.timedelta(days=cooling_off_days(person)))
        record_audit(actor=requested_by,
                     action=AuditAction.ERASURE_REQUESTED_FOR if on_behalf else AuditAction.ERASURE_REQUESTED,
                     community=community, on_behalf_of=person if on_behalf else None, subject=person.name,
                     erasure=erasure.pk, **({"reason": reason} if on_behalf else {}))
    return erasure


def may_cancel(erasure: ErasureRequest, user) -> bool:
    """The person, or (for an assisted member) a coordinator of one of their communities."""
    if erasure.status != ErasureRequest.Status.WAITING:
        return False
    if user.pk == erasure.person_id:
        return True
    return erasure.person.is_assisted and Membership.objects.coordinators().filter(
        user=user, community__memberships__user_id=erasure.person_id).exists()


@transaction.atomic
def cancel_erasure(erasure: ErasureRequest, *, by) -> ErasureRequest:
    erasure = ErasureRequest.objects.select_for_update().select_related("person").get(pk=erasure.pk)
    if not may_cancel(erasure, by):
        raise ValidationError(_("This request can no longer be cancelled."))
    erasure.status, erasure.cancelled_by, erasure.finished_at = ErasureRequest.Status.CANCELLED, by, timezone.now()
    erasure.save(update_fields=["status", "cancelled_by", "finished_at"])
    record_audit(actor=by, action=AuditAction.ERASURE_CANCELLED,
                 on_behalf_of=erasure.person if by.pk != erasure.person_id else None,
                 subject=erasure.person.name, erasure=erasure.pk)
    return erasure


def erasures_for(community):
    """The requests a coordinator of ``community`` sees: of people who belong or belonged to it."""
    return (ErasureRequest.objects.filter(person__memberships__community=community).distinct()
            .select_related("person", "requested_by").order_by("-requested_at"))


@transaction.atomic
def confirm_erasure(erasure: ErasureRequest, *, coordinator, community) -> ErasureRequest:
    """A coordinator of one of the person's communities confirms a request whose cooling-off period
    is over; the erasure itself runs in the background (``erasure.carry_out``)."""
    erasure = ErasureRequest.objects.select_for_update().select_related("person").get(pk=erasure.pk)
    if not erasures_for(community).filter(pk=erasure.pk).exists():
        raise ValidationError(_("This person is not a member of this community."))
    if coordinator.pk == erasure.person_id:
        raise ValidationError(_("Another coordinator confirms your own erasure."))
    # "Being erased" may be confirmed again: a worker that stopped mid-way erased nothing (one
    # transaction), and a second run of one that did finish does nothing.
    if erasure.status not in (ErasureRequest.Status.WAITING, ErasureRequest.Status.ERASING):
        raise ValidationError(_("This request is not waiting to be confirmed."))
    if erasure.status == ErasureRequest.Status.WAITING and not erasure.may_be_carried_out():
        raise ValidationError(_("The person can still cancel: this request can be confirmed from %(date)s.")
                              % {"date": date_format(timezone.localtime(erasure.erasable_from), "j F Y, H:i")})
    erasure.status, erasure.confirmed_by, erasure.error = ErasureRequest.Status.ERASING, coordinator, ""
    erasure.save(update_fields=["status", "confirmed_by", "error"])
    transaction.on_commit(lambda: carry_out.enqueue(erasure.pk))
    return erasure


@transaction.atomic
def state_lawful_bases(community, *, actor, bases: dict[str, str]) -> None:
    """Record the lawful bases ``community`` states for its purposes (``{purpose: basis}``; a purpose
    left out follows the platform's declaration), audited as a change of settings."""
    unknown = [key for key, value in bases.items() if key not in Purpose.values or value not in Basis.values]
    if unknown:
        raise ValidationError(_("Choose a lawful basis from the list for each purpose."))
    community = Community.objects.select_for_update().get(pk=community.pk)
    before = community.lawful_bases or {}
    if before == bases:
        return
    community.lawful_bases = dict(sorted(bases.items()))
    community.save(update_fields=["lawful_bases"])
    changes = {purpose: [before.get(purpose, ""), bases.get(purpose, "")]
               for purpose in sorted(set(before) | set(bases)) if before.get(purpose) != bases.get(purpose)}
    record_audit(actor=actor, action=AuditAction.SETTINGS_CHANGED, community=community, subject=community.name,
                 changes={"lawful_bases": changes})
