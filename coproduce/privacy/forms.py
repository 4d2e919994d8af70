from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.privacy.models import DataExport


class CopyForMemberForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you are asking for their data"), max_length=DataExport._meta.get_field("reason").max_length,
        help_text=_("For example: they asked for it at the drop-in on Tuesday. Kept in the audit log."),
        widget=forms.Textarea(attrs={"rows": 3}))
