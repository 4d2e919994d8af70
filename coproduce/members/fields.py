"""Choosing a member by typing, so forms stay small however large the community grows.

A select list of every member is friendly at 50 members and unusable at 50,000 (and its
page weight grows with the data). The field takes a name, or a member number ("#12",
"12", or "Alice Ashby (#12)" as the suggestions fill it in). Small communities get their
names as native <datalist> suggestions; larger ones get suggestions from the lookup
endpoint through htmx as the person types. Without JavaScript, typing the name works.
"""

import re

from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coproduce.members.models import Membership

INLINE_SUGGESTIONS_UP_TO = 200
_NUMBER = re.compile(r"(?:^|\(|\s)#?(\d+)\)?\s*$")
MAX_TEXT = 200  # longer than any name; anything longer is not a name
LARGEST_NUMBER = 2**63 - 1  # the largest id the database can hold; a longer number is no member


def _member_number(text: str) -> str | None:
    """The member number in "#12", "12" or "Alice Ashby (#12)"; None when there is none."""
    number = _NUMBER.search(text)
    if number and (text.lstrip("#").isdigit() or text.endswith(")")):
        return number.group(1)
    return None


def _in_range(digits: str) -> bool:
    return len(digits) <= 19 and 0 < int(digits) <= LARGEST_NUMBER


def member_label(membership: Membership) -> str:
    return _label(membership.user.name, membership.pk)


def _label(name: str, number: int) -> str:
    return f"{name} (#{number})"


class MemberLookupWidget(forms.TextInput):
    template_name = "members/widgets/member_lookup.html"

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.lookup_url = ""
        self.inline_options: list[str] = []
        # The members this field may name (set by MemberLookupField.configure): a number typed or
        # posted is shown as a name only if it is one of them, never someone of another community
        # or someone who left.
        self.queryset = Membership.objects.none()

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["lookup_url"] = self.lookup_url
        context["widget"]["inline_options"] = self.inline_options
        return context

    def format_value(self, value):
        if isinstance(value, Membership):
            value = value.pk
        if isinstance(value, int) or (isinstance(value, str) and value.isdecimal()):
            found = None
            if _in_range(str(value)):
                found = self.queryset.select_related("user").filter(pk=int(value)).first()
            return member_label(found) if found else str(value)
        return super().format_value(value)


class MemberLookupField(forms.Field):
    widget = MemberLookupWidget
    default_error_messages = {
        "unknown_number": gettext_lazy("There is no member number %(number)s in this community."),
        "unknown_name": gettext_lazy("No member is called “%(name)s”. Check the spelling, or use their member number."),
        "ambiguous": gettext_lazy("More than one member matches “%(name)s”: %(matches)s. Choose one by its number."),
        "not_a_name": gettext_lazy("Type a name or a member number, up to %(max)s characters."),
    }

    def __init__(self, *, queryset=None, **kwargs):
        super().__init__(**kwargs)
        self.queryset = queryset if queryset is not None else Membership.objects.none()

    def configure(self, *, queryset, lookup_url: str, inline_options: list[str]) -> None:
        """Point the field at a community's members (called by the form)."""
        self.queryset = queryset.select_related("user", "area")
        self.widget.queryset = self.queryset
        self.widget.lookup_url = lookup_url
        self.widget.inline_options = inline_options

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Membership):
            return value
        text = str(value).strip()
        if len(text) > MAX_TEXT or "\x00" in text:
            raise forms.ValidationError(self.error_messages["not_a_name"], code="not_a_name",
                                        params={"max": MAX_TEXT})
        number = _member_number(text)
        if number is not None:
            found = self.queryset.filter(pk=int(number)).first() if _in_range(number) else None
            if found is None:  # the same words for someone elsewhere, someone who left and no one
                raise forms.ValidationError(self.error_messages["unknown_number"], code="unknown_number",
                                            params={"number": number})
            return found
        exact = list(self.queryset.filter(user__name__iexact=text)[:6])
        matches = exact or list(self.queryset.filter(user__name__icontains=text)[:6])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise forms.ValidationError(self.error_messages["unknown_name"], code="unknown_name",
                                        params={"name": text})
        listed = ", ".join(
            f"{m.user.name} #{m.pk}" + (f" ({m.area.name})" if m.area_id else "") for m in matches[:5])
        raise forms.ValidationError(self.error_messages["ambiguous"], code="ambiguous",
                                    params={"name": text, "matches": listed})


def _inline_options(queryset) -> list[str]:
    """Names to offer without JavaScript: all of them in a small community, none in a large one.

    Cached on the queryset object, so a formset of many rows asks the database once.
    """
    if not hasattr(queryset, "_inline_member_options"):
        # Names and numbers only, unsorted, sorted here: a large community's first rows read as
        # members only to be thrown away took 15 ms a page at 100,000 members, and sorting them in
        # the database 80 ms (issue 19). One query either way.
        first = sorted(queryset.order_by().values_list("user__name", "pk")[:INLINE_SUGGESTIONS_UP_TO + 1])
        queryset._inline_member_options = (
            [_label(name, pk) for name, pk in first] if len(first) <= INLINE_SUGGESTIONS_UP_TO else [])
    return queryset._inline_member_options


def configure_member_fields(form, community, queryset, names) -> None:
    url = reverse("members:lookup", args=[community.slug])
    fields = [form.fields[name] for name in names if isinstance(form.fields.get(name), MemberLookupField)]
    if not fields:
        return
    options = _inline_options(queryset)
    for field in fields:
        field.configure(queryset=queryset, lookup_url=url, inline_options=options)
        if not field.help_text:
            field.help_text = _("Type a name or a member number.")
