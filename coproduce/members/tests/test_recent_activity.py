"""The coordinator dashboard's recent activity (issue 13, point 7): runs of one person's same action
read as one line with its time span, the entries behind a disclosure, at a constant query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coproduce import testing
from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.audit.runs import RECENT_RUNS, group_runs


def _log(community, actor, action, subject, at, on_behalf_of=None):
    return AuditEntry.objects.create(community=community, actor=actor, action=action, subject=subject,
                                     created_at=at, on_behalf_of=on_behalf_of)


@pytest.fixture
def ben_and_fran(riverside):
    ben = testing.make_person("ben@example.org", "Ben Hughes")
    fran = testing.make_person("fran@example.org", "Fran")
    return ben, fran


def test_runs_of_the_same_action_by_the_same_person_read_as_one_line(client, riverside, coordinator, ben_and_fran):
    ben, fran = ben_and_fran
    start = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0) - datetime.timedelta(days=1)
    for i in range(4):
        _log(riverside, ben, AuditAction.REFERRAL_STEP, f"Referral {i + 1}", start + datetime.timedelta(minutes=10 * i))
    for i in range(3):
        _log(riverside, fran, AuditAction.APPLICATION_APPROVED, f"Applicant {i + 1}",
             start + datetime.timedelta(hours=1, minutes=i))
    _log(riverside, ben, AuditAction.REFERRAL_STEP, "Referral 5", start + datetime.timedelta(hours=2))
    client.force_login(coordinator)
    html = client.get(reverse("members:coordinate", args=[riverside.slug])).content.decode()
    section = html[html.index('id="recent-activity"'):]
    text = " ".join(section.split())
    # Newest first; Ben's later single step is its own line, not folded into the earlier run.
    assert text.index("moved a referral on: Referral 5") < text.index("Fran</strong> approved 3 applications")
    assert text.index("approved 3 applications") < text.index("Ben Hughes</strong> moved 4 referrals on")
    assert "Show the 4 entries" in text and "Show the 3 entries" in text
    for i in range(1, 5):
        assert f"Referral {i}" in text  # each entry is behind the disclosure
    assert 'class="govuk-details' in section


def test_grouping_keeps_runs_apart_and_stops_at_the_limit(riverside, ben_and_fran):
    ben, fran = ben_and_fran
    now = timezone.now()
    entries = [_log(riverside, actor, action, "", now - datetime.timedelta(minutes=i))
               for i, (actor, action) in enumerate([
                   (ben, AuditAction.REFERRAL_STEP), (ben, AuditAction.REFERRAL_STEP),
                   (ben, AuditAction.REFERRAL_MADE),  # same person, another action: a new run
                   (fran, AuditAction.REFERRAL_MADE),  # same action, another person: a new run
                   (fran, AuditAction.REFERRAL_MADE), (None, AuditAction.REFERRAL_MADE)])]
    runs = group_runs(entries)
    assert [run.count for run in runs] == [2, 1, 2, 1]
    assert [run.what for run in runs] == ["moved 2 referrals on", "made a referral", "made 2 referrals",
                                          "made a referral"]
    assert [run.count for run in group_runs(entries, limit=2)] == [2, 1]
    assert runs[0].oldest < runs[0].newest


def test_an_action_without_its_own_plural_still_reads_well(riverside, ben_and_fran):
    ben, _fran = ben_and_fran
    now = timezone.now()
    entries = [_log(riverside, ben, AuditAction.SETTINGS_CHANGED, "", now - datetime.timedelta(minutes=i))
               for i in range(3)]
    assert group_runs(entries)[0].what == "changed community settings (3 times)"


def _queries_for_dashboard(client, community, coordinator, entries, people):
    """Top the log up to ``entries`` (it is append-only) and count the dashboard's queries."""
    now = timezone.now()
    have = AuditEntry.objects.filter(community=community).count()
    AuditEntry.objects.bulk_create([
        AuditEntry(community=community, actor=people[i % len(people)], action=AuditAction.REFERRAL_STEP
                   if i % 3 else AuditAction.PROFILE_CHANGED, subject=f"Entry {i}", on_behalf_of=people[-1],
                   created_at=now - datetime.timedelta(minutes=i))
        for i in range(have, entries)])
    client.force_login(coordinator)
    client.get(reverse("members:coordinate", args=[community.slug]))  # counts the members once (members.counts)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("members:coordinate", args=[community.slug]))
    assert response.status_code == 200
    return len(queries), response.content.decode().count('class="recent-activity__run"')


def test_the_query_count_does_not_grow_with_the_log(client, riverside, coordinator):
    people = [testing.make_person(f"p{i}@example.org", f"Person {i}") for i in range(5)]
    few, lines_few = _queries_for_dashboard(client, riverside, coordinator, 10, people)
    many, lines_many = _queries_for_dashboard(client, riverside, coordinator, 200, people)
    assert few == many
    assert lines_few < lines_many == RECENT_RUNS
