from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.communities.activities import Activity
from coproduce.communities.models import Category, Community
from coproduce.communities.services import SETTINGS_FIELDS


class CommunitySettingsForm(forms.ModelForm):
    """Validates settings; the view saves through update_community_settings."""

    class Meta:
        model = Community
        fields = SETTINGS_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "privacy_notice": forms.Textarea(attrs={"rows": 6}),
            "started_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        }
        help_texts = {
            "min_balance_minutes": _("For example −1200 for −20 hours."),
            "max_balance_minutes": _("For example 6000 for 100 hours."),
            "small_count_k": _("Public figures show counts below this as “fewer than k”."),
            "approval_ceiling_minutes": _("For example 480 for 8 hours. More than this for one person in "
                                          "one posting waits for a coordinator's approval."),
        }


class AreaForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("For example a ward or LSOA code."))
    name = forms.CharField(label=_("Name"), max_length=120)
    latitude = forms.DecimalField(label=_("Latitude (optional)"), required=False, max_digits=8,
                                  decimal_places=5, min_value=-90, max_value=90)
    longitude = forms.DecimalField(label=_("Longitude (optional)"), required=False, max_digits=8,
                                   decimal_places=5, min_value=-180, max_value=180)

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        return data


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    activity = forms.ChoiceField(label=_("Counts in reports as"), choices=Activity.choices)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"] = forms.ModelChoiceField(
            Category.objects.filter(community=community, parent__isnull=True, retired=False),
            required=False, label=_("Part of"), empty_label=_("(a new top-level category)"),
            error_messages={"invalid_choice": _("Choose a category of this community.")})
        self.order_fields(["name", "parent", "activity"])


class RenameCategoryForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=80)
