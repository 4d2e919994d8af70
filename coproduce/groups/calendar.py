"""iCalendar feeds (RFC 5545), built with the icalendar library.

A session on its own is one VEVENT. A repeating series is one VEVENT carrying its rule (RRULE
with COUNT or UNTIL), an EXDATE for each cancelled date, and an override VEVENT (same UID,
RECURRENCE-ID = the date the rule gave) for each session moved or changed on its own, so a
calendar shows the series as one repeating event and expands it to exactly the group's sessions.
"""

import datetime

from django.utils import timezone
from icalendar import Calendar, Event

from coproduce.groups import recurrence
from coproduce.groups.models import Session, SessionStatus
from coproduce.ledger.services import community_zone


def _event(session, *, uid: str, stamp, url_for, zone=None) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at.astimezone(zone) if zone else session.starts_at)
    event.add("dtend", session.ends_at.astimezone(zone) if zone else session.ends_at)
    event.add("summary", session.group.name)
    if session.place:
        event.add("location", session.place)
    event.add("description", session.online_link or "")
    event.add("url", url_for(session))
    event.add("status", "CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED")
    return event


def _differs(session: Session) -> bool:
    """Whether a session of a series was moved or changed on its own, away from its rule."""
    series = session.series
    return (session.starts_at != session.occurrence or session.ends_at - session.starts_at != series.duration
            or session.place != series.place or session.online_link != series.online_link)


def _series_events(series, sessions, *, stamp, url_for) -> list[Event]:
    zone = community_zone(series.group.community)
    uid = f"series-{series.pk}@coproduce"
    first = series.first_starts_at.astimezone(zone)
    master = Event()
    master.add("uid", uid)
    master.add("dtstamp", stamp)
    master.add("dtstart", first)
    master.add("dtend", first + series.duration)
    master.add("summary", series.group.name)
    if series.place:
        master.add("location", series.place)
    master.add("description", series.online_link or "")
    master.add("url", url_for(sessions[0]))
    last = recurrence.nth(first, series.frequency, series.count - 1, zone, month_day=series.month_day)
    master.add("rrule", recurrence.rrule(series.frequency, first, zone, count=series.count,
                                         until_utc=last if series.until else None, month_day=series.month_day))
    cancelled = [s.occurrence.astimezone(zone) for s in sessions if s.status == SessionStatus.CANCELLED]
    if cancelled:
        master.add("exdate", cancelled)
    master.add("status", "CONFIRMED")
    events = [master]
    for session in sessions:
        if session.status == SessionStatus.SCHEDULED and _differs(session):
            override = _event(session, uid=uid, stamp=stamp, url_for=url_for, zone=zone)
            override.add("recurrence-id", session.occurrence.astimezone(zone))
            events.append(override)
    return events


def feed(sessions, *, name: str, url_for) -> bytes:
    """The feed of these sessions; a series any of them belongs to is sent whole, as its rule."""
    calendar = Calendar()
    calendar.add("prodid", "-//Coproduce//peer-support groups//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    series_ids = set()
    for session in sessions:
        if session.series_id is None:
            calendar.add_component(_event(session, uid=f"session-{session.pk}@coproduce", stamp=stamp,
                                          url_for=url_for))
        else:
            series_ids.add(session.series_id)
    # Every date of those series, cancelled ones too (their EXDATEs): one query.
    by_series: dict[int, list[Session]] = {}
    for session in (Session.objects.filter(series_id__in=series_ids)
                    .select_related("series__group__community", "group").order_by("occurrence")):
        by_series.setdefault(session.series_id, []).append(session)
    for members in by_series.values():
        for event in _series_events(members[0].series, members, stamp=stamp, url_for=url_for):
            calendar.add_component(event)
    if by_series:
        # The series' wall-clock rules need their time zone's rules, from the first series' start
        # to beyond the last date any series can reach (52 months from today at most).
        first = min(members[0].series.first_starts_at for members in by_series.values()).date()
        calendar.add_missing_timezones(first_date=first - datetime.timedelta(days=1),
                                       last_date=stamp.date() + datetime.timedelta(days=366 * 5))
    return calendar.to_ical()


def sessions_for_feed(*, group=None, membership=None):
    """Sessions from 60 days ago on: one group's, or those of every group the member is in."""
    since = timezone.now() - datetime.timedelta(days=60)
    sessions = Session.objects.filter(starts_at__gte=since).select_related("group").order_by("starts_at", "pk")
    if group is not None:
        return sessions.filter(group=group)
    return sessions.filter(group__members__membership=membership, group__members__status="active")
