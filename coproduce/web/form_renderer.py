"""Django's form renderer, with two shortcuts: a <select> and an <input> are written in Python.

Django renders each <option> through its own template include, and each input through three
nested templates; a select of 50 categories then cost about 10 ms a page, more than all of the
page's queries, and a page of filters several more. The markup is the same as Django's templates
write (tested against them), so nothing else changes.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html: True is a bare attribute, False is left out."""
    return "".join(
        f" {conditional_escape(name)}" if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items() if value is not False
    )


def _option(option: dict) -> str:
    return (f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
            f'{conditional_escape(option["label"])}</option>\n')  # the template file's own newline


def select_html(widget: dict) -> str:
    parts = []
    for group_name, group_choices, _index in widget["optgroups"]:
        if any(option["template_name"] != OPTION_TEMPLATE for option in group_choices):
            return ""  # a custom option template: let Django render the whole select
        options = "".join(_option(option) for option in group_choices)
        parts.append(format_html('\n  <optgroup label="{}">{}\n  </optgroup>', group_name, mark_safe(options))
                     if group_name else options)
    return mark_safe(f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>'
                     f'{"".join(parts)}\n</select>')


# Django's templates for these widgets are one line: {% include "django/forms/widgets/input.html" %}.
INPUT_TEMPLATES = {
    f"django/forms/widgets/{kind}.html"
    for kind in ("checkbox", "color", "date", "datetime", "email", "file", "hidden", "number", "password",
                 "search", "tel", "text", "time", "url")
}


def input_html(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{conditional_escape(str(widget["value"]))}"'
    return mark_safe(f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
                     f'{value}{_attrs(widget["attrs"])}>')


class Renderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE and (html := select_html(context["widget"])):
            return html
        if template_name in INPUT_TEMPLATES:
            return input_html(context["widget"])
        return super().render(template_name, context, request)
