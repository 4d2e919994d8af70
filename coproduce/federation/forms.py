from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.federation.models import Link
from coproduce.ledger.forms import date_widget, time_field
from coproduce.ledger.services import community_today
from coproduce.lib.forms import DurationMinutesField


class CrossingForm(forms.Form):
    """Help a member here received from a member of a linked bank (they pay, as for an exchange
    they record themselves). The token makes a double submit record once."""

    link = forms.ModelChoiceField(label=_("Their time bank"), queryset=Link.objects.none(), empty_label=None)
    their_member = forms.IntegerField(label=_("Their member number there"), min_value=1, max_value=2**31 - 1,
                                      help_text=_("It is on their profile page at their time bank."))
    minutes = time_field()
    performed_on = forms.DateField(label=_("Date"), widget=date_widget())
    description = forms.CharField(label=_("What they did"), max_length=500, required=False)
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].queryset = Link.objects.filter(community=community, active=True).order_by("name")
        if not self.is_bound:
            import uuid

            self.initial.setdefault("token", uuid.uuid4())
            self.initial.setdefault("performed_on", community_today(community))


class OfferSearchForm(forms.Form):
    link = forms.ModelChoiceField(label=_("Time bank"), queryset=Link.objects.none(), empty_label=None)
    q = forms.CharField(label=_("Words or a sentence"), max_length=100, required=False)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].queryset = Link.objects.filter(community=community, active=True).order_by("name")


class LinkForm(forms.Form):
    name = forms.CharField(label=_("Name of the other time bank"), max_length=200)
    peer_url = forms.URLField(label=_("Its address"), max_length=300, assume_scheme="https",
                              help_text=_("As its coordinators give it, e.g. https://timebank.hillside.org.uk"))
    peer_slug = forms.SlugField(label=_("Its community's short name there"), max_length=60,
                                help_text=_("The part after /c/ in its pages' addresses."))
    peer_public_key = forms.CharField(label=_("Its public key"), max_length=64)
    we_may_owe = DurationMinutesField(label=_("How much our members may take beyond what they give"),
                                      min_minutes=0, max_minutes=None, step=15)
    they_may_owe = DurationMinutesField(label=_("How much its members may take beyond what they give"),
                                        min_minutes=0, max_minutes=None, step=15)
