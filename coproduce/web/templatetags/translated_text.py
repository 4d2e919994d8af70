"""``{{ community|translated:"name" }}``: a text people entered, in the reader's language where
one was entered (``lib.translated``). A builtin, so every template has it."""

from django import template

from coproduce.lib.translated import translated as _translated

register = template.Library()


@register.filter
def translated(obj, field: str) -> str:
    if obj is None or obj == "":
        return ""
    return _translated(obj, field)
