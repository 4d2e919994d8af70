from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from coproduce.accounts.models import ContactPreference
from coproduce.communities.models import Area, Category
from coproduce.lib.translated import translated
from coproduce.members import availability
from coproduce.members.models import AgeBand, Gender, HeardFrom, Role


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return translated(obj, "name")


def _area_field(community, *, required=False):
    return forms.ModelChoiceField(
        queryset=Area.objects.filter(community=community), required=required,
        label=_("Area where you live"), empty_label=_("Choose your area"),
        error_messages={"invalid_choice": _("Choose one of this community's areas.")},
    )


def _category_queryset(community):
    return (Category.objects.in_use().filter(community=community, parent__isnull=False)
            .select_related("parent").order_by("parent__position", "position", "name"))


class ApplicationForm(forms.Form):
    offers = forms.CharField(label=_("What could you offer other people?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Everyone has something: a skill, a chat, a lift, a cup of tea."))
    needs = forms.CharField(label=_("What would you like help with? (optional)"), max_length=2000,
                            required=False, widget=forms.Textarea(attrs={"rows": 3}))
    heard_from = forms.ChoiceField(label=_("How did you hear about us?"), choices=HeardFrom.choices)
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree to this community keeping my details."),
        error_messages={"required": _("Please agree to the privacy notice so we can keep your details.")})

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = _area_field(community)
        self.order_fields(["offers", "needs", "area", "heard_from", "consent"])


class InterviewNotesForm(forms.Form):
    notes = forms.CharField(label=_("Interview notes (seen by coordinators only)"), max_length=5000,
                            required=False, widget=forms.Textarea(attrs={"rows": 5}))


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to the applicant)"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Say why, so the applicant understands.")})


class AvailabilityField(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=availability.slot_choices(), coerce=int, required=False, **kwargs)


class ProfileForm(forms.Form):
    """One person's profile in one community: who they are and what they bring."""

    name = forms.CharField(label=_("Name"), max_length=150)
    about_me = forms.CharField(label=_("About me"), max_length=2000, required=False,
                               widget=forms.Textarea(attrs={"rows": 4}))
    skills_text = forms.CharField(label=_("Other things I can offer"), max_length=500, required=False)
    interests_text = forms.CharField(label=_("Other things I'd like help with"), max_length=500, required=False)
    availability = AvailabilityField(label=_("When I'm usually free"))
    languages = forms.CharField(label=_("Languages I speak"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language for pages and e-mails"), required=False,
                                 choices=[("", _("The community's language")), *list(settings.LANGUAGES)])
    access_needs = forms.CharField(label=_("Access needs"), max_length=1000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text=_("Anything that helps people meet you well: step-free access, a hearing loop, large print."))
    contact_preference = forms.ChoiceField(label=_("How I like to be contacted"), choices=ContactPreference.choices)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    share_email = forms.BooleanField(label=_("Show my e-mail address to other members"), required=False)
    share_phone = forms.BooleanField(label=_("Show my phone number to other members"), required=False)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = _area_field(community)
        self.fields["skills"] = CategoryChoiceField(_category_queryset(community), required=False,
                                                    label=_("What I can offer"))
        self.fields["interests"] = CategoryChoiceField(_category_queryset(community), required=False,
                                                       label=_("What I'd like help with"))
        self.order_fields(["name", "about_me", "area", "skills", "skills_text", "interests",
                           "interests_text", "availability", "languages", "language", "access_needs",
                           "contact_preference", "phone", "share_email", "share_phone"])

    @classmethod
    def initial_for(cls, membership):
        user = membership.user
        return {
            "name": user.name, "about_me": user.about_me, "languages": user.languages, "language": user.language,
            "access_needs": user.access_needs, "contact_preference": user.contact_preference,
            "phone": user.phone, "share_email": user.share_email, "share_phone": user.share_phone,
            "area": membership.area_id, "skills_text": membership.skills_text,
            "interests_text": membership.interests_text,
            "availability": availability.from_mask(membership.availability),
            "skills": list(membership.skills.values_list("pk", flat=True)),
            "interests": list(membership.interests.values_list("pk", flat=True)),
        }

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "person": {f: data[f] for f in ("name", "about_me", "languages", "language", "access_needs",
                                            "contact_preference", "phone", "share_email", "share_phone")},
            "place": {"area": data["area"], "skills_text": data["skills_text"],
                      "interests_text": data["interests_text"],
                      "availability": availability.to_mask(data["availability"])},
            "skills": list(data["skills"]),
            "interests": list(data["interests"]),
        }


class AssistedMemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    phone = forms.CharField(label=_("Phone (if they have one)"), max_length=40, required=False)
    postal_address = forms.CharField(label=_("Postal address"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    about_me = forms.CharField(label=_("About them, in their words"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 3}))
    contact_preference = forms.ChoiceField(label=_("How they like to be contacted"),
                                           choices=ContactPreference.choices, initial=ContactPreference.COORDINATOR)
    language = forms.ChoiceField(label=_("Which language should we use for their letters and e-mails?"),
                                 required=False,
                                 choices=[("", _("The community's language")), *list(settings.LANGUAGES)])

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = _area_field(community)
        self.fields["area"].label = _("Area")


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class DemographicsForm(forms.Form):
    age_band = forms.ChoiceField(label=_("Age"), choices=[("", _("Prefer not to say")), *AgeBand.choices],
                                 required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", _("Prefer not to say")), *Gender.choices],
                               required=False)
    is_carer = forms.NullBooleanField(label=_("Do you look after someone (are you a carer)?"),
                                      widget=forms.NullBooleanSelect, required=False)
    has_disability = forms.NullBooleanField(label=_("Do you have a disability or long-term condition?"),
                                            widget=forms.NullBooleanSelect, required=False)
    consent = forms.BooleanField(
        label=_("I agree that coordinators may see these details and that they are used, without my "
                "name, in the community's figures. I can withdraw this at any time."),
        error_messages={"required": _("Tick the consent box to store these details, or leave them out.")})
