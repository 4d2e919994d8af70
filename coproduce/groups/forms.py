from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from coproduce.groups.models import (
    MAX_SERIES_SESSIONS,
    CreditRule,
    Frequency,
    GroupRole,
    JoinPolicy,
)
from coproduce.lib.translated import add_translation_fields, other_languages, translations_from
from coproduce.members.fields import MemberLookupField, configure_member_fields
from coproduce.members.models import Membership
from coproduce.partners.models import Organisation


def _members(community):
    return Membership.objects.active().filter(community=community).select_related("user").order_by("user__name", "pk")


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(label=_("What the group is for"), widget=forms.Textarea(attrs={"rows": 4}),
                                  required=False)
    organisation = forms.ModelChoiceField(label=_("Hosted by"), queryset=Organisation.objects.none(),
                                          required=False, empty_label=_("The time bank itself"))
    join_policy = forms.ChoiceField(label=_("Who can join"), choices=JoinPolicy.choices, widget=forms.RadioSelect,
                                    initial=JoinPolicy.OPEN)
    credit_rule = forms.ChoiceField(label=_("Who is credited for each session"), choices=CreditRule.choices,
                                    widget=forms.RadioSelect, initial=CreditRule.FACILITATORS)
    facilitator = MemberLookupField(label=_("Facilitator"), help_text=_("Someone with lived experience. "
                                                                       "Add more later."))

    def __init__(self, *args, community, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        configure_member_fields(self, community, _members(community), ("facilitator",))
        self.translated_into = other_languages(community)
        add_translation_fields(self, {"description": self.fields["description"]}, languages=self.translated_into)

    def translations(self) -> dict:
        return translations_from(self.cleaned_data, ("description",), languages=self.translated_into)


class RoleForm(forms.Form):
    member = MemberLookupField(label=_("Member"))
    role = forms.ChoiceField(label=_("Role in the group"), choices=GroupRole.choices)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        configure_member_fields(self, community, _members(community), ("member",))


def _datetime_widget():
    return forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"})


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=_datetime_widget())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=_datetime_widget())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=500, initial=12)


class ScheduleForm(SessionForm):
    """A new session, or a repeating one: how often, and until when or how many times."""

    frequency = forms.ChoiceField(label=_("Repeats"), choices=[("", _("Does not repeat")), *Frequency.choices],
                                  widget=forms.RadioSelect, required=False, initial="")
    until = forms.DateField(label=_("Last date"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=_("For a repeating session: the date of the last one…"))
    count = forms.IntegerField(label=_("Or number of sessions"), required=False, min_value=2,
                               max_value=MAX_SERIES_SESSIONS,
                               help_text=format_lazy(_("…or how many sessions to make, at most {max}."),
                                                     max=MAX_SERIES_SESSIONS))

    def clean(self):
        data = super().clean()
        if data.get("frequency"):
            if data.get("until") is None and data.get("count") is None and not self.has_error("count") \
                    and not self.has_error("until"):
                self.add_error("until", _("Give the date of the last session, or a number of sessions."))
            elif data.get("until") is not None and data.get("count") is not None:
                self.add_error("count", _("Give a last date or a number of sessions, not both."))
        return data

    def schedule(self) -> dict:
        """The arguments of ``services.schedule_sessions``: the end of the repeat only for a repeat."""
        data = dict(self.cleaned_data)
        if not data["frequency"]:
            data["until"] = data["count"] = None
        return data


class SessionChangeForm(SessionForm):
    scope = forms.ChoiceField(label=_("Change"), widget=forms.RadioSelect, initial="one", choices=[
        ("one", _("Only this session")), ("rest", _("This session and the later ones in the series"))])

    def __init__(self, *args, in_series: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not in_series:
            del self.fields["scope"]


class RegisterForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    present = forms.MultipleChoiceField(label=_("Who came"), widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = {str(p.membership_id): p.membership for p in places}
        self.fields["present"].choices = [
            (str(p.membership_id), f"{p.membership.user.name} ({p.get_role_display()})") for p in places]

    def present_memberships(self):
        return [self.places[pk] for pk in self.cleaned_data["present"]]


class ThreadForm(forms.Form):
    title = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(label=_("Message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
