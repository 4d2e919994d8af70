from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.communities.models import Category
from coproduce.members.fields import MemberLookupField, configure_member_fields
from coproduce.members.models import Membership
from coproduce.safeguarding.models import CheckType, Outcome


class CheckForm(forms.Form):
    check_type = forms.ChoiceField(label=_("Type"), choices=CheckType.choices)
    checked_on = forms.DateField(label=_("Date of the check"), widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(label=_("Valid until (optional)"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False,
                           help_text=_("For example who gave the reference. Never the certificate number."))


class MemberPickForm(forms.Form):
    """Which member's checks to open: typed, not chosen from a list of everyone (issue 19)."""

    member = MemberLookupField(label=_("Record or see a member's checks"))

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        configure_member_fields(self, community, Membership.objects.active().filter(community=community)
                                .order_by("user__name", "pk"), ("member",))


class RequirementForm(forms.Form):
    category = forms.ModelChoiceField(queryset=Category.objects.none(), label=_("Category"),
                                      error_messages={"invalid_choice": _("Choose one of this community's categories.")})
    check_type = forms.ChoiceField(label=_("Check needed"), required=False,
                                   choices=[("", _("No check needed")), *CheckType.choices])

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = (Category.objects.in_use().filter(community=community)
                                            .select_related("parent").order_by("parent__name", "name"))
        self.fields["category"].label_from_instance = str
