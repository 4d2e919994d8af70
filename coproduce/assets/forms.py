"""Forms of the directory: the filters, an entry with one place and one schedule, suggestions."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coproduce.assets import queries
from coproduce.assets.models import Cost, Frequency, TaxonomyTerm
from coproduce.assets.services import DAY_CODES, PlaceData, ScheduleData, normalise_postcode
from coproduce.assets.venues import Hours
from coproduce.communities.models import Area
from coproduce.lib.translated import (
    add_translation_fields,
    in_language,
    other_languages,
    translations_from,
)

DAYS = [
    ("MO", _("Monday")),
    ("TU", _("Tuesday")),
    ("WE", _("Wednesday")),
    ("TH", _("Thursday")),
    ("FR", _("Friday")),
    ("SA", _("Saturday")),
    ("SU", _("Sunday")),
]
DAY_NAMES = dict(DAYS)


def _terms(community):
    """The community's terms, without those of retired categories."""
    return (
        TaxonomyTerm.objects.filter(taxonomy__community=community)
        .exclude(category__retired=True)
        .select_related("parent")
        .order_by("name")
    )


def _postcode(value) -> str:
    try:
        return normalise_postcode(value or "")
    except ValidationError as error:
        raise ValidationError(error.messages) from None


class TermsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return str(obj.category) if obj.category_id else (
            f"{obj.parent.name}: {obj.name}" if obj.parent_id else obj.name)


