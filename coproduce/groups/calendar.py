"""iCalendar feeds (RFC 5545), built with the icalendar library."""

import datetime

from django.utils import timezone
from icalendar import Calendar, Event

from coproduce.groups.models import Session, SessionStatus


def feed(sessions, *, name: str, url_for) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Coproduce//peer-support groups//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.pk}@coproduce")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("summary", session.group.name)
        if session.place:
            event.add("location", session.place)
        description = session.online_link or ""
        event.add("description", description)
        event.add("url", url_for(session))
        event.add("status", "CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()


def sessions_for_feed(*, group=None, membership=None):
    """Sessions from 60 days ago on: one group's, or those of every group the member is in."""
    since = timezone.now() - datetime.timedelta(days=60)
    sessions = Session.objects.filter(starts_at__gte=since).select_related("group").order_by("starts_at", "pk")
    if group is not None:
        return sessions.filter(group=group)
    return sessions.filter(group__members__membership=membership, group__members__status="active")
