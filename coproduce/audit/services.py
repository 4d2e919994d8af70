import json

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from coproduce.audit.models import AuditEntry
from coproduce.lib.masking import replaced


def record_audit(*, actor, action, community=None, on_behalf_of=None, subject="", **detail) -> AuditEntry:
    """Append one audit entry. Call inside the transaction that made the change."""
    return AuditEntry.objects.create(
        community=community,
        actor=actor,
        on_behalf_of=on_behalf_of,
        action=action,
        subject=str(subject)[:200],
        detail=detail,
    )


def mask_in_entries(text: str, replacement: str) -> int:
    """The one change an audit entry may undergo (issue 20): ``text`` (an erased person's name or
    e-mail address) becomes ``replacement`` in its subject and its detail. Never deleted. Returns
    how many entries changed."""
    if not text:
        return 0
    entries = AuditEntry.objects.annotate(_detail=Cast("detail", TextField())).filter(
        Q(subject__contains=text) | Q(_detail__contains=text) | Q(_detail__contains=json.dumps(text)[1:-1]))
    changed = 0
    for pk, subject, detail in entries.values_list("pk", "subject", "detail"):
        # QuerySet.update itself: AuditEntryQuerySet refuses every other change.
        changed += QuerySet.update(AuditEntry.objects.filter(pk=pk), subject=subject.replace(text, replacement),
                                   detail=replaced(detail, text, replacement))
    return changed



MASKED = "[masked]"


def mask_entries_before(community, cutoff) -> int:
    """Audit entries of ``community`` older than ``cutoff`` (its retention period) keep who did what
    and when, but no longer what about: their subject is masked and their detail keeps numbers and
    yes/no values only (ids, minutes), never words. Masked, never deleted; masking twice changes
    nothing. Returns how many entries changed."""
    old = AuditEntry.objects.filter(community=community, created_at__lt=cutoff)
    changed = 0
    for pk, subject, detail in old.exclude(subject=MASKED, detail={}).values_list("pk", "subject", "detail"):
        kept = {key: value for key, value in (detail or {}).items()
                if isinstance(value, int | float | bool) or value is None}
        if subject in ("", MASKED) and kept == detail:
            continue
        changed += QuerySet.update(AuditEntry.objects.filter(pk=pk), subject=MASKED if subject else "", detail=kept)
    return changed
