import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.members.models import Membership
from coproduce.outcomes.models import EntryMethod, WellbeingResponse
from coproduce.outcomes.reports import wellbeing_report
from coproduce.outcomes.services import add_months, record_wellbeing, survey_due

ANSWERS = {"life_satisfaction": 7, "worthwhile": 8, "happiness": 6, "anxiety": 3, "loneliness": "occasionally"}


def membership(user, community):
    return Membership.objects.get(user=user, community=community)


def test_add_months():
    assert add_months(datetime.date(2026, 1, 15), 6) == datetime.date(2026, 7, 15)
    assert add_months(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2027, 8, 31), 6) == datetime.date(2028, 2, 29)


def test_due_at_joining_and_every_six_months(riverside, member):
    alice = membership(member, riverside)
    assert survey_due(alice)  # just joined, never answered
    with time_machine.travel(datetime.datetime(2027, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        record_wellbeing(alice, actor=member, answers=ANSWERS)
        assert not survey_due(alice)
    assert not survey_due(alice, today=datetime.date(2027, 8, 31))
    assert survey_due(alice, today=datetime.date(2027, 9, 1))


def test_member_answers_for_self(riverside, member):
    alice = membership(member, riverside)
    response = record_wellbeing(alice, actor=member, answers=ANSWERS)
    assert response.method == EntryMethod.SELF and response.entered_by == member
    entry = AuditEntry.objects.get(action=AuditAction.WELLBEING_RECORDED)
    assert entry.on_behalf_of is None


def test_coordinator_enters_paper_form_audited(riverside, member, coordinator):
    alice = membership(member, riverside)
    response = record_wellbeing(alice, actor=coordinator, answers=ANSWERS, answered_on=datetime.date.today())
    assert response.method == EntryMethod.PAPER and response.entered_by == coordinator
    entry = AuditEntry.objects.get(action=AuditAction.WELLBEING_RECORDED_FOR)
    assert entry.actor == coordinator and entry.on_behalf_of == member


@pytest.mark.parametrize("bad", [{"anxiety": 11}, {"happiness": -1}, {"worthwhile": "7"}, {"loneliness": "daily"},
                                 {}])
def test_bad_answers_write_nothing(riverside, member, bad):
    alice = membership(member, riverside)
    with pytest.raises(ValidationError):
        record_wellbeing(alice, actor=member, answers=bad)
    assert WellbeingResponse.objects.count() == 0
    assert not AuditEntry.objects.filter(action=AuditAction.WELLBEING_RECORDED).exists()


def test_future_date_refused(riverside, member, coordinator):
    with pytest.raises(ValidationError):
        record_wellbeing(membership(member, riverside), actor=coordinator, answers=ANSWERS,
                         answered_on=datetime.date.today() + datetime.timedelta(days=2))
    assert WellbeingResponse.objects.count() == 0


def test_report_hand_worked(riverside, member, second_member, coordinator, other_member, hilltop):
    alice, bob = membership(member, riverside), membership(second_member, riverside)
    cora = membership(coordinator, riverside)
    Membership.objects.filter(community=riverside).update(
        joined_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
    alice.refresh_from_db()
    bob.refresh_from_db()
    day1, day2 = datetime.date.today() - datetime.timedelta(days=200), datetime.date.today()
    # Alice: life 5 → 8 (+3), anxiety 6 → 2 (−4, better), lonely often/always → hardly ever (better)
    record_wellbeing(alice, actor=coordinator, answered_on=day1,
                     answers={"life_satisfaction": 5, "anxiety": 6, "loneliness": "often_always"})
    record_wellbeing(alice, actor=member, answered_on=day2,
                     answers={"life_satisfaction": 8, "anxiety": 2, "loneliness": "hardly_ever"})
    # Bob: life 7 → 6 (−1), anxiety 3 → 5 (+2, worse), loneliness once only
    record_wellbeing(bob, actor=coordinator, answered_on=day1,
                     answers={"life_satisfaction": 7, "anxiety": 3, "loneliness": "never"})
    record_wellbeing(bob, actor=second_member, answered_on=day2, answers={"life_satisfaction": 6, "anxiety": 5})
    # Cora answered once: counts in the distribution, not in the change.
    record_wellbeing(cora, actor=coordinator, answers={"life_satisfaction": 8})
    # Another community's answers never count.
    record_wellbeing(membership(other_member, hilltop), actor=other_member, answers={"life_satisfaction": 0})

    report = {item.field: item for item in wellbeing_report(Membership.objects.filter(community=riverside))}
    life = report["life_satisfaction"]
    assert life.answered == 3
    assert dict(life.distribution)["8"] == 2 and dict(life.distribution)["6"] == 1 and dict(life.distribution)["0"] == 0
    assert life.mean_latest == pytest.approx((8 + 6 + 8) / 3)
    assert life.people_with_change == 2
    assert life.mean_change == pytest.approx((3 + -1) / 2)  # 1.0
    assert life.share_improved == pytest.approx(0.5)
    anxiety = report["anxiety"]
    assert anxiety.mean_change == pytest.approx((-4 + 2) / 2)  # −1.0
    assert anxiety.share_improved == pytest.approx(0.5)  # Alice's fall is the improvement
    lonely = report["loneliness"]
    assert lonely.answered == 2  # Alice (latest hardly ever), Bob (never, from his first answers)
    assert dict(lonely.distribution) == {"Often/always": 0, "Some of the time": 0, "Occasionally": 0,
                                         "Hardly ever": 1, "Never": 1}
    assert lonely.people_with_change == 1 and lonely.share_improved == 1.0
    assert report["worthwhile"].answered == 0 and report["worthwhile"].mean_change is None


def test_memberships_due(riverside, member, second_member, coordinator, hilltop, other_member):
    from coproduce.outcomes.services import memberships_due

    alice, bob = membership(member, riverside), membership(second_member, riverside)
    record_wellbeing(alice, actor=member, answers=ANSWERS)
    due = memberships_due(Membership.objects.filter(community=riverside))
    assert alice not in due and bob in due and membership(coordinator, riverside) in due
    assert membership(other_member, hilltop) not in due
    later = add_months(datetime.date.today(), 6)
    assert alice in memberships_due(Membership.objects.filter(community=riverside), today=later)
