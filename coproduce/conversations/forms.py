from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.conversations.models import MESSAGE_MAX


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Your message"), max_length=MESSAGE_MAX,
                           widget=forms.Textarea(attrs={"rows": 4}))


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("What happened?"), max_length=2000,
                             help_text=_("A coordinator will read this and the conversation it is about."),
                             widget=forms.Textarea(attrs={"rows": 4}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class IntroduceForm(forms.Form):
    note = forms.CharField(label=_("Introduction (optional)"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
