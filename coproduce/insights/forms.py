from django import forms
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class IndicatorUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: area_code, indicator, value, and optionally year and source. "
                    "One row per area and indicator."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


LADDER_ROWS = 5


class SelfAssessmentForm(forms.Form):
    """18 cells (principle × level: score 1–5 and an evidence note) and up to five ladder placements."""

    assessed_on = forms.DateField(label=_("Date of this assessment"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        from coproduce.insights.assessment import CELLS
        from coproduce.insights.models import LadderRung, Level

        super().__init__(*args, **kwargs)
        levels = dict(Level.choices)
        score_choices = [("", _("Choose a score"))] + [(str(n), str(n)) for n in range(1, 6)]
        for principle, level in CELLS:
            self.fields[f"score_{principle}_{level}"] = forms.TypedChoiceField(
                label=_("%(level)s — score") % {"level": levels[level]}, choices=score_choices, coerce=int)
            self.fields[f"evidence_{principle}_{level}"] = forms.CharField(
                label=_("%(level)s — evidence") % {"level": levels[level]}, required=False, max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}))
        for i in range(1, LADDER_ROWS + 1):
            self.fields[f"ladder_activity_{i}"] = forms.CharField(
                label=_("Activity %(n)s") % {"n": i}, required=False, max_length=150)
            self.fields[f"ladder_rung_{i}"] = forms.ChoiceField(
                label=_("Activity %(n)s — rung on the ladder") % {"n": i}, required=False,
                choices=[("", "—"), *LadderRung.choices])

    def clean(self):
        cleaned = super().clean()
        for i in range(1, LADDER_ROWS + 1):
            activity, rung = cleaned.get(f"ladder_activity_{i}"), cleaned.get(f"ladder_rung_{i}")
            if activity and not rung:
                self.add_error(f"ladder_rung_{i}", _("Choose a rung for this activity."))
            if rung and not activity:
                self.add_error(f"ladder_activity_{i}", _("Name the activity."))
        return cleaned

    def grid(self):
        """Bound fields grouped for the template: principles, each with its three levels."""
        from coproduce.insights.assessment import GUIDANCE
        from coproduce.insights.models import Level, Principle

        return [
            {"principle": label, "guidance": GUIDANCE[principle], "key": principle,
             "levels": [(self[f"score_{principle}_{level}"], self[f"evidence_{principle}_{level}"])
                        for level in Level.values]}
            for principle, label in Principle.choices
        ]

    def ladder_rows(self):
        return [(self[f"ladder_activity_{i}"], self[f"ladder_rung_{i}"]) for i in range(1, LADDER_ROWS + 1)]

    def service_arguments(self) -> dict:
        from coproduce.insights.assessment import CELLS, Cell

        data = self.cleaned_data
        return {
            "assessed_on": data["assessed_on"],
            "cells": {(p, lv): Cell(data[f"score_{p}_{lv}"], data.get(f"evidence_{p}_{lv}", "")) for p, lv in CELLS},
            "ladder": [(data[f"ladder_activity_{i}"], data[f"ladder_rung_{i}"]) for i in range(1, LADDER_ROWS + 1)
                       if data.get(f"ladder_activity_{i}")],
        }


class RateSetChoiceForm(forms.Form):
    rate_set = forms.ModelChoiceField(label=_("Rate set"), queryset=None, empty_label=None,
                                      help_text=_("Site admins maintain the rates and their sources."))

    def __init__(self, *args, **kwargs):
        from coproduce.insights.models import RateSet

        super().__init__(*args, **kwargs)
        self.fields["rate_set"].queryset = RateSet.objects.all()


class CategoryActivitiesForm(forms.Form):
    """One choice per category: the valuation activity it counts as (``valuation.map_categories``)."""

    def __init__(self, *args, mapping, **kwargs):
        from coproduce.communities.activities import Activity

        super().__init__(*args, **kwargs)
        self.rows = mapping
        for row in mapping:
            category = row["category"]
            label = (category.name if row["top"] else
                     _("%(category)s (part of %(parent)s)") % {"category": category.name, "parent": row["parent"].name})
            self.fields[f"category_{category.pk}"] = forms.ChoiceField(
                label=label, choices=Activity.choices, initial=category.activity,
                error_messages={"invalid_choice": _("Choose one of the activities listed.")})

    def activities(self) -> dict[int, str]:
        return {row["category"].pk: self.cleaned_data[f"category_{row['category'].pk}"] for row in self.rows}

    def fields_with_rows(self):
        return [(row, self[f"category_{row['category'].pk}"]) for row in self.rows]
