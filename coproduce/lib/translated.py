"""Texts people enter in more than one language (issue 18, point 3): a community's name and
description, category names, a group's description. The model's own field holds the text in
the community's language; ``translations`` holds the others, {"cy": {"name": "…"}, "es": {…}}.
A reader sees their language's text where one was entered, else the community's.

A community chooses the languages it writes in (``Community.languages``): forms offer a field
for each of them besides its own. Texts saved in a language it later stops offering are kept,
and shown, until someone edits them away, so offering it again brings them back."""

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

LANGUAGE_NAMES = dict(settings.LANGUAGES)


def translated(obj, field: str, language: str | None = None) -> str:
    texts = getattr(obj, "translations", None) or {}
    wanted = (language or get_language() or "").lower()
    return (texts.get(wanted) or {}).get(field) or getattr(obj, field)


def in_language(text: str, translations: dict | None, field: str = "name", language: str | None = None) -> str:
    """As ``translated``, for a row read without its model: its text and its ``translations``."""
    wanted = (language or get_language() or "").lower()
    return ((translations or {}).get(wanted) or {}).get(field) or text


def other_languages(community) -> list[str]:
    """The languages ``community`` writes its texts in besides its own, in the site's order."""
    offered = set(community.languages or ())
    return [code for code, _name in settings.LANGUAGES if code != community.default_language and code in offered]


def add_translation_fields(form: forms.Form, fields: dict[str, forms.Field], *, languages: list[str],
                           texts: dict | None = None) -> None:
    """Beside each of ``fields`` (already on the form, in the community's language), one optional
    field per language of ``languages`` (``other_languages``): "Name in Cymraeg". ``texts``: the
    translations saved so far."""
    for code in languages:
        for name, field in fields.items():
            copy = forms.CharField(label=_("%(field)s in %(language)s") % {
                "field": field.label, "language": LANGUAGE_NAMES[code]}, required=False,
                max_length=getattr(field, "max_length", None), widget=type(field.widget)(attrs=field.widget.attrs))
            copy.help_text = _("Leave empty to show the text above.")
            form.fields[f"{name}__{code}"] = copy
            if texts and not form.is_bound:
                form.initial[f"{name}__{code}"] = (texts.get(code) or {}).get(name, "")
    # Each translation just after the field it translates.
    order = []
    for name in form.fields:
        if "__" in name:
            continue
        order.append(name)
        order += [f"{name}__{code}" for code in languages if f"{name}__{code}" in form.fields]
    form.order_fields(order)


def translations_from(cleaned_data: dict, names, *, languages: list[str], kept: dict | None = None) -> dict:
    """The translations a form of ``add_translation_fields`` was given, empty ones left out, with
    those ``kept`` (saved before) in languages the form did not offer."""
    found = {code: texts for code, texts in (kept or {}).items() if code not in languages}
    for code in languages:
        texts = {name: cleaned_data.get(f"{name}__{code}", "").strip() for name in names}
        texts = {name: text for name, text in texts.items() if text}
        if texts:
            found[code] = texts
    return found

