"""Repeating sessions: the series rule, its sessions, changing one or the rest, the calendar feed,
registers of past dates, and the statement naming the group."""

import datetime
import zoneinfo

import icalendar
import pytest
from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coproduce import testing
from coproduce.audit.models import AuditEntry
from coproduce.groups import queries, services
from coproduce.groups.models import Session, SessionSeries
from coproduce.ledger.services import new_key
from coproduce.partners.tests.fixtures import membership

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def carol(riverside):
    user = testing.make_person("carol@example.org", "Carol Carer")
    testing.join(user, riverside)
    return membership(user, riverside)


@pytest.fixture
def group(riverside, coordinator, carol):
    return testing.accept_invitations(services.create_group(
        community=riverside, actor=coordinator, name="Carers' circle", facilitators=[carol]))


def _local(day: datetime.date, hour=18, minute=0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


def _next_year(month, day) -> datetime.date:
    return datetime.date(timezone.localdate().year + 1, month, day)


def _schedule(group, carol, first, *, hours=2, actor=None, **rule):
    return services.schedule_sessions(group, actor=actor or carol.user, starts_at=first,
                                      ends_at=first + datetime.timedelta(hours=hours), capacity=8,
                                      place="Library back room", **rule)


def _starts(sessions):
    return [s.starts_at.astimezone(LONDON) for s in sessions]


# ---------------------------------------------------------------------------- making a series


def test_weekly_series_keeps_its_local_time_across_the_clock_change(group, carol):
    first = _local(_next_year(3, 10))  # the clocks go forward in the last week of March
    sessions = _schedule(group, carol, first, frequency="weekly", count=5)
    assert [(s.date(), s.time()) for s in _starts(sessions)] == [
        (first.date() + datetime.timedelta(weeks=i), datetime.time(18)) for i in range(5)]
    series = SessionSeries.objects.get()
    assert series.count == 5 and series.until is None
    assert {s.series_id for s in Session.objects.all()} == {series.pk}
    assert all(s.ends_at - s.starts_at == datetime.timedelta(hours=2) for s in sessions)


def test_fortnightly_series_runs_to_its_last_date_inclusive(group, carol):
    first = _local(_next_year(4, 6))
    sessions = _schedule(group, carol, first, frequency="fortnightly", until=first.date() + datetime.timedelta(weeks=6))
    assert [s.date() for s in _starts(sessions)] == [first.date() + datetime.timedelta(weeks=2 * i) for i in range(4)]
    assert SessionSeries.objects.get().until == first.date() + datetime.timedelta(weeks=6)


@pytest.mark.parametrize("day,expected", [
    # A session on the 31st falls on the last day of a shorter month rather than skipping it.
    (31, [(1, 31), (2, None), (3, 31), (4, 30), (5, 31)]),
    (30, [(1, 30), (2, None), (3, 30), (4, 30), (5, 30)]),
    (15, [(1, 15), (2, 15), (3, 15), (4, 15), (5, 15)]),
])
def test_monthly_series_on_a_late_day_uses_the_last_day_of_shorter_months(group, carol, day, expected):
    first = _local(_next_year(1, day))
    sessions = _schedule(group, carol, first, frequency="monthly", count=5)
    year = first.year
    february_end = 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28
    wanted = [datetime.date(year, month, d or (february_end if day > 28 else day)) for month, d in expected]
    assert [s.date() for s in _starts(sessions)] == wanted


def test_a_series_is_audited_and_a_single_session_has_no_series(group, carol):
    _schedule(group, carol, _local(_next_year(2, 2)), frequency="weekly", count=3)
    _schedule(group, carol, _local(_next_year(3, 3), hour=10))
    entry = AuditEntry.objects.filter(detail__sessions="scheduled").get()
    assert entry.actor == carol.user and entry.detail["count"] == 3 and entry.subject == "Carers' circle"
    single = Session.objects.get(series__isnull=True)
    assert single.occurrence is None


@pytest.mark.parametrize("rule,field,message", [
    ({"frequency": "weekly", "until": "before"}, "until", "after the first session"),
    ({"frequency": "weekly", "until": "two years"}, "until", "more than 52 sessions"),
    ({"frequency": "weekly", "count": 53}, "count", "from 2 to 52"),
    ({"frequency": "weekly", "count": 1}, "count", "from 2 to 52"),
    ({"frequency": "monthly", "until": "same day"}, "until", "only one session"),
    ({"frequency": "weekly"}, "ends", "a last date or a number"),
    ({"frequency": "yearly", "count": 3}, "frequency", "how often"),
    ({"frequency": "weekly", "count": 4, "clash": True}, "starts_at", "already has a session"),
])
def test_a_bad_series_writes_nothing(group, carol, rule, field, message):
    first = _local(_next_year(5, 4))
    rule = dict(rule)
    if rule.pop("clash", False):  # the third week is taken by a session already planned
        _schedule(group, carol, first + datetime.timedelta(weeks=2, hours=1))
    until = rule.get("until")
    if until:
        rule["until"] = {"before": first.date() - datetime.timedelta(days=1),
                         "two years": first.date() + datetime.timedelta(days=730),
                         "same day": first.date()}[until]
    before = Session.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as raised:
        _schedule(group, carol, first, **rule)
    assert field in raised.value.message_dict and message in " ".join(raised.value.message_dict[field])
    assert (Session.objects.count(), AuditEntry.objects.count()) == before
    assert not SessionSeries.objects.exists()


def test_only_leads_schedule_a_series(group, alice):
    services.join_group(group, membership=alice)
    with pytest.raises(ValidationError, match="Only the group's facilitators"):
        services.schedule_sessions(group, actor=alice.user, starts_at=_local(_next_year(1, 5)),
                                   ends_at=_local(_next_year(1, 5), hour=19), capacity=5, place="Hall",
                                   frequency="weekly", count=4)
    assert not Session.objects.exists()


# ---------------------------------------------------------------------------- the form


def _form(first, **extra):
    data = {"starts_at": first.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (first + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "place": "Library back room", "capacity": "8", "frequency": "", "until": "", "count": ""}
    data.update(extra)
    return data


def test_the_form_schedules_a_fortnightly_series(client, riverside, group, carol):
    client.force_login(carol.user)
    url = reverse("groups:session_new", args=[riverside.slug, group.pk])
    first = _local(_next_year(6, 1))
    response = client.post(url, _form(first, frequency="fortnightly", count="6"), follow=True)
    assert "6 sessions added." in response.text
    assert [s.date() for s in _starts(Session.objects.order_by("starts_at"))] == [
        first.date() + datetime.timedelta(weeks=2 * i) for i in range(6)]


@pytest.mark.parametrize("extra,message", [
    ({"frequency": "weekly"}, "Give the date of the last session, or a number of sessions."),
    ({"frequency": "weekly", "count": "4", "until": "2099-01-01"}, "not both"),
    ({"frequency": "weekly", "count": "60"}, "less than or equal to 52"),
    ({"frequency": "monthly", "until": "2000-01-01"}, "after the first session"),
    ({"frequency": "weekly", "count": "3", "ends_at": "2000-01-01T10:00"}, "must end after it starts"),
])
def test_the_form_explains_what_is_wrong_and_changes_nothing(client, riverside, group, carol, extra, message):
    client.force_login(carol.user)
    url = reverse("groups:session_new", args=[riverside.slug, group.pk])
    response = client.post(url, _form(_local(_next_year(6, 1)), **extra))
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text and message in response.text
    assert not Session.objects.exists() and not SessionSeries.objects.exists()


def test_a_form_without_a_repeat_ignores_the_end_fields(client, riverside, group, carol):
    client.force_login(carol.user)
    url = reverse("groups:session_new", args=[riverside.slug, group.pk])
    client.post(url, _form(_local(_next_year(6, 1)), count="5"))
    assert Session.objects.count() == 1 and not SessionSeries.objects.exists()


# ---------------------------------------------------------------------------- changing a series


def test_cancel_one_session_or_the_rest(group, carol):
    sessions = _schedule(group, carol, _local(_next_year(2, 1)), frequency="weekly", count=6)
    services.cancel_session(sessions[1], actor=carol.user)
    assert [s.status for s in Session.objects.order_by("starts_at")] == [
        "scheduled", "cancelled", "scheduled", "scheduled", "scheduled", "scheduled"]
    cancelled = services.cancel_session(sessions[3], actor=carol.user, rest=True)
    assert [s.pk for s in cancelled] == [s.pk for s in sessions[3:]]
    assert [s.status for s in Session.objects.order_by("starts_at")] == [
        "scheduled", "cancelled", "scheduled", "cancelled", "cancelled", "cancelled"]


def test_change_one_session_moves_only_that_one(group, carol, alice):
    sessions = _schedule(group, carol, _local(_next_year(2, 1)), frequency="weekly", count=4)
    services.join_group(group, membership=alice)
    services.book(sessions[2], membership=alice)
    moved = sessions[2].starts_at + datetime.timedelta(days=1)
    services.change_session(sessions[2], actor=carol.user, starts_at=moved, ends_at=moved + datetime.timedelta(hours=1),
                            capacity=8, place="Town hall")
    again = Session.objects.get(pk=sessions[2].pk)
    assert again.starts_at == moved and again.place == "Town hall" and again.occurrence == sessions[2].occurrence
    assert again.bookings.filter(membership=alice).exists()
    assert [s.place for s in Session.objects.exclude(pk=again.pk)] == ["Library back room"] * 3


def test_change_the_rest_splits_the_series_and_keeps_bookings(group, carol, alice):
    first = _local(_next_year(2, 1))
    sessions = _schedule(group, carol, first, frequency="weekly", count=6)
    services.join_group(group, membership=alice)
    services.book(sessions[4], membership=alice)
    new_start = sessions[3].starts_at.astimezone(LONDON).replace(hour=10)
    changed = services.change_session(sessions[3], actor=carol.user, rest=True, starts_at=new_start,
                                      ends_at=new_start + datetime.timedelta(minutes=90), capacity=10,
                                      place="Community centre")
    assert [s.pk for s in changed] == [s.pk for s in sessions[3:]]
    old, new = SessionSeries.objects.order_by("pk")
    assert old.count == 3 and new.count == 3 and new.first_starts_at == new_start
    rows = list(Session.objects.order_by("starts_at"))
    assert [(s.starts_at.astimezone(LONDON).hour, s.series_id) for s in rows] == [
        (18, old.pk)] * 3 + [(10, new.pk)] * 3
    assert [s.starts_at.astimezone(LONDON).date() for s in rows] == [
        first.date() + datetime.timedelta(weeks=i) for i in range(6)]
    assert Session.objects.get(pk=sessions[4].pk).bookings.filter(membership=alice).exists()
    # Changing the rest from the first date moves the whole series (the old rule goes).
    services.change_session(rows[0], actor=carol.user, rest=True, starts_at=first + datetime.timedelta(hours=1),
                            ends_at=first + datetime.timedelta(hours=2), capacity=8, place="Library")
    assert SessionSeries.objects.count() == 2 and not SessionSeries.objects.filter(pk=old.pk).exists()


def test_changing_the_rest_of_a_series_of_the_31st_from_february_keeps_the_31st(client, riverside, group, carol,
                                                                                alice):
    sessions = _schedule(group, carol, _local(_next_year(1, 31)), frequency="monthly", count=6)
    february = sessions[1]
    assert february.starts_at.astimezone(LONDON).day in (28, 29)
    services.change_session(february, actor=carol.user, rest=True, starts_at=february.starts_at,
                            ends_at=february.ends_at, capacity=8, place="Town hall")  # only the place
    days = [s.starts_at.astimezone(LONDON).day for s in Session.objects.order_by("starts_at")]
    assert days[2:] == [31, 30, 31, 30]  # March to June: still the month's last day
    services.join_group(group, membership=alice)
    assert _expand(_feed(client, riverside, group, alice)) == {s.starts_at for s in Session.objects.all()}


def test_changing_the_rest_keeps_enough_places_for_the_fullest_session(riverside, group, carol):
    sessions = _schedule(group, carol, _local(_next_year(2, 1)), frequency="weekly", count=3)
    people = []
    for i in range(4):
        user = testing.make_person(f"p{i}@example.org", f"Person {i}")
        testing.join(user, riverside)
        person = membership(user, riverside)
        services.join_group(group, membership=person)
        people.append(person)
    for person in people:
        services.book(sessions[2], membership=person)  # the last date is the fullest
    with pytest.raises(ValidationError, match="4 people have booked"):
        services.change_session(sessions[1], actor=carol.user, rest=True, starts_at=sessions[1].starts_at,
                                ends_at=sessions[1].ends_at, capacity=3, place="Hall")
    assert set(Session.objects.values_list("capacity", flat=True)) == {8}


def test_cancelling_the_rest_when_nothing_is_left_is_refused(group, carol):
    sessions = _schedule(group, carol, _local(_next_year(2, 1)), frequency="weekly", count=3)
    services.cancel_session(sessions[1], actor=carol.user, rest=True)
    with pytest.raises(ValidationError, match="Nothing is left to cancel"):
        services.cancel_session(sessions[2], actor=carol.user, rest=True)


def test_a_clashing_change_of_the_rest_changes_nothing(group, carol):
    first = _local(_next_year(2, 1))
    sessions = _schedule(group, carol, first, frequency="weekly", count=4)
    _schedule(group, carol, first + datetime.timedelta(weeks=3, hours=-3))  # 3pm in the fourth week
    with pytest.raises(ValidationError, match="already has a session"):
        services.change_session(sessions[1], actor=carol.user, rest=True,
                                starts_at=sessions[1].starts_at - datetime.timedelta(hours=3),
                                ends_at=sessions[1].starts_at - datetime.timedelta(hours=1), capacity=8,
                                place="Hall")
    assert SessionSeries.objects.count() == 1
    assert [s.starts_at for s in Session.objects.filter(series__isnull=False).order_by("starts_at")] == [
        s.starts_at for s in sessions]


# ---------------------------------------------------------------------------- the calendar feed


def _feed(client, riverside, group, reader):
    client.force_login(reader.user)
    url = client.get(reverse("groups:detail", args=[riverside.slug, group.pk])).context["feed_urls"]["group"]
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


def _expand(calendar) -> set[datetime.datetime]:
    """Every start the feed describes: single events, and each series' rule minus its EXDATEs with
    its overrides moved to their new starts, as a calendar application would show them."""
    starts = set()
    events = calendar.walk("VEVENT")
    overrides = {}
    for event in events:
        if "RECURRENCE-ID" in event:
            overrides[(str(event["uid"]), event.decoded("recurrence-id"))] = event.decoded("dtstart")
    for event in events:
        if "RECURRENCE-ID" in event:
            continue
        start = event.decoded("dtstart")
        if "RRULE" not in event:
            if str(event["status"]) != "CANCELLED":
                starts.add(start)
            continue
        dates = set(rrulestr(event["rrule"].to_ical().decode(), dtstart=start))
        exdates = event.get("exdate", [])
        for exdate in exdates if isinstance(exdates, list) else [exdates]:
            dates -= {d.dt for d in exdate.dts}
        uid = str(event["uid"])
        starts |= {overrides.get((uid, d), d) for d in dates}
    return {s.astimezone(datetime.UTC) for s in starts}


def test_the_feed_carries_each_series_as_one_rule(client, riverside, group, carol, alice):
    services.join_group(group, membership=alice)
    weekly = _schedule(group, carol, _local(_next_year(3, 2)), frequency="weekly", count=8)
    monthly = _schedule(group, carol, _local(_next_year(1, 31), hour=11), frequency="monthly",
                        until=_next_year(6, 30))
    fortnightly = _schedule(group, carol, _local(_next_year(1, 6), hour=14), frequency="fortnightly",
                            until=_next_year(3, 17))
    single = _schedule(group, carol, _local(_next_year(1, 20), hour=9))[0]
    services.cancel_session(weekly[2], actor=carol.user)
    moved = weekly[5].starts_at + datetime.timedelta(days=1, hours=-2)
    services.change_session(weekly[5], actor=carol.user, starts_at=moved, ends_at=moved + datetime.timedelta(hours=2),
                            capacity=8, place="Library back room")
    calendar = _feed(client, riverside, group, alice)

    masters = {str(e["uid"]): e for e in calendar.walk("VEVENT") if "RRULE" in e}
    assert len(masters) == 3
    rules = {uid: e["rrule"].to_ical().decode() for uid, e in masters.items()}
    by_series = {f"series-{s[0].series_id}@coproduce": s for s in (weekly, monthly, fortnightly)}
    assert "FREQ=WEEKLY" in rules[f"series-{weekly[0].series_id}@coproduce"]
    assert "COUNT=8" in rules[f"series-{weekly[0].series_id}@coproduce"]
    assert "FREQ=MONTHLY" in rules[f"series-{monthly[0].series_id}@coproduce"]
    assert "BYSETPOS=-1" in rules[f"series-{monthly[0].series_id}@coproduce"]
    assert "UNTIL=" in rules[f"series-{monthly[0].series_id}@coproduce"]
    assert "INTERVAL=2" in rules[f"series-{fortnightly[0].series_id}@coproduce"]
    assert set(rules) == set(by_series)
    overrides = [e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" in e]
    assert len(overrides) == 1 and overrides[0].decoded("recurrence-id") == weekly[5].occurrence
    singles = [e for e in calendar.walk("VEVENT") if str(e["uid"]) == f"session-{single.pk}@coproduce"]
    assert len(singles) == 1 and "RRULE" not in singles[0]
    # Expanding the feed gives exactly the dates of the sessions still planned.
    planned = {s.starts_at for s in Session.objects.filter(status="scheduled")}
    assert _expand(calendar) == planned
    assert len(planned) == 8 - 1 + 6 + 6 + 1


def test_the_feed_of_a_split_series_gives_the_same_dates(client, riverside, group, carol, alice):
    services.join_group(group, membership=alice)
    sessions = _schedule(group, carol, _local(_next_year(2, 1)), frequency="weekly", count=6)
    later = sessions[2].starts_at.astimezone(LONDON).replace(hour=10)
    services.change_session(sessions[2], actor=carol.user, rest=True, starts_at=later,
                            ends_at=later + datetime.timedelta(hours=1), capacity=8, place="Hall")
    services.cancel_session(sessions[4], actor=carol.user)
    calendar = _feed(client, riverside, group, alice)
    assert len([e for e in calendar.walk("VEVENT") if "RRULE" in e]) == 2
    assert _expand(calendar) == {s.starts_at for s in Session.objects.filter(status="scheduled")}


# ---------------------------------------------------------------------------- past dates and registers


@pytest.fixture
def past_series(group, carol, coordinator):
    """A weekly series that began three weeks ago (a coordinator enters it from the paper
    timetable): four past dates, two to come."""
    first = timezone.localtime(timezone.now(), LONDON).replace(second=0, microsecond=0) - datetime.timedelta(
        weeks=3, hours=4)
    return _schedule(group, carol, first, hours=1, actor=coordinator, frequency="weekly", count=6)


def test_past_dates_of_a_series_wait_for_their_registers(client, riverside, group, carol, past_series):
    assert list(queries.registers_to_take([group.pk])) == past_series[:4]
    client.force_login(carol.user)
    page = client.get(reverse("groups:detail", args=[riverside.slug, group.pk]))
    assert page.context["registers"] == past_series[:4]
    assert [s.pk for s in page.context["past_sessions"]] == [s.pk for s in reversed(past_series[:4])]
    assert reverse("groups:register", args=[riverside.slug, past_series[0].pk]) in page.text
    services.record_attendance(past_series[0], actor=carol.user, present=[carol], idempotency_key=new_key())
    assert list(queries.registers_to_take([group.pk])) == past_series[1:4]
    with pytest.raises(ValidationError, match="once the session has started"):
        services.record_attendance(past_series[5], actor=carol.user, present=[carol], idempotency_key=new_key())
    with pytest.raises(ValidationError, match="Attendance has been recorded"):
        services.change_session(past_series[0], actor=carol.user, rest=True, starts_at=past_series[0].starts_at,
                                ends_at=past_series[0].ends_at, capacity=8, place="Hall")
    # Cancelling the rest from the next date leaves the one with a register as it is.
    services.cancel_session(past_series[1], actor=carol.user, rest=True)
    assert Session.objects.get(pk=past_series[0].pk).status == "scheduled"
    assert list(queries.registers_to_take([group.pk])) == []


# ---------------------------------------------------------------------------- the statement


def test_the_statement_names_the_group_and_day_in_constant_queries(client, riverside, group, carol, coordinator,
                                                                  past_series):
    services.record_attendance(past_series[0], actor=coordinator, present=[carol], idempotency_key=new_key())
    client.force_login(carol.user)
    url = reverse("ledger:statement", args=[riverside.slug])
    with CaptureQueriesContext(connection) as one_line:
        page = client.get(url)
    day = timezone.localtime(past_series[0].starts_at, LONDON)
    detail = reverse("groups:detail", args=[riverside.slug, group.pk])
    expected = f"Carers’ circle, session on {day.day} {day:%B}".replace("’", "'")
    assert expected in page.content.decode().replace("&#x27;", "'")
    assert f'<a href="{detail}">' in page.content.decode()
    for session in past_series[1:4]:
        services.record_attendance(session, actor=coordinator, present=[carol], idempotency_key=new_key())
    from pytest_django.asserts import assertNumQueries
    with assertNumQueries(len(one_line)):
        page = client.get(url)
    text = page.content.decode().replace("&#x27;", "'")
    for session in past_series[:4]:
        day = timezone.localtime(session.starts_at, LONDON)
        assert f"Carers' circle, session on {day.day} {day:%B}" in text
    # The pot's statement says who gave, and where.
    client.force_login(coordinator)
    pot = client.get(reverse("ledger:pot", args=[riverside.slug])).content.decode().replace("&#x27;", "'")
    assert "Received from Carol Carer at Carers' circle, session on" in pot


def test_lines_of_other_group_transfers_are_not_renamed(client, riverside, alice, bob, coordinator):
    from coproduce.ledger import services as ledger

    ledger.record_group_exchange(community=riverside, givers=[(alice, 60)], receivers=[bob],
                                 performed_on=timezone.localdate(), keyed_by=coordinator,
                                 idempotency_key=new_key())
    client.force_login(alice.user)
    assert "Gave to Bob Brown" in client.get(reverse("ledger:statement", args=[riverside.slug])).content.decode()


# ---------------------------------------------------------------------------- who may change sessions


@pytest.mark.parametrize("persona,status", [
    ("anonymous", 302), ("outsider", 403), ("member", 403), ("other_member", 403), ("other_coordinator", 403),
    ("staff", 403), ("facilitator", 200), ("coordinator", 200), ("site_admin", 200),
])
def test_who_may_change_or_cancel_a_session(client, request, riverside, group, carol, persona, status):
    sessions = _schedule(group, carol, _local(_next_year(2, 1)), frequency="weekly", count=3)
    if persona == "facilitator":
        client.force_login(carol.user)
    elif persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    change = reverse("groups:session_change", args=[riverside.slug, sessions[0].pk])
    assert client.get(change).status_code == status
    response = client.post(reverse("groups:session_cancel", args=[riverside.slug, sessions[1].pk]), {"rest": "1"})
    assert response.status_code == (302 if status == 200 else status)
    cancelled = Session.objects.filter(status="cancelled").count()
    assert cancelled == (2 if status == 200 else 0)


def test_the_change_form_moves_the_rest(client, riverside, group, carol):
    sessions = _schedule(group, carol, _local(_next_year(2, 1)), frequency="weekly", count=4)
    client.force_login(carol.user)
    url = reverse("groups:session_change", args=[riverside.slug, sessions[1].pk])
    page = client.get(url)
    assert "This session and the later ones in the series" in page.text
    start = sessions[1].starts_at.astimezone(LONDON) + datetime.timedelta(minutes=30)
    response = client.post(url, {**_form(start), "scope": "rest"}, follow=True)
    assert "3 sessions changed." in response.text
    assert [s.starts_at.astimezone(LONDON).minute for s in Session.objects.order_by("starts_at")] == [0, 30, 30, 30]


def test_the_statement_names_a_partner_opportunity_too(client, riverside, surgery, staff, alice):
    from coproduce.partners import services as partners

    opportunity = partners.post_opportunity(surgery, actor=staff, title="Garden day", starts_on=timezone.localdate())
    partners.sign_up(opportunity, membership=alice, actor=alice.user)
    partners.confirm_attendance(opportunity, actor=staff, attended=[(alice, 60)], performed_on=timezone.localdate(),
                                idempotency_key=new_key())
    client.force_login(alice.user)
    page = client.get(reverse("ledger:statement", args=[riverside.slug])).content.decode()
    assert "Garden day with Riverside Surgery" in page
    assert f'<a href="{reverse("partners:opportunity", args=[riverside.slug, opportunity.pk])}">' in page
