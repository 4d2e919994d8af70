"""The audit log is append-only: entries can be added and read, never changed or removed."""

import pytest
from django.db.models.deletion import ProtectedError

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.audit.services import record_audit


@pytest.fixture
def entry(riverside, coordinator, member):
    return record_audit(actor=coordinator, action=AuditAction.ROLE_CHANGED, community=riverside,
                        on_behalf_of=member, subject=member.name, before="member", after="coordinator")


def test_record_audit_appends_an_entry(entry, coordinator, member, riverside):
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.actor, stored.on_behalf_of, stored.community) == (coordinator, member, riverside)
    assert stored.detail == {"before": "member", "after": "coordinator"}
    assert stored.subject == "Alice Ashby"


def test_saving_an_existing_entry_raises(entry):
    entry.subject = "Someone else"
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).subject == "Alice Ashby"


def test_deleting_an_entry_raises(entry):
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_queryset_update_raises(entry):
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).update(subject="Someone else")
    assert AuditEntry.objects.get(pk=entry.pk).subject == "Alice Ashby"


def test_queryset_delete_raises(entry):
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_bulk_update_raises(entry):
    entry.subject = "Someone else"
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.bulk_update([entry], ["subject"])


def test_people_in_the_log_cannot_be_deleted(outsider):
    record_audit(actor=outsider, action=AuditAction.CONSENT_GIVEN, subject=outsider.name)
    with pytest.raises(ProtectedError):
        outsider.delete()


def test_subject_is_cut_to_fit(riverside):
    stored = record_audit(actor=None, action=AuditAction.AREA_ADDED, community=riverside, subject="x" * 500)
    assert len(stored.subject) == 200


def test_coordinators_see_only_their_communitys_log(client, entry, coordinator, other_coordinator, hilltop):
    record_audit(actor=other_coordinator, action=AuditAction.AREA_ADDED, community=hilltop, subject="Hilltop secret")
    client.force_login(coordinator)
    response = client.get("/c/riverside/coordinate/audit/")
    assert response.status_code == 200
    communities = {e.community_id for e in response.context["page"]}
    assert communities == {entry.community_id}
    assert "Hilltop secret" not in response.content.decode()
    assert "changed a role" in response.content.decode()
