"""One format for an amount of time, and the spellings people type (``coproduce.lib.duration``)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coproduce.lib.duration import (
    DurationError,
    format_duration,
    format_signed_duration,
    parse_duration,
)
from coproduce.lib.forms import DurationMinutesField


@pytest.mark.parametrize(("minutes", "text"), [
    (0, "0 hours"), (1, "1 minute"), (15, "15 minutes"), (45, "45 minutes"), (60, "1 hour"),
    (90, "1 hour 30 minutes"), (61, "1 hour 1 minute"), (720, "12 hours"), (-135, "−2 hours 15 minutes"),
    (-45, "−45 minutes"), (60_000, "1,000 hours"), (72_015, "1,200 hours 15 minutes"),
])
def test_format(minutes, text):
    assert format_duration(minutes) == text


def test_signed_format_marks_gains_only():
    assert [format_signed_duration(m) for m in (90, 0, -90)] == ["+1 hour 30 minutes", "0 hours",
                                                                 "−1 hour 30 minutes"]


@given(st.integers(min_value=-10**9, max_value=10**9))
def test_every_formatted_duration_parses_back(minutes):
    assert parse_duration(format_duration(minutes)) == minutes
    assert parse_duration(format_signed_duration(minutes)) == minutes


@given(st.integers(min_value=0, max_value=10**6).map(lambda steps: steps * 15))
def test_every_formatted_duration_is_accepted_by_the_field(minutes):
    field = DurationMinutesField(min_minutes=None, max_minutes=None)
    assert field.clean(field.prepare_value(minutes)) == minutes


@pytest.mark.parametrize(("text", "minutes"), [
    ("1:30", 90), ("0:45", 45), ("12:00", 720), ("1.5", 90), ("1,5", 90), ("1.25", 75), (".5", 30),
    ("90", 90), ("90 min", 90), ("90min", 90), ("90 mins", 90), ("90 minutes", 90), ("90m", 90),
    ("1 h 30", 90), ("1h30", 90), ("1h30m", 90), ("1 hr 30 min", 90), ("1 hour 30 minutes", 90),
    ("1 hour and 30 minutes", 90), ("1 hour, 30 minutes", 90), ("2 hours", 120), ("2 hrs", 120),
    ("2h", 120), ("2", 120), ("12", 720), ("13", 13), ("45", 45), ("45 minutes", 45), ("1.5 hours", 90),
    ("1,5 h", 90), ("¾", 45), ("1½", 90), ("1 ½ hours", 90), ("half an hour", 30), ("an hour", 60),
    ("  2 Hours ", 120), ("-2 hours 15 minutes", -135), ("−2:15", -135), ("1,200 hours", 72_000),
    ("2 awr", 120), ("30 munud", 30), ("0", 0),
])
def test_each_spelling_parses(text, minutes):
    assert parse_duration(text) == minutes


def test_a_bare_number_is_hours_where_balances_are_typed():
    assert parse_duration("20", bare_hours_up_to=None) == 1200
    assert parse_duration("-200", bare_hours_up_to=None) == -12_000


@pytest.mark.parametrize("text", [
    "", "   ", "abc", "1 30", "1:75", "1:5", "1.51", "12.5", "1 hour 90 minutes", "1 h 30 h", "--1", "1e3",
    "ten", "1/2", "0x10", "1.5 hours 30 minutes", "1" * 60, "NaN", "inf", "½½", "1:30:00",
])
def test_anything_else_is_refused(text):
    with pytest.raises(DurationError):
        parse_duration(text)


def field_error(field, value):
    with pytest.raises(Exception) as error:
        field.clean(value)
    return error.value.messages


def ledger_field(**kwargs):
    return DurationMinutesField(min_minutes=15, max_minutes=24 * 60, step=15, **kwargs)


def test_field_cleans_to_minutes_and_shows_them_in_words():
    field = ledger_field()
    assert field.clean("1:30") == 90
    assert field.prepare_value(90) == "1 hour 30 minutes"
    assert field.prepare_value("1:3") == "1:3"  # what was typed stays, to be corrected
    assert "A number on its own up to 12 is hours" in str(field.help_text)
    assert "steps of 15 minutes" in str(field.help_text)


@pytest.mark.parametrize(("value", "message"), [
    ("", "This field is required."),
    ("   ", "This field is required."),
    ("-1:00", "Enter a time above zero, such as 1:30, 1.5 hours or 90 minutes."),
    ("0", "Enter a time above zero, such as 1:30, 1.5 hours or 90 minutes."),
    ("lots", "Enter a time such as 1:30, 1.5 hours or 90 minutes."),
    ("x" * 5000, "Enter a time such as 1:30, 1.5 hours or 90 minutes, in fewer than 50 characters."),
    ("25 hours", "Enter at most 24 hours."),
    ("1:20", "Record time in steps of 15 minutes, such as 1 hour 15 minutes or 1:30."),
    ("13", "Enter at least 15 minutes."),
    ("\x00", "Enter a time such as 1:30, 1.5 hours or 90 minutes."),
])
def test_field_errors(value, message):
    assert field_error(ledger_field(), value)[0] == message


@pytest.mark.parametrize(("value", "first"), [
    ("13", "Enter at least 15 minutes."),
    ("12.5", "Enter a time such as 1:30, 1.5 hours or 90 minutes."),
    ("2000", "Enter at most 24 hours."),
])
def test_a_bare_number_read_as_minutes_says_how_to_write_hours(value, first):
    assert field_error(ledger_field(), value) == [
        first, f"A number on its own above 12 counts as minutes: write “{value} hours” if you meant hours."]


def test_no_hint_for_what_is_not_a_bare_number():
    assert field_error(ledger_field(), "13 min") == ["Enter at least 15 minutes."]
    assert field_error(ledger_field(), "1:20") == [
        "Record time in steps of 15 minutes, such as 1 hour 15 minutes or 1:30."]


def test_optional_field_is_none_when_empty():
    assert ledger_field(required=False).clean("") is None


def test_balance_field_reads_numbers_as_hours_and_allows_negatives():
    field = DurationMinutesField(min_minutes=-100_000 * 60, max_minutes=0, step=None, bare_hours_up_to=None)
    assert field.clean("-20") == -1200
    assert field.clean("−12:30") == -750
    assert field.clean("0") == 0
    assert field_error(field, "1 hour") == ["Enter at most 0 hours."]
    assert field_error(field, "-100001 hours") == ["Enter at least −100,000 hours."]
    assert "A number on its own is hours." in str(field.help_text)


def test_a_kept_text_follows_the_language():
    """``format_duration`` keeps each text per language: switching language must never show the
    words or the grouping of the one before."""
    from django.utils import translation

    from coproduce.lib.duration import format_duration

    written = {}
    for language in ("en-gb", "cy", "es", "en-gb"):
        with translation.override(language):
            written.setdefault(language, format_duration(90_061))
            assert format_duration(90_061) == written[language]
    assert written["en-gb"] == "1,501 hours 1 minute"
    assert written["es"] == "1\xa0501 horas 1 minuto" and written["cy"] not in (written["en-gb"], written["es"])
