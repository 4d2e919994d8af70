from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.api.models import Scope
from coproduce.api.tokens import LIFETIMES


class TokenForm(forms.Form):
    name = forms.CharField(label=_("What will use it"), max_length=100,
                           help_text=_("For example \"my phone\" or \"the surgery's system\"."))
    scopes = forms.MultipleChoiceField(label=_("What it may do"), choices=Scope.choices,
                                       widget=forms.CheckboxSelectMultiple, initial=[Scope.READ])
    days = forms.TypedChoiceField(label=_("How long it lasts"), coerce=int, widget=forms.RadioSelect, initial=90,
                                  choices=[(days, _("%(days)s days") % {"days": days}) for days in LIFETIMES])
