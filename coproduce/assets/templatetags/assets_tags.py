"""Directory entries in words: "Every week on Monday and Wednesday, 10:00 to 12:00"."""

from django import template
from django.utils.formats import date_format, time_format
from django.utils.text import get_text_list
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from coproduce.assets.forms import DAY_NAMES
from coproduce.assets.models import Frequency

register = template.Library()


@register.filter
def schedule_words(schedule) -> str:
    days = get_text_list(
        [str(DAY_NAMES[d]) for d in schedule.byday.split(",") if d in DAY_NAMES], _("and")
    )
    if schedule.freq == Frequency.WEEKLY:
        when = _("Every week on %(days)s") % {"days": days}
    elif schedule.freq == Frequency.MONTHLY:
        when = _("Every month on %(days)s") % {"days": days}
    elif schedule.valid_from and schedule.valid_to and schedule.valid_to != schedule.valid_from:
        when = _("From %(start)s to %(end)s") % {
            "start": date_format(schedule.valid_from, "j M Y"),
            "end": date_format(schedule.valid_to, "j M Y"),
        }
    elif schedule.valid_from:
        when = _("On %(date)s") % {"date": date_format(schedule.valid_from, "l j M Y")}
    else:
        when = ""
    if schedule.opens_at and schedule.closes_at:
        when += " " + _("%(opens)s to %(closes)s") % {
            "opens": time_format(schedule.opens_at, "H:i"),
            "closes": time_format(schedule.closes_at, "H:i"),
        }
    elif schedule.opens_at:
        when += " " + _("from %(opens)s") % {"opens": time_format(schedule.opens_at, "H:i")}
    if schedule.description:
        when = f"{when} ({schedule.description})" if when else schedule.description
    return when.strip()


@register.filter
def place_words(location) -> str:
    return ", ".join(
        part for part in (location.name, location.address, location.city, location.postcode) if part
    )


@register.filter
def language_names(codes) -> str:
    names = []
    for code in codes or []:
        try:
            names.append(str(get_language_info(code)["name_translated"]))
        except KeyError:
            names.append(code)
    return ", ".join(names)
