from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.assets.models import Service
from coproduce.groups.models import Group
from coproduce.ledger.forms import date_widget
from coproduce.members.fields import MemberLookupField, configure_member_fields
from coproduce.members.models import Membership
from coproduce.partners.models import Organisation
from coproduce.referrals.models import ClosedReason, Reason, SignpostHow, Step


def _members(community):
    return Membership.objects.active().filter(community=community).select_related("user").order_by("user__name", "pk")


class ReferralForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Referring organisation"), queryset=Organisation.objects.none(),
                                          empty_label=None)
    member = MemberLookupField(label=_("An existing member"), required=False)
    name = forms.CharField(label=_("Or the name of someone new"), max_length=150, required=False)
    contact = forms.CharField(label=_("Their phone or e-mail"), max_length=200, required=False)
    group = forms.ModelChoiceField(label=_("Refer to"), queryset=Group.objects.none(), required=False,
                                   empty_label=_("The time bank"))
    service = forms.ModelChoiceField(label=_("Or a service in the directory"), queryset=Service.objects.none(),
                                     required=False, empty_label=_("None"),
                                     help_text=_("The lunch club, the job club: anything the directory lists."))
    reason = forms.ChoiceField(label=_("Reason"), choices=Reason.choices)
    note = forms.CharField(label=_("Short note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Seen only by you, the coordinators and the person."))
    consent = forms.BooleanField(label=_("The person agrees to be referred and for us to share these details"),
                                 required=False)

    def __init__(self, *args, community, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["group"].queryset = Group.objects.filter(community=community)
        self.fields["service"].queryset = Service.objects.listed().filter(community=community).order_by("name")
        configure_member_fields(self, community, _members(community), ("member",))


class AdvanceForm(forms.Form):
    step = forms.ChoiceField(label=_("Next step"), choices=[c for c in Step.choices if c[0] != Step.RECEIVED])
    on = forms.DateField(label=_("Date"), widget=date_widget())
    member = MemberLookupField(label=_("Link to member"), required=False,
                               help_text=_("Needed from “joined” on, unless already linked."))
    closed_reason = forms.ChoiceField(label=_("Why closed"), required=False,
                                      choices=[("", _("Not closing")), *ClosedReason.choices])

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        configure_member_fields(self, community, _members(community), ("member",))


class SignpostForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Your organisation"), queryset=Organisation.objects.none(),
                                          empty_label=None)
    how = forms.ChoiceField(label=_("How you gave the details"), choices=SignpostHow.choices,
                            widget=forms.RadioSelect)
    email = forms.EmailField(label=_("Their e-mail address, to send the details (not kept)"), required=False)
    reason = forms.ChoiceField(label=_("Reason"), choices=Reason.choices)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean(self):
        data = super().clean()
        if data.get("how") == SignpostHow.SENT and not data.get("email"):
            self.add_error("email", _("Give the e-mail address to send the details to."))
        return data
