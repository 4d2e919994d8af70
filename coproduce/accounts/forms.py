from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class SignupDetailsForm(forms.Form):
    """Extra sign-up fields for allauth: we need a name to greet people by."""

    name = forms.CharField(label=_("Your name"), max_length=150,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    language = forms.ChoiceField(label=_("Which language should we use for pages and e-mails?"),
                                 choices=settings.LANGUAGES, widget=forms.RadioSelect, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The language the page is in now is the likely answer.
        self.fields["language"].initial = translation.get_language()

    def signup(self, request, user):
        user.name = self.cleaned_data["name"].strip()
        # Not answered (an older form, a script): the language the page was in.
        user.language = self.cleaned_data["language"] or translation.get_language()
        user.save(update_fields=["name", "language"])
