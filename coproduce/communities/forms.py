from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from coproduce.communities.models import Category, Community
from coproduce.communities.services import SETTINGS_FIELDS
from coproduce.lib.colour import normalise_hex
from coproduce.lib.forms import DurationMinutesField
from coproduce.lib.translated import add_translation_fields, other_languages, translations_from

HOURS_RULE = _("A number on its own is hours.")
# Far beyond any balance, well inside the integers the database holds (as for limit exceptions).
BALANCE_BOUND = 100_000 * 60


def _balance_field(label, help_text, **kwargs):
    """A balance or limit typed as people write it ("−20 hours", "-20", "12:30"), cleaned to minutes."""
    return DurationMinutesField(label=label, step=None, bare_hours_up_to=None,
                                help_text=format_lazy("{} {}", help_text, HOURS_RULE), **kwargs)


class LanguagesField(forms.Form):
    """The languages a community writes its texts in, its own always among them (issue 18); on
    the settings page and in the Django admin alike."""

    languages = forms.MultipleChoiceField(
        label=_("Languages its texts are written in"), choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("Its name and description, categories, groups and places can be given in each. "
                    "Its own language is always one of them. Members read the pages in any language "
                    "the site offers."))

    def clean_languages(self):
        chosen = set(self.cleaned_data["languages"]) | {self.cleaned_data.get("default_language")
                                                         or self.instance.default_language}
        return [code for code, _name in settings.LANGUAGES if code in chosen]


class CommunitySettingsForm(LanguagesField, forms.ModelForm):
    """Validates settings; the view saves through update_community_settings."""

    min_balance_minutes = _balance_field(
        _("Lowest balance"), _("For example −20 hours."), min_minutes=-BALANCE_BOUND, max_minutes=0,
        error_messages={"max_value": _("The lowest balance must be zero or below.")})
    max_balance_minutes = _balance_field(
        _("Highest balance"), _("For example 100 hours."), min_minutes=0, max_minutes=BALANCE_BOUND,
        error_messages={"min_value": _("The highest balance must be zero or above.")})
    pot_floor_minutes = _balance_field(
        _("Lowest balance of the community pot"),
        _("0 means the pot can only pay out what members and partners gave it."), min_minutes=-BALANCE_BOUND,
        max_minutes=0,
        error_messages={"max_value": _("The lowest balance must be zero or below.")})
    organisation_floor_minutes = _balance_field(
        _("Lowest balance of a partner organisation"),
        _("For example −200 hours: how much an organisation may credit before it must be topped up; "
          "a coordinator can set an exception for one organisation."),
        min_minutes=-BALANCE_BOUND, max_minutes=0,
        error_messages={"max_value": _("The lowest balance must be zero or below.")})
    approval_ceiling_minutes = DurationMinutesField(
        label=_("Most time one person is credited from the pot or an organisation without approval"),
        min_minutes=15, max_minutes=24 * 60, bare_hours_up_to=None,
        help_text=_("For example 8 hours. More than this for one person in one posting waits for a "
                    "coordinator's approval. A number on its own is hours; in steps of 15 minutes."))

    class Meta:
        model = Community
        fields = SETTINGS_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "privacy_notice": forms.Textarea(attrs={"rows": 6}),
            "started_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        }
        help_texts = {
            "small_count_k": _("Public figures show counts below this as “fewer than k”."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The name and description in the other languages, beside the community's own (issue 18).
        # The language the extra fields were made for (validation may change the instance's).
        self.translated_into = other_languages(self.instance)
        add_translation_fields(self, {"name": self.fields["name"], "description": self.fields["description"]},
                               languages=self.translated_into, texts=self.instance.translations)

    def changes(self) -> dict:
        """What the coordinator changed, as ``update_community_settings`` takes it."""
        changed = {field: self.cleaned_data[field] for field in self.changed_data if "__" not in field}
        if any("__" in field for field in self.changed_data):
            changed["translations"] = translations_from(self.cleaned_data, ("name", "description"),
                                                        languages=self.translated_into,
                                                        kept=self.instance.translations)
        return changed

    def clean_brand_colour(self):
        # "1D70B8" and "#1D70B8" mean #1d70b8; the model's validator then checks the contrast.
        value = self.cleaned_data["brand_colour"]
        try:
            return normalise_hex(value)
        except ValueError:
            return value


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
    """A new category. How it counts in the valuation is set on the valuation page, not here:
    people see categories, only the valuation speaks of activities (issue 13, point 6)."""

    name = forms.CharField(label=_("Name"), max_length=80)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"] = forms.ModelChoiceField(
            Category.objects.filter(community=community, parent__isnull=True, retired=False),
            required=False, label=_("Part of"), empty_label=_("(a new top-level category)"),
            error_messages={"invalid_choice": _("Choose a category of this community.")})
        self.order_fields(["name", "parent"])


class RenameCategoryForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=80)

    def __init__(self, *args, category, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        self.translated_into = other_languages(category.community)
        add_translation_fields(self, {"name": self.fields["name"]}, languages=self.translated_into,
                               texts=category.translations)

    def translations(self) -> dict:
        return translations_from(self.cleaned_data, ("name",), languages=self.translated_into,
                                 kept=self.category.translations)