class FilterCheckbox(forms.CheckboxInput):
    """A checkbox that is absent, not False, when unticked: the filter disclosure then counts only
    ticked ones as filters in use."""

    def value_from_datadict(self, data, files, name):
        return super().value_from_datadict(data, files, name) if name in data else None


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    # Choices as plain rows (one light query): every directory page shows this list, and building
    # a model instance per term cost more than the page's search.
    term = forms.ChoiceField(label=_("Category"), required=False)
    near = forms.CharField(label=_("Near"), max_length=10, required=False, widget=forms.Select)
    postcode = forms.CharField(
        label=_("Or near a postcode"),
        max_length=10,
        required=False,
        help_text=_("A postcode of a place in the directory, like SW1A 1AA."),
    )
    within = forms.TypedChoiceField(
        label=_("Within"),
        required=False,
        coerce=int,
        empty_value=2,
        choices=[("2", _("2 km")), ("1", _("1 km")), ("5", _("5 km")), ("10", _("10 km"))],
    )
    day = forms.ChoiceField(label=_("Open on"), required=False, choices=[("", _("Any day")), *DAYS])
    at = forms.TimeField(
        label=_("Open at"),
        required=False,
        help_text=_("A time such as 14:30."),
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    free = forms.BooleanField(label=_("Free only"), required=False, widget=FilterCheckbox)
    credits = forms.BooleanField(label=_("Where I can spend time credits"), required=False, widget=FilterCheckbox)
    accessible = forms.BooleanField(
        label=_("Step-free or with an accessible toilet"), required=False, widget=FilterCheckbox
    )
    age = forms.IntegerField(
        label=_("For someone aged"),
        required=False,
        min_value=0,
        max_value=120,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        self.fields["term"].choices = [("", _("Any category"))] + [
            (str(pk), f"{in_language(parent, parent_texts)}: {in_language(name, texts)}" if parent
             else in_language(name, texts))
            for pk, name, parent, texts, parent_texts in _terms(community).values_list(
                "pk", "name", "parent__name", "category__translations", "parent__category__translations")
        ]
        self.areas = {
            str(a.pk): a for a in Area.objects.filter(community=community, latitude__isnull=False)
        }
        self.fields["near"].widget.choices = [("", _("Anywhere"))] + [
            (pk, a.name) for pk, a in self.areas.items()
        ]

    def clean_near(self):
        near = self.cleaned_data.get("near") or ""
        if near and near not in self.areas:
            raise ValidationError(_("Choose one of the areas."))
        return near

    def clean_term(self):
        chosen = self.cleaned_data.get("term")
        return _terms(self.community).get(pk=chosen) if chosen else None

    def clean_postcode(self):
        return _postcode(self.cleaned_data.get("postcode"))

    def clean(self):
        data = super().clean()
        if (
            data.get("postcode")
            and queries.point_of_postcode(self.community, data["postcode"]) is None
        ):
            self.add_error(
                "postcode", _("No place in the directory has this postcode; try an area instead.")
            )
        return data

    def search_arguments(self) -> dict:
        data = self.cleaned_data
        near = None
        km = float(data.get("within") or 2)
        if data.get("postcode"):
            latitude, longitude = queries.point_of_postcode(self.community, data["postcode"])
            near = queries.Near(latitude, longitude, km)
        elif data.get("near"):
            area = self.areas[data["near"]]
            near = queries.Near(area.latitude, area.longitude, km)
        return {
            "text": data.get("q") or "",
            "term": data.get("term"),
            "near": near,
            "day": data.get("day") or "",
            "at": data.get("at"),
            "free": bool(data.get("free")),
            "credits": bool(data.get("credits")),
            "accessible": bool(data.get("accessible")),
            "age": data.get("age"),
        }


class ServiceForm(forms.Form):
    """An entry with one place and one schedule (most have one of each; more come by import)."""

    organisation = forms.ModelChoiceField(queryset=None, label=_("Run by"), empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("What it is"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    terms = TermsField(
        queryset=TaxonomyTerm.objects.none(),
        required=False,
        label=_("Categories"),
        widget=forms.CheckboxSelectMultiple,
    )
    cost = forms.ChoiceField(
        label=_("Cost"), choices=Cost.choices, widget=forms.RadioSelect, initial=Cost.FREE
    )
    cost_detail = forms.CharField(label=_("About the cost"), max_length=200, required=False)
    credits_minutes = forms.IntegerField(
        label=_("Time credits (minutes)"), required=False, min_value=1
    )
    minimum_age = forms.IntegerField(
        label=_("Youngest age"), required=False, min_value=0, max_value=120
    )
    maximum_age = forms.IntegerField(
        label=_("Oldest age"), required=False, min_value=0, max_value=120
    )
    eligibility = forms.CharField(label=_("Who it is for"), max_length=300, required=False)
    languages = forms.CharField(
        label=_("Languages"),
        max_length=100,
        required=False,
        help_text=_("Language codes separated by commas, like en, cy, pl."),
    )
    url = forms.URLField(label=_("Web page"), required=False, assume_scheme="https")
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    # The place.
    place_name = forms.CharField(label=_("Name of the place"), max_length=200, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    city = forms.CharField(label=_("Town or city"), max_length=100, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=9, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6
    )
    step_free = forms.BooleanField(label=_("Step-free access"), required=False)
    accessible_toilet = forms.BooleanField(label=_("Accessible toilet"), required=False)
    accessibility = forms.CharField(
        label=_("Accessibility notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # The schedule.
    freq = forms.ChoiceField(
        label=_("Repeats"),
        required=False,
        widget=forms.RadioSelect,
        choices=[("", _("On one date")), *Frequency.choices],
    )
    byday = forms.MultipleChoiceField(
        label=_("Days"), required=False, choices=DAYS, widget=forms.CheckboxSelectMultiple
    )
    opens_at = forms.TimeField(
        label=_("Opens"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    closes_at = forms.TimeField(
        label=_("Closes"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    valid_from = forms.DateField(
        label=_("From (or the date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    valid_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    schedule_description = forms.CharField(
        label=_("When, in words"), max_length=300, required=False
    )

    SERVICE_KEYS = (
        "name",
        "description",
        "url",
        "email",
        "phone",
        "cost",
        "cost_detail",
        "credits_minutes",
        "minimum_age",
        "maximum_age",
        "eligibility",
    )
    # Errors the service raises, by its key, shown on this form's field.
    FIELD_OF_ERROR = {
        "name": "name",
        "latitude": "latitude",
        "longitude": "longitude",
        "postcode": "postcode",
        "freq": "freq",
        "byday": "byday",
        "closes_at": "closes_at",
        "valid_to": "valid_to",
        "valid_from": "valid_from",
        "languages": "languages",
        "maximum_age": "maximum_age",
        "minimum_age": "minimum_age",
        "credits_minutes": "credits_minutes",
        "terms": "terms",
        "cost": "cost",
        "organisation": "organisation",
    }

    def __init__(self, *args, community, organisations, service=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["terms"].queryset = _terms(community)
        # What it is, in the other languages too (issue 18), keeping those no longer offered.
        self.translated_into = other_languages(community)
        self.kept_translations = service.translations if service is not None else {}
        add_translation_fields(self, {"description": self.fields["description"]}, languages=self.translated_into)

    @classmethod
    def initial_for(cls, service) -> dict:
        place = next(iter(service.locations.all()), None)
        schedule = next(iter(service.schedules.all()), None)
        initial = {key: getattr(service, key) for key in cls.SERVICE_KEYS}
        for code, texts in (service.translations or {}).items():
            initial[f"description__{code}"] = texts.get("description", "")
        initial.update(
            organisation=service.organisation_id,
            terms=list(service.terms.all()),
            languages=", ".join(service.languages),
        )
        if place is not None:
            initial.update(
                place_name=place.name,
                address=place.address,
                city=place.city,
                postcode=place.postcode,
                latitude=place.latitude,
                longitude=place.longitude,
                step_free=place.step_free,
                accessible_toilet=place.accessible_toilet,
                accessibility=place.accessibility,
            )
        if schedule is not None:
            initial.update(
                freq=schedule.freq,
                byday=[d for d in schedule.byday.split(",") if d],
                opens_at=schedule.opens_at,
                closes_at=schedule.closes_at,
                valid_from=schedule.valid_from,
                valid_to=schedule.valid_to,
                schedule_description=schedule.description,
            )
        return initial

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        place = PlaceData(
            name=data["place_name"],
            address=data["address"],
            city=data["city"],
            postcode=data["postcode"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            step_free=data["step_free"],
            accessible_toilet=data["accessible_toilet"],
            accessibility=data["accessibility"],
        )
        schedule = ScheduleData(
            freq=data["freq"],
            byday=[d for d in data["byday"] if d in DAY_CODES],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            description=data["schedule_description"],
        )
        return {
            "organisation": data["organisation"],
            "places": [place],
            "schedules": [schedule],
            "terms": list(data["terms"]),
            "languages": [c for c in data["languages"].split(",") if c.strip()],
            "translations": translations_from(data, ("description",), languages=self.translated_into,
                                              kept=self.kept_translations),
            **{key: data[key] for key in self.SERVICE_KEYS},
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's refusal on the field it is about (or above the form)."""
        if hasattr(error, "error_dict"):
            for key, messages in error.message_dict.items():
                self.add_error(self.FIELD_OF_ERROR.get(key), messages)
        else:
            self.add_error(None, error.messages)


class SuggestionForm(forms.Form):
    name = forms.CharField(label=_("What is it called?"), max_length=200)
    details = forms.CharField(
        label=_("What should the directory say?"),
        help_text=_("What it is, who runs it, when it is on, and how to get in touch."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    place = forms.CharField(label=_("Where is it?"), max_length=300, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)

    def clean_postcode(self):
        return _postcode(self.cleaned_data.get("postcode"))


class CorrectionForm(forms.Form):
    details = forms.CharField(
        label=_("What needs correcting?"), widget=forms.Textarea(attrs={"rows": 5})
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you declining it?"),
        max_length=300,
        help_text=_("The member who suggested it sees this."),
    )


class VenuePlaceForm(forms.Form):
    """A venue's place and its opening times, a pair of times for each day (both empty: closed)."""

    place_name = ServiceForm.base_fields["place_name"]
    address = ServiceForm.base_fields["address"]
    city = ServiceForm.base_fields["city"]
    postcode = ServiceForm.base_fields["postcode"]
    latitude = ServiceForm.base_fields["latitude"]
    longitude = ServiceForm.base_fields["longitude"]
    step_free = ServiceForm.base_fields["step_free"]
    accessible_toilet = ServiceForm.base_fields["accessible_toilet"]
    accessibility = ServiceForm.base_fields["accessibility"]

    PLACE_KEYS = ("place_name", "address", "city", "postcode", "latitude", "longitude", "step_free",
                  "accessible_toilet", "accessibility")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, day in DAYS:
            for edge, label in (("opens", _("%(day)s: opens")), ("closes", _("%(day)s: closes"))):
                self.fields[f"{edge}_{code}"] = forms.TimeField(
                    label=label % {"day": day}, required=False,
                    widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    @classmethod
    def initial_for(cls, place, hours) -> dict:
        initial = {}
        if place is not None:
            initial = {key: getattr(place, "name" if key == "place_name" else key) for key in cls.PLACE_KEYS}
        for opening in hours:
            initial[f"opens_{opening.day}"] = opening.opens_at
            initial[f"closes_{opening.day}"] = opening.closes_at
        return initial

    def clean(self):
        data = super().clean()
        for code, _day in DAYS:
            opens, closes = data.get(f"opens_{code}"), data.get(f"closes_{code}")
            if (opens is None) != (closes is None) and not self.has_error(f"opens_{code}") \
                    and not self.has_error(f"closes_{code}"):
                self.add_error(f"closes_{code}" if closes is None else f"opens_{code}",
                               _("Give both times, or leave both empty when it is closed that day."))
        return data

    def place(self) -> PlaceData:
        data = self.cleaned_data
        return PlaceData(name=data["place_name"], address=data["address"], city=data["city"],
                         postcode=data["postcode"], latitude=data["latitude"], longitude=data["longitude"],
                         step_free=data["step_free"], accessible_toilet=data["accessible_toilet"],
                         accessibility=data["accessibility"])

    def hours(self) -> list:
        data = self.cleaned_data
        return [Hours(code, data[f"opens_{code}"], data[f"closes_{code}"]) for code, _day in DAYS
                if data.get(f"opens_{code}") and data.get(f"closes_{code}")]

    def add_service_errors(self, error: ValidationError) -> None:
        for key, messages in error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]:
            field = f"closes_{key}" if key in DAY_CODES else key if key in self.fields else None
            self.add_error(field, messages)
