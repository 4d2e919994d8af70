from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from coproduce.communities.models import Area
from coproduce.ledger.forms import date_widget, time_field
from coproduce.ledger.services import community_today, new_key
from coproduce.members.fields import MemberLookupField, configure_member_fields
from coproduce.members.models import Membership
from coproduce.partners.models import WEEKDAY_NAMES, CheckRequired, Organisation, OrganisationType

ATTENDANCE_HELP = format_lazy("{} {}", _("How long they took part; leave empty if they did not come."),
                              time_field().help_text)


def _members(community):
    return Membership.objects.active().filter(community=community).select_related("user").order_by("user__name", "pk")


class KeyedForm(forms.Form):
    """Carries an idempotency key, so a double submit posts to the ledger once."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", new_key())


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    type = forms.ChoiceField(label=_("Type"), choices=OrganisationType.choices)
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none(), required=False,
                                  empty_label=_("Whole community"))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=100, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(community=community)

    @staticmethod
    def initial_for(organisation: Organisation) -> dict:
        return {"name": organisation.name, "type": organisation.type, "area": organisation.area_id,
                "description": organisation.description, "contact_name": organisation.contact_name,
                "contact_email": organisation.contact_email, "contact_phone": organisation.contact_phone}


class StaffForm(forms.Form):
    member = MemberLookupField(label=_("Member"), help_text=_("Staff join as members first; type a name or number."))
    job_title = forms.CharField(label=_("Job title"), max_length=100, required=False)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        configure_member_fields(self, community, _members(community), ("member",))


class OpportunityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    description = forms.CharField(label=_("What it involves"), widget=forms.Textarea(attrs={"rows": 4}),
                                  required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("Date"), widget=date_widget())
    ends_on = forms.DateField(label=_("Last date"), widget=date_widget(), required=False,
                              help_text=_("Leave empty for a single day."))
    times = forms.CharField(label=_("Times"), max_length=100, required=False,
                            help_text=_("For example 10am to 12 noon."))
    places_needed = forms.IntegerField(label=_("People needed"), min_value=1, max_value=500, initial=1)
    expected_minutes = time_field(
        _("Expected time for each person"), required=False,
        help_text=format_lazy("{} {}", _("Used when you confirm who came; leave empty if it varies."),
                              time_field().help_text))
    check_required = forms.ChoiceField(label=_("Safeguarding check required"), required=False,
                                       choices=[("", _("No check needed")), *CheckRequired.choices])


OPPORTUNITY_FORM_FIELDS = ("title", "description", "place", "starts_on", "ends_on", "times", "places_needed",
                          "expected_minutes", "check_required")


def opportunity_initial(opportunity) -> dict:
    return {name: getattr(opportunity, name) for name in OPPORTUNITY_FORM_FIELDS}


class SignUpForForm(forms.Form):
    member = MemberLookupField(label=_("Sign up a member"))

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        configure_member_fields(self, community, _members(community), ("member",))


class AttendanceForm(KeyedForm):
    """One "how long" choice per person who signed up."""

    performed_on = forms.DateField(label=_("Date it happened"), widget=date_widget())

    def __init__(self, *args, community, signups, expected_minutes=None, performed_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.signups = list(signups)
        self.initial.setdefault("performed_on", performed_on or community_today(community))
        for signup in self.signups:
            # The opportunity's expected time is filled in for everyone: staff clear or change it.
            self.fields[f"minutes_{signup.pk}"] = time_field(
                label=signup.membership.user.name, required=False, help_text=ATTENDANCE_HELP,
                initial=expected_minutes)

    def attended(self):
        return [(s.membership, self.cleaned_data[f"minutes_{s.pk}"]) for s in self.signups
                if self.cleaned_data.get(f"minutes_{s.pk}")]


class EveryoneCameForm(KeyedForm):
    """The "Everyone came" shortcut: the day, and the key that makes pressing it twice harmless."""

    prefix = "everyone"  # its own field names and ids, beside the one-by-one form on the same page
    performed_on = forms.DateField(label=_("Date it happened"), widget=date_widget())

    def __init__(self, *args, performed_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        if performed_on is not None:
            self.initial.setdefault("performed_on", performed_on)


class ListingForm(forms.Form):
    title = forms.CharField(label=_("What members can have"), max_length=150)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    minutes = time_field(_("Price"))
    # The limits, all optional (blank: no limit).
    stock = forms.IntegerField(label=_("How many are there?"), min_value=0, required=False,
                               help_text=_("Leave blank if there is no limit."))
    daily_cap = forms.IntegerField(label=_("How many a day at most?"), min_value=1, required=False)
    per_member_per_month = forms.IntegerField(label=_("How many per member each month?"), min_value=1,
                                              max_value=100, required=False)
    days = forms.MultipleChoiceField(label=_("On which days?"), required=False, widget=forms.CheckboxSelectMultiple,
                                     choices=list(WEEKDAY_NAMES.items()), help_text=_("None ticked: every day."))
    opens_at = forms.TimeField(label=_("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    closes_at = forms.TimeField(label=_("Until"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    available_until = forms.DateField(label=_("Offered until"), required=False, widget=date_widget())
    minimum_age = forms.IntegerField(label=_("Only for people aged at least"), min_value=1, max_value=120,
                                     required=False, help_text=_("Your staff check it at the counter."))


class GiveToPotForm(KeyedForm):
    minutes = time_field(_("How much to pass on"))
    description = forms.CharField(label=_("What for (optional)"), max_length=200, required=False)


class CommunityTimeForm(KeyedForm):
    description = forms.CharField(
        label=_("What your organisation gave"), max_length=500,
        help_text=_("For example: the community room for the carers' circle, or two staff at the litter pick."))
    minutes = time_field(_("How long"))
    performed_on = forms.DateField(label=_("Date"), widget=date_widget())

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("performed_on", community_today(organisation.community))


class AgencyExchangeForm(KeyedForm):
    giver = forms.ModelChoiceField(label=_("Organisation that gave the help"), queryset=Organisation.objects.none())
    minutes = time_field()
    performed_on = forms.DateField(label=_("Date"), widget=date_widget())
    description = forms.CharField(label=_("What it was"), max_length=500, required=False)

    def __init__(self, *args, receiver: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["giver"].queryset = Organisation.objects.filter(community_id=receiver.community_id).exclude(
            pk=receiver.pk)
        self.initial.setdefault("performed_on", community_today(receiver.community))
