"""Availability as a 21-bit mask: seven days × morning, afternoon, evening.

A mask makes "do these two people overlap?" one bitwise AND, in Python or in SQL.
"""

from django.utils.translation import gettext_lazy as _

DAYS = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
PARTS = [_("morning"), _("afternoon"), _("evening")]

SLOTS = [(d * 3 + p, DAYS[d], PARTS[p]) for d in range(7) for p in range(3)]
ALL_SLOTS_MASK = (1 << len(SLOTS)) - 1


def slot_choices():
    return [(str(bit), f"{day} {part}") for bit, day, part in SLOTS]


def to_mask(bits) -> int:
    mask = 0
    for bit in bits:
        bit = int(bit)
        if not 0 <= bit < len(SLOTS):
            raise ValueError(f"unknown availability slot {bit}")
        mask |= 1 << bit
    return mask


def from_mask(mask: int) -> list[int]:
    return [bit for bit, _day, _part in SLOTS if mask & (1 << bit)]


def describe(mask: int) -> list[str]:
    """Human words for a mask, one line per day: "Monday morning, afternoon"."""
    lines = []
    for d, day in enumerate(DAYS):
        parts = [str(PARTS[p]) for p in range(3) if mask & (1 << (d * 3 + p))]
        if parts:
            lines.append(f"{day}: {', '.join(parts)}")
    return lines
