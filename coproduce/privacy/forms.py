from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.privacy.models import DataExport


class CopyForMemberForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you are asking for their data"), max_length=DataExport._meta.get_field("reason").max_length,
        help_text=_("For example: they asked for it at the drop-in on Tuesday. Kept in the audit log."),
        widget=forms.Textarea(attrs={"rows": 3}))


class EraseMeForm(forms.Form):
    understood = forms.BooleanField(
        label=_("I understand that my account, profile, offers, requests and messages will be erased, and that "
                "my time credits go to the community pot"),
        error_messages={"required": _("Tick the box to say you understand what erasure does.")})


class EraseForMemberForm(forms.Form):
    reason = forms.CharField(
        label=_("Why they are to be erased"), max_length=500,
        help_text=_("For example: she asked in writing on 3 March. Kept in the audit log."),
        widget=forms.Textarea(attrs={"rows": 3}))
