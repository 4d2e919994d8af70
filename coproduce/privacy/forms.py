from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.lib.personal_data import Basis
from coproduce.privacy.models import DataExport
from coproduce.privacy.registry import declared_bases


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


class LawfulBasesForm(forms.Form):
    """One choice per purpose: the basis the community states, or the platform's declaration."""

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        stated = community.lawful_bases or {}
        for purpose, bases in declared_bases().items():
            declared = "; ".join(str(basis.label) for basis in bases)
            self.fields[purpose.value] = forms.ChoiceField(
                label=purpose.label, required=False, initial=stated.get(purpose.value, ""),
                choices=[("", _("As the platform declares: %(bases)s") % {"bases": declared}), *Basis.choices])

    def bases(self) -> dict[str, str]:
        return {purpose: basis for purpose, basis in self.cleaned_data.items() if basis}
