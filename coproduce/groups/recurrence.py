"""The dates of a repeating session, and the same rule as an iCalendar RRULE.

The rule runs on the community's wall clock: a weekly 6pm session stays at 6pm across a change
of the clocks. A monthly session on the 29th, 30th or 31st falls on the last day of a shorter
month (31 January → 28 or 29 February → 31 March), as people expect of "every month"; RFC 5545
says the same with ``BYMONTHDAY=28,29,30,31;BYSETPOS=-1`` (the latest of those days the month has).
"""

from __future__ import annotations

import calendar
import datetime
import zoneinfo

from coproduce.groups.models import Frequency


def _month_step(wall: datetime.datetime, months: int, month_day: int) -> datetime.datetime:
    month_index = wall.month - 1 + months
    year, month = wall.year + month_index // 12, month_index % 12 + 1
    day = min(month_day, calendar.monthrange(year, month)[1])
    return wall.replace(year=year, month=month, day=day)


def nth(first: datetime.datetime, frequency: str, index: int, zone: zoneinfo.ZoneInfo, *,
        month_day: int | None = None) -> datetime.datetime:
    """The ``index``-th date (0 is ``first``) of the rule, an aware datetime in ``zone``.

    ``month_day`` is the day a monthly rule means when ``first`` fell on a shorter month's last
    day (a series of the 31st whose later dates were changed from 28 February on); by default
    ``first``'s own day."""
    wall = first.astimezone(zone).replace(tzinfo=None)
    if frequency == Frequency.WEEKLY:
        wall += datetime.timedelta(weeks=index)
    elif frequency == Frequency.FORTNIGHTLY:
        wall += datetime.timedelta(weeks=2 * index)
    elif frequency == Frequency.MONTHLY:
        wall = _month_step(wall, index, month_day or wall.day)
    else:
        raise ValueError(f"unknown frequency {frequency!r}")
    return wall.replace(tzinfo=zone)


def occurrences(first: datetime.datetime, frequency: str, zone: zoneinfo.ZoneInfo, *, count: int | None = None,
                until: datetime.date | None = None, limit: int,
                month_day: int | None = None) -> list[datetime.datetime]:
    """The rule's dates from ``first``: ``count`` of them, or every one on or before ``until``
    (a local date). At most ``limit + 1`` are made, so a caller can tell "too many" apart."""
    found: list[datetime.datetime] = []
    while len(found) <= limit and (count is None or len(found) < count):
        start = nth(first, frequency, len(found), zone, month_day=month_day)
        if until is not None and start.date() > until:
            break
        found.append(start)
    return found


def rrule(frequency: str, first: datetime.datetime, zone: zoneinfo.ZoneInfo, *, count: int,
          until_utc: datetime.datetime | None = None, month_day: int | None = None) -> dict:
    """The rule as an icalendar ``vRecur`` mapping: UNTIL (in UTC, as RFC 5545 asks when DTSTART
    has a time zone) when given, else COUNT."""
    rule: dict = {"FREQ": "MONTHLY" if frequency == Frequency.MONTHLY else "WEEKLY"}
    if frequency == Frequency.FORTNIGHTLY:
        rule["INTERVAL"] = 2
    day = month_day or first.astimezone(zone).day
    if frequency == Frequency.MONTHLY and day > 28:
        rule["BYMONTHDAY"] = list(range(28, day + 1))
        rule["BYSETPOS"] = -1
    if until_utc is not None:
        rule["UNTIL"] = until_utc.astimezone(datetime.UTC)
    else:
        rule["COUNT"] = count
    return rule
