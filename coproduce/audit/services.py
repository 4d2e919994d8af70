from coproduce.audit.models import AuditEntry


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
