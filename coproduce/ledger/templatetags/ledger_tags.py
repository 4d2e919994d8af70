from django import template

from coproduce.ledger.queries import held
from coproduce.lib.duration import format_duration, format_signed_duration

register = template.Library()


@register.filter
def hours(minutes) -> str:
    """Minutes in the one format for time: 90 → "1 hour 30 minutes", -45 → "−45 minutes"."""
    if minutes is None or minutes == "":
        return ""
    return format_duration(int(minutes))


@register.filter
def signed_hours(minutes) -> str:
    """As ``hours``, with "+" before a gain: 90 → "+1 hour 30 minutes"."""
    return format_signed_duration(int(minutes))


@register.simple_tag
def held_count(community) -> int:
    """How many transfers wait for a coordinator's approval (for the coordinators' pages)."""
    return held(community).count()

