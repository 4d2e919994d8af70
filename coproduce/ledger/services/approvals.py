"""The coordinators' approval queue: transfers held by ``posting._approval_needed``, by a rule a
calling service named (a facilitator nobody authorised), or because the receiver could not
confirm an exchange themselves. Approving posts a transfer through the same locked path as
every other posting; declining posts nothing. Both are audited.

Four eyes: the person who keyed a transfer never approves it, nor does anyone it credits.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.ledger.models import Account, AccountKind, Transfer, TransferStatus
from coproduce.ledger.services.posting import _post_lines
from coproduce.ledger.services.validation import _is_coordinator, format_minutes


def _held_for_update(transfer: Transfer, approver) -> Transfer:
    transfer = Transfer.objects.select_for_update(of=("self",)).select_related("community").get(pk=transfer.pk)
    if transfer.status != TransferStatus.HELD:
        raise ValidationError(_("This is no longer waiting for approval."))
    if not _is_coordinator(approver, transfer.community):
        raise ValidationError(_("Only a coordinator can approve or decline this."))
    return transfer


@transaction.atomic
def approve_transfer(transfer: Transfer, *, approver) -> Transfer:
    """A coordinator approves a held transfer: it is posted now, if every limit still allows it."""
    transfer = _held_for_update(transfer, approver)
    if approver.pk == transfer.keyed_by_id:
        raise ValidationError(_("Another coordinator must approve what you recorded yourself."))
    lines = dict(transfer.proposed)
    credited_users = set(Account.objects.filter(pk__in=[pk for pk, amount in lines.items() if amount > 0],
                                                kind=AccountKind.MEMBER)
                         .values_list("membership__user_id", flat=True))
    if approver.pk in credited_users:
        raise ValidationError(_("Another coordinator must approve credits to you."))
    transfer.settled_by = approver
    _post_lines(transfer, lines, actor=approver, now=timezone.now())
    record_audit(actor=approver, action=AuditAction.TRANSFER_APPROVED, community=transfer.community,
                 subject=str(transfer), transfer=transfer.pk, reason=transfer.hold_reason,
                 minutes=transfer.minutes, keyed_by=transfer.keyed_by_id)
    return transfer


@transaction.atomic
def decline_held_transfer(transfer: Transfer, *, approver, reason: str) -> Transfer:
    """A coordinator declines a held transfer, saying why: nothing is posted."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why it is declined: the person who recorded it will see it.")})
    transfer = _held_for_update(transfer, approver)
    transfer.status = TransferStatus.DECLINED
    transfer.settled_at = timezone.now()
    transfer.settled_by = approver
    transfer.decline_reason = reason[:500]
    transfer.save(update_fields=["status", "settled_at", "settled_by", "decline_reason"])
    record_audit(actor=approver, action=AuditAction.TRANSFER_DECLINED, community=transfer.community,
                 subject=str(transfer), transfer=transfer.pk, reason=reason[:500],
                 minutes=format_minutes(transfer.minutes), keyed_by=transfer.keyed_by_id)
    return transfer
