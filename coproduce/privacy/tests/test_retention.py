"""Point 4: a community keeps the data of people who left for its retention period; the daily
command lists first (dry run), then erases them and masks older audit entries."""

import datetime
import io

from django.core.management import call_command
from django.db.models import QuerySet
from django.utils import timezone

from coproduce import testing
from coproduce.accounts.models import User
from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.audit.services import record_audit
from coproduce.members.models import Membership, MembershipStatus
from coproduce.privacy import retention, services
from coproduce.privacy.models import ErasureRequest


def _left(user, community, *, days_ago):
    Membership.objects.filter(user=user, community=community).update(
        status=MembershipStatus.LEFT, left_at=timezone.now() - datetime.timedelta(days=days_ago))


def _run(*args) -> str:
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_the_dry_run_lists_who_left_longer_ago_than_the_community_keeps_and_changes_nothing(
        riverside, hilltop, member, second_member, other_member):
    _left(member, riverside, days_ago=25 * 31)  # more than 24 months
    _left(second_member, riverside, days_ago=23 * 30)  # less
    output = _run("--dry-run")
    assert f"would erase user {member.pk} (Alice Ashby): left Riverside Time Bank on" in output
    assert "Bob Brown" not in output and "Olga Other" not in output
    assert "1 to erase; nothing was changed (dry run)." in output
    assert User.objects.get(pk=member.pk).name == "Alice Ashby"
    assert not ErasureRequest.objects.exists()


def test_the_daily_run_erases_them(riverside, member, second_member):
    _left(member, riverside, days_ago=25 * 31)
    output = _run()
    assert f"erased user {member.pk}" in output and "1 erased, 0 refused" in output
    member.refresh_from_db()
    assert member.name == f"Former member {member.pk}" and not member.is_active
    erasure = ErasureRequest.objects.get(person=member)
    assert erasure.status == ErasureRequest.Status.DONE and erasure.requested_by is None
    assert "retention period" in erasure.reason
    entry = AuditEntry.objects.get(action=AuditAction.PERSON_ERASED)
    assert entry.actor is None and entry.on_behalf_of == member
    assert "0 erased" in _run()  # done once
    call_command("verify_ledger", stdout=io.StringIO())


def test_someone_still_a_member_somewhere_is_kept(riverside, hilltop, member):
    testing.join(member, hilltop)
    _left(member, riverside, days_ago=40 * 31)
    assert retention.due_for_erasure() == []


def test_site_admins_are_kept(riverside, site_admin):
    testing.join(site_admin, riverside)
    _left(site_admin, riverside, days_ago=40 * 31)
    assert retention.due_for_erasure() == []


def test_a_request_the_person_is_waiting_out_is_carried_out(riverside, member):
    asked = services.request_erasure(member, requested_by=member)
    _left(member, riverside, days_ago=25 * 31)
    assert "1 erased, 0 refused" in _run()
    asked.refresh_from_db()
    assert asked.status == ErasureRequest.Status.DONE and ErasureRequest.objects.count() == 1


def test_a_community_can_keep_data_for_less_or_longer(riverside, member):
    _left(member, riverside, days_ago=8 * 31)
    assert retention.due_for_erasure() == []
    riverside.retention_months = 6
    riverside.save(update_fields=["retention_months"])
    assert [item.person for item in retention.due_for_erasure()] == [member]


def test_audit_entries_older_than_the_retention_period_are_masked_not_deleted(riverside, hilltop, coordinator):
    old = record_audit(actor=coordinator, action=AuditAction.POT_GRANT, community=riverside,
                       subject="Grant to Dora Dean", reason="Her husband is in hospital", minutes=60)
    recent = record_audit(actor=coordinator, action=AuditAction.POT_GRANT, community=riverside,
                          subject="Grant to Eve East", reason="New in the area", minutes=30)
    elsewhere = record_audit(actor=coordinator, action=AuditAction.POT_GRANT, community=hilltop,
                             subject="Grant to Fay Fox", reason="Just because", minutes=30)
    long_ago = timezone.now() - datetime.timedelta(days=25 * 31)
    # Back-dated with QuerySet.update itself: the audit log's own queryset refuses changes.
    QuerySet.update(AuditEntry.objects.filter(pk=old.pk), created_at=long_ago)
    QuerySet.update(AuditEntry.objects.filter(pk=elsewhere.pk), created_at=timezone.now() - datetime.timedelta(
        days=13 * 31))
    hilltop.retention_months = 12
    hilltop.save(update_fields=["retention_months"])
    count = AuditEntry.objects.count()
    output = _run()
    assert "2 audit entries masked" in output
    assert AuditEntry.objects.count() == count
    old.refresh_from_db()
    elsewhere.refresh_from_db()
    recent.refresh_from_db()
    assert (old.subject, old.detail, old.actor, old.action) == ("[masked]", {"minutes": 60}, coordinator,
                                                                AuditAction.POT_GRANT)
    assert elsewhere.subject == "[masked]"
    assert (recent.subject, recent.detail["reason"]) == ("Grant to Eve East", "New in the area")
    assert "0 audit entries masked" in _run()


def test_the_cutoff_is_whole_months_back():
    now = timezone.make_aware(datetime.datetime(2026, 3, 31, 12, 0))
    assert timezone.localtime(retention.cutoff(24, now)).date() == datetime.date(2024, 3, 31)
    assert timezone.localtime(retention.cutoff(1, now)).date() == datetime.date(2026, 2, 28)
    assert timezone.localtime(retention.cutoff(15, now)).date() == datetime.date(2024, 12, 31)
