"""The guided survey: the period and the income (round 1), then a row for each supplier or group
of staff (round 2), with, for local ones, the share they re-spend in the area (round 3)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.localmoney.models import SpendKind
from coproduce.localmoney.services import Line


def _pounds(label, **kwargs):
    return forms.DecimalField(label=label, max_digits=14, decimal_places=2, min_value=Decimal("0"),
                              widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01",
                                                              "class": "govuk-input--width-10"}), **kwargs)


def pence(value: Decimal | None) -> int:
    return int((value or Decimal("0")) * 100)


class SurveyForm(forms.Form):
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    income = _pounds(_("Round 1: all your income in the period (£)"),
                     help_text=_("Sales, grants, contracts, donations: everything that came in."))
    notes = forms.CharField(label=_("Notes on how you worked it out"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))


class LineForm(forms.Form):
    name = forms.CharField(label=_("Paid to"), max_length=150, required=False,
                           help_text=_("A supplier, or a group of staff such as “kitchen staff”."))
    kind = forms.ChoiceField(label=_("Kind"), choices=SpendKind.choices, initial=SpendKind.SUPPLIER)
    amount = _pounds(_("Round 2: amount in the period (£)"), required=False)
    local = forms.BooleanField(label=_("They are in the area (staff: they live in it)"), required=False)
    respent = forms.IntegerField(label=_("Round 3: share they spend in the area (%)"), min_value=0, max_value=100,
                                 required=False, help_text=_("From asking them; leave empty if not surveyed."),
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric",
                                                                 "class": "govuk-input--width-3"}))

    def line(self) -> Line | None:
        data = self.cleaned_data
        if not data.get("name") and data.get("amount") is None:
            return None  # an empty row
        return Line(name=data.get("name") or "", kind=data["kind"], amount_pence=pence(data.get("amount")),
                    local=bool(data.get("local")), respent_locally_percent=data.get("respent"))


LineFormSet = forms.formset_factory(LineForm, extra=0, max_num=200, validate_max=True)
