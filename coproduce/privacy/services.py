"""Copies of people's data: asked for, made in the background, downloaded, cleared (issue 20)."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from coproduce.accounts.emails import with_footer
from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.communities.languages import language_for
from coproduce.privacy import archive
from coproduce.privacy.models import EXPORT_KEPT, DataExport

log = logging.getLogger(__name__)


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
