"""The <select> and <input> shortcuts write exactly what Django's templates write."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from coproduce.web.form_renderer import Renderer


class Choices(forms.Form):
    flat = forms.ChoiceField(choices=[("", "Any"), ("a", "A & B"), ("<b>", 'Say "hi"')], required=False)
    grouped = forms.ChoiceField(choices=[("Fruit", [("1", "Apple"), ("2", "Pear")]), ("3", "Bread")])
    many = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two"), ("3", "Three")],
                                     widget=forms.SelectMultiple(attrs={"size": 3, "data-x": "<y>"}))
    off = forms.ChoiceField(choices=[("1", "One")], disabled=True)
    text = forms.CharField(max_length=20, required=False, help_text="A <hint>")
    number = forms.IntegerField(required=False, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    when = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    tick = forms.BooleanField(required=False)
    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    mail = forms.EmailField(required=False)
    day = forms.DateField(required=False)
    upload = forms.FileField(required=False)


@pytest.mark.parametrize("data", [
    None,
    {"flat": "<b>", "grouped": "2", "many": ["1", "3"], "text": '"quoted" & <tag>', "number": "12", "when": "14:30",
     "tick": "on", "secret": "pw&", "hidden": "h", "mail": "a@b.org", "day": "2026-12-07"},
    {"flat": "nope", "number": "ten", "when": "25:00"},
])
def test_selects_render_as_django_renders_them(data):
    ours = Choices(data, renderer=Renderer())
    django = Choices(data, renderer=DjangoTemplates())
    for name in ours.fields:
        mine, theirs = str(ours[name]), str(django[name])
        assert mine == theirs, name
        assert "<option" in mine or "<input" in mine


def test_the_site_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    get_default_renderer.cache_clear()
    try:
        assert isinstance(get_default_renderer(), Renderer)
    finally:
        get_default_renderer.cache_clear()
