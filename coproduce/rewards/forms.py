"""The counter's forms (phone-sized: few fields, big targets) and the member's PIN."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.partners.forms import KeyedForm


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The member's code"), max_length=12, help_text=_("Six letters and numbers, like K7MP3X."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                                      "class": "govuk-input--width-10"}))


class ConfirmCodeForm(CodeForm):
    code = forms.CharField(widget=forms.HiddenInput, max_length=12)
    age_checked = forms.BooleanField(label=_("I have checked their age"), required=False)


class CardForm(KeyedForm):
    number = forms.CharField(label=_("Member number"), max_length=12,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                           "class": "govuk-input--width-10"}))
    pin = forms.CharField(label=_("PIN"), max_length=6, help_text=_("The member types it."),
                          widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                            "class": "govuk-input--width-5"}))
    listing = forms.ModelChoiceField(queryset=None, label=_("What for"), empty_label=None)
    age_checked = forms.BooleanField(label=_("I have checked their age (if it has an age limit)"), required=False)

    def __init__(self, *args, listings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listing"].queryset = listings


class PinForm(forms.Form):
    pin = forms.CharField(label=_("Choose a PIN"), min_length=4, max_length=6,
                          help_text=_("4 to 6 digits. You type it at the counter with your member number."),
                          widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password",
                                                            "class": "govuk-input--width-5"}))


def _venue_types():
    from coproduce.partners.models import OrganisationType
    from coproduce.rewards.models import VENUE_TYPES

    labels = dict(OrganisationType.choices)
    return [(value, str(labels[value]).capitalize()) for value in VENUE_TYPES]


class VenueApplicationForm(forms.Form):
    name = forms.CharField(label=_("The business's name"), max_length=150)
    type = forms.ChoiceField(label=_("Kind of business"), choices=_venue_types, widget=forms.RadioSelect)
    description = forms.CharField(label=_("What it is, and what a time credit could buy there"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    contact_phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why (the member sees this)"), max_length=500)
