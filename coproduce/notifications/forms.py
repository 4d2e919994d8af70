from django import forms

from coproduce.notifications.models import Preference


class PreferenceForm(forms.ModelForm):
    # Prefixed names: an input named "matches" would shadow the form element's matches()
    # method in the DOM (DOM clobbering), which breaks scripts such as axe.
    prefix = "email"

    class Meta:
        model = Preference
        fields = ["messages", "matches", "exchanges", "expiring", "digest"]
