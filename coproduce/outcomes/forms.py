from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.members.models import Membership
from coproduce.outcomes.models import (
    LONELINESS_QUESTION,
    SCALE_FIELDS,
    WELLBEING_QUESTIONS,
    Loneliness,
)

SCALE_CHOICES = [(str(n), str(n)) for n in range(11)]
SCALE_HELP = _("0 is “not at all”, 10 is “completely”.")


class WellbeingForm(forms.Form):
    """The ONS four questions (0–10) and the loneliness question; any may be left blank."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, question in WELLBEING_QUESTIONS:
            self.fields[name] = forms.TypedChoiceField(
                label=question, choices=SCALE_CHOICES, coerce=int, empty_value=None, required=False,
                widget=forms.RadioSelect(attrs={"class": "scale"}), help_text=SCALE_HELP)
        self.fields["loneliness"] = forms.ChoiceField(
            label=LONELINESS_QUESTION, choices=Loneliness.choices, required=False, widget=forms.RadioSelect)

    def answers(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in (*SCALE_FIELDS, "loneliness")}


class PaperEntryForm(WellbeingForm):
    """A coordinator typing in a paper form on a member's behalf."""

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"] = forms.ModelChoiceField(
            label=_("Member"), queryset=Membership.objects.active().filter(community=community)
            .select_related("user").order_by("user__name"))
        self.fields["member"].label_from_instance = lambda m: m.user.name
        self.fields["answered_on"] = forms.DateField(
            label=_("Date on the form"), help_text=_("For example 2026-11-28."),
            widget=forms.DateInput(attrs={"type": "date"}))
        self.order_fields(["member", "answered_on"])
