"""The one way an amount of time is shown to a person, and what we accept when they type one.

Shown in words: "1 hour 30 minutes", "12 hours", "45 minutes", "−2 hours 15 minutes", "0 hours"
(``ngettext``, so languages with more plural forms, such as Welsh, can translate each part).
Statistics in tables may use decimal hours and downloads whole minutes (``csv_safe``): those are
figures, not a person's time.

Typed: "1:30", "1.5", "1,5", "1½", "90 min", "1 h 30", "1h30m", "1 hour 30 minutes", "2 hours",
"45 minutes", "half an hour", and everything ``format_duration`` writes. A number on its own up
to ``BARE_HOURS_UP_TO`` (12) is hours, a bigger one minutes: members write "2" for two hours and
"90" for ninety minutes, and nobody gives 90 hours in one go. Fields for balances, where hundreds
of hours are usual, read every number on its own as hours (``bare_hours_up_to=None``).
"""

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils.formats import number_format
from django.utils.translation import get_language, gettext, ngettext

BARE_HOURS_UP_TO = 12
MAX_INPUT_LENGTH = 50  # "1,000 hours 45 minutes and a bit" is already long; more is not a time

_MINUS = "−"  # U+2212, as printed; typed text may use a hyphen or a dash


def format_duration(minutes: int) -> str:
    """Minutes in words: 90 → "1 hour 30 minutes", −135 → "−2 hours 15 minutes", 0 → "0 hours"."""
    return _format_duration(int(minutes), get_language())


@lru_cache(maxsize=4096)
def _format_duration(minutes: int, language: str | None) -> str:
    # Kept per language: three catalogue look-ups and a locale-aware number took 0.05 ms, and a
    # ledger page shows a hundred amounts (issue 19). The catalogues and each language's number
    # format (grouping is forced) do not change while the server runs.
    sign = _MINUS if minutes < 0 else ""
    hours, mins = divmod(abs(minutes), 60)
    # Thousands grouped as the language groups them: "1,200" in English, "1.200" in Spanish.
    hours_text = ngettext("%(count)s hour", "%(count)s hours", hours) % {
        "count": number_format(hours, force_grouping=True)}
    minutes_text = ngettext("%(count)s minute", "%(count)s minutes", mins) % {"count": mins}
    if hours and mins:
        # Translators: an amount of time, "1 hour" and "30 minutes" together.
        text = gettext("%(hours)s %(minutes)s") % {"hours": hours_text, "minutes": minutes_text}
    elif mins:
        text = minutes_text
    else:
        text = hours_text
    return sign + text


def format_signed_duration(minutes: int) -> str:
    """As ``format_duration`` with "+" before a gain: a line of a statement."""
    return ("+" if minutes > 0 else "") + format_duration(minutes)


# English, Welsh and Spanish words for hours and minutes, so each language's members type time
# as they say it ("1 awr 30 munud", "1 hora 30 minutos").
_HOUR_WORDS = {"h", "hr", "hrs", "hour", "hours", "awr", "oriau", "hora", "horas"}
_MINUTE_WORDS = {"m", "min", "mins", "minute", "minutes", "munud", "munudau", "mun", "minuto", "minutos"}
_PHRASES = {
    "an hour": 60, "one hour": 60, "half an hour": 30, "half hour": 30, "a half hour": 30,
    "quarter of an hour": 15, "a quarter of an hour": 15, "quarter hour": 15, "a quarter hour": 15,
    "three quarters of an hour": 45, "an hour and a half": 90, "one and a half hours": 90,
}
_FRACTIONS = {"½": ".5", "¼": ".25", "¾": ".75"}
# A number: "1,200" (thousands), "1.5" or "1,5" (a decimal point or comma), ".5".
_NUMBER = r"\d{1,3}(?:,\d{3})+(?![\d,.])|\d+(?:[.,]\d+)?|[.,]\d+"
_PART = re.compile(rf"({_NUMBER})\s*([a-z]*)\.?")
_CLOCK = re.compile(r"(\d+):([0-5]\d)(?:\s*(?:h|hrs?|hours?))?")


class DurationError(ValueError):
    """Text that is not an amount of time."""


def _number(text: str) -> Decimal:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", text):
        text = text.replace(",", "")
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only numbers
        raise DurationError(text) from error


def _normalise(text: str) -> str:
    text = str(text).strip().lower()
    # "1 200 horas": thousands grouped with a no-break space (as Spanish shows them) are one number.
    text = re.sub(r"(\d)[\u00a0\u202f](?=\d{3}(?!\d))", r"\1", text)
    for dash in ("−", "–", "—", "‐", "－"):  # minus sign, dashes, full-width hyphen-minus
        text = text.replace(dash, "-")
    for fraction, decimal in _FRACTIONS.items():
        text = re.sub(rf"(\d)\s*{fraction}", rf"\g<1>{decimal}", text).replace(fraction, "0" + decimal)
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " "))
    return text


def _unsigned(text: str, bare_hours_up_to: int | None) -> Decimal:
    if text in _PHRASES:
        return Decimal(_PHRASES[text])
    clock = _CLOCK.fullmatch(text)
    if clock:
        return Decimal(int(clock[1]) * 60 + int(clock[2]))
    parts = []
    position = 0
    while position < len(text):
        if parts:  # between parts: a space, a comma, or "and" (English), "a"/"ac" (Welsh), "y" (Spanish)
            gap = re.match(r"\s*(?:,|and\b|ac?\b|y\b)?\s*", text[position:])
            position += gap.end()
        match = _PART.match(text, position)
        if not match or match.end() == position:
            raise DurationError(text)
        parts.append((_number(match[1]), match[2]))
        position = match.end()
    if len(parts) == 1:
        value, unit = parts[0]
        if unit in _HOUR_WORDS:
            return value * 60
        if unit in _MINUTE_WORDS:
            return value
        if unit:
            raise DurationError(text)
        if bare_hours_up_to is None or value <= bare_hours_up_to:
            return value * 60
        return value
    if len(parts) == 2:
        (hours, hour_unit), (mins, minute_unit) = parts
        if (hour_unit in _HOUR_WORDS and minute_unit in _MINUTE_WORDS | {""}
                and hours == hours.to_integral_value() and mins == mins.to_integral_value() and mins < 60):
            return hours * 60 + mins
    raise DurationError(text)


def bare_number(text: str) -> Decimal | None:
    """The number, without its sign, if ``text`` is a number with no unit ("13", "1,5"): the kind
    ``bare_hours_up_to`` reads as hours or minutes. None for anything else."""
    match = re.fullmatch(rf"[+-]?\s*({_NUMBER})", _normalise(text)[:MAX_INPUT_LENGTH + 1])
    return _number(match[1]) if match else None


def parse_duration(text: str, *, bare_hours_up_to: int | None = BARE_HOURS_UP_TO) -> int:
    """Whole minutes from what a person typed (see the module docstring); ``DurationError`` for
    anything else, or for a time that is not a whole number of minutes ("1.51 hours")."""
    text = _normalise(text)
    if not text or len(text) > MAX_INPUT_LENGTH:
        raise DurationError(text[:MAX_INPUT_LENGTH])
    sign = 1
    if text[0] in "+-":
        sign = -1 if text[0] == "-" else 1
        text = text[1:].lstrip()
    value = _unsigned(text, bare_hours_up_to)
    if value != value.to_integral_value():
        raise DurationError(text)
    return sign * int(value)
