from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.communities.models import Area, Category
from coproduce.lib.forms import DurationMinutesField
from coproduce.market.models import DESCRIPTION_MAX, TITLE_MAX, PostKind
from coproduce.members import availability
from coproduce.members.forms import AvailabilityField


class CategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


def _categories(community):
    return (Category.objects.in_use().filter(community=community).select_related("parent")
            .order_by("parent__position", "parent__name", "position", "name"))


class PostForm(forms.Form):
    kind = forms.ChoiceField(label=_("Is this an offer or a request?"), choices=[
        (PostKind.OFFER, _("An offer: I can help with this")),
        (PostKind.REQUEST, _("A request: I'd like help with this")),
    ], widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX,
                            help_text=_("A few words, for example “Help with weeding a small garden”."))
    description = forms.CharField(label=_("More detail"), max_length=DESCRIPTION_MAX, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    category = CategoryField(queryset=Category.objects.none(), label=_("Category"),
                             empty_label=_("Choose a category"),
                             error_messages={"invalid_choice": _("Choose one of this community's categories.")})
    area = forms.ModelChoiceField(queryset=Area.objects.none(), required=False, label=_("Where"),
                                  empty_label=_("Online or anywhere"),
                                  error_messages={"invalid_choice": _("Choose one of this community's areas.")})
    availability = AvailabilityField(label=_("When suits"))
    duration_minutes = DurationMinutesField(label=_("About how long"), min_minutes=15, max_minutes=24 * 60,
                                            initial=60)
    visible_to_linked_banks = forms.BooleanField(
        label=_("Let members of linked time banks see it"), required=False,
        help_text=_("They see the title, the detail and your first name, and can ask their time bank to "
                    "put you in touch. Your time bank must be linked to another for this to matter."))

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories(community)
        self.fields["area"].queryset = Area.objects.filter(community=community)

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["availability"] = availability.to_mask(data["availability"])
        return data


def initial_from(data, form: forms.Form) -> dict:
    """A submitted form's values as another form's initial values (lists for multiple choices)."""
    initial = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.MultipleChoiceField) or getattr(field.widget, "allow_multiple_selected", False):
            initial[name] = data.getlist(name)
        elif name in data:
            initial[name] = data.get(name)
    return initial


class ConceptWordsForm(forms.Form):
    words = forms.CharField(label=_("Add words people use for this"), max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}),
                            help_text=_("One word or several, separated by commas, for example “walkies, pooch”."))


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Show"), required=False, choices=[
        ("", _("Offers and requests")), (PostKind.OFFER, _("Offers only")), (PostKind.REQUEST, _("Requests only"))])
    category = CategoryField(queryset=Category.objects.none(), required=False, label=_("Category"),
                             empty_label=_("Any category"))
    area = forms.ChoiceField(label=_("Where"), required=False)
    within = forms.TypedChoiceField(label=_("Posted"), required=False, coerce=int, empty_value=None, choices=[
        ("", _("Any time")), ("7", _("In the last week")), ("30", _("In the last month")),
        ("90", _("In the last three months"))])
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[
        ("relevance", _("Best match")), ("newest", _("Newest first")), ("ending", _("Closing soonest"))])

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories(community)
        self.areas = {str(a.pk): a for a in Area.objects.filter(community=community)}
        self.fields["area"].choices = [("", _("Anywhere")), ("online", _("Online or anywhere"))] + [
            (pk, a.name) for pk, a in self.areas.items()]

    def search_arguments(self) -> dict:
        data = self.cleaned_data
        area = data.get("area") or ""
        return {"query": data.get("q") or "", "kind": data.get("kind") or None, "category": data.get("category"),
                "area": self.areas.get(area), "online": area == "online", "within_days": data.get("within"),
                "sort": data.get("sort") or "relevance"}


class DoneForm(forms.Form):
    helper = forms.ModelChoiceField(queryset=None, required=False, label=_("Who did it with you?"),
                                    empty_label=_("Nobody here / I'd rather not say"))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = candidates
        self.fields["helper"].label_from_instance = lambda m: m.user.name


class ThankYouForm(forms.Form):
    note = forms.CharField(label=_("Say thank you (optional)"), max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Shown on their profile only if they agree."))
