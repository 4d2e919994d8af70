from django import template

from coproduce.ledger.queries import held
from coproduce.ledger.services import format_minutes

register = template.Library()


@register.filter
def hours(minutes) -> str:
    """Minutes as hours and minutes: 90 → "1:30", -45 → "−0:45"."""
    if minutes is None or minutes == "":
        return ""
    return format_minutes(int(minutes))


@register.filter
def signed_hours(minutes) -> str:
    minutes = int(minutes)
    return ("+" if minutes > 0 else "") + format_minutes(minutes)


@register.simple_tag
def held_count(community) -> int:
    """How many transfers wait for a coordinator's approval (for the coordinators' pages)."""
    return held(community).count()

