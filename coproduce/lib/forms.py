"""Form fields shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from coproduce.lib.duration import (
    BARE_HOURS_UP_TO,
    MAX_INPUT_LENGTH,
    DurationError,
    bare_number,
    format_duration,
    parse_duration,
)

HELP_BARE_HOURS_UP_TO_12 = _("For example 1:30, 1.5 hours or 90 minutes. A number on its own up to 12 is "
                             "hours; a bigger one is minutes.")
HELP_BARE_HOURS = _("For example 20 hours or 12:30. A number on its own is hours.")
HELP_STEP = _("Time is counted in steps of 15 minutes.")


class DurationMinutesField(forms.Field):
    """An amount of time typed the way people write it ("1:30", "1.5", "90 min", "2 hours"), cleaned
    to whole minutes; shown back in the words ``format_duration`` uses, which it accepts too.

    ``min_minutes``/``max_minutes`` bound it (``None``: unbounded), ``step`` is the step in minutes
    (``None``: any), ``bare_hours_up_to`` is how a number on its own is read (``parse_duration``)."""

    widget = forms.TextInput
    default_error_messages = {
        "invalid": _("Enter a time such as 1:30, 1.5 hours or 90 minutes."),
        "too_long": _("Enter a time such as 1:30, 1.5 hours or 90 minutes, in fewer than 50 characters."),
        "not_positive": _("Enter a time above zero, such as 1:30, 1.5 hours or 90 minutes."),
        "min_value": _("Enter at least %(limit_value)s."),
        "max_value": _("Enter at most %(limit_value)s."),
        "step": _("Record time in steps of 15 minutes, such as 1 hour 15 minutes or 1:30."),
        "bare_minutes": _("A number on its own above 12 counts as minutes: write “%(number)s hours” if you "
                          "meant hours."),
    }

    def __init__(self, *, min_minutes: int | None = 1, max_minutes: int | None = None, step: int | None = 15,
                 bare_hours_up_to: int | None = BARE_HOURS_UP_TO, **kwargs):
        self.min_minutes, self.max_minutes, self.step = min_minutes, max_minutes, step
        self.bare_hours_up_to = bare_hours_up_to
        if "help_text" not in kwargs:
            help_text = HELP_BARE_HOURS_UP_TO_12 if bare_hours_up_to == BARE_HOURS_UP_TO else HELP_BARE_HOURS
            kwargs["help_text"] = format_lazy("{} {}", help_text, HELP_STEP) if step == 15 else help_text
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"autocomplete": "off", "spellcheck": "false", "maxlength": str(MAX_INPUT_LENGTH),
                      "size": "20"})
        return attrs

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return format_duration(value)
        return value

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value)
        if len(text) > MAX_INPUT_LENGTH:
            raise ValidationError(self.error_messages["too_long"], code="too_long")
        try:
            return parse_duration(text, bare_hours_up_to=self.bare_hours_up_to)
        except DurationError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError as error:
            # "13" is read as 13 minutes: if that is refused, say how to write 13 hours.
            if self._read_as_minutes(value):
                hint = self.error_messages["bare_minutes"] % {"number": value.strip()}
                raise ValidationError([*error.error_list, ValidationError(hint, code="bare_minutes")]) from None
            raise

    def _read_as_minutes(self, value) -> bool:
        if self.bare_hours_up_to is None or not isinstance(value, str) or len(value) > MAX_INPUT_LENGTH:
            return False
        number = bare_number(value)
        return number is not None and number > self.bare_hours_up_to

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.min_minutes is not None and value < self.min_minutes:
            if self.min_minutes > 0 and value <= 0:
                raise ValidationError(self.error_messages["not_positive"], code="not_positive")
            raise ValidationError(self.error_messages["min_value"], code="min_value",
                                  params={"limit_value": format_duration(self.min_minutes)})
        if self.max_minutes is not None and value > self.max_minutes:
            raise ValidationError(self.error_messages["max_value"], code="max_value",
                                  params={"limit_value": format_duration(self.max_minutes)})
        if self.step and value % self.step:
            raise ValidationError(self.error_messages["step"], code="step")
