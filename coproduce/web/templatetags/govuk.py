"""GOV.UK Frontend markup for Django form fields: the classes and ARIA links the design system expects."""

from django import forms, template
from django.forms.boundfield import BoundWidget

register = template.Library()

CHOICE_LISTS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def error_id(field) -> str:
    return f"{field.auto_id}-error"


def hint_id(field) -> str:
    # Django's own name for the help text, so its aria-describedby and ours agree.
    return f"{field.auto_id}_helptext"


def _described_by(field) -> str:
    ids = []
    if field.help_text:
        ids.append(hint_id(field))
    if field.errors:
        ids.append(error_id(field))
    return " ".join(ids)


@register.filter
def field_kind(field) -> str:
    """"checkbox", "radios", "checkboxes", "select", "textarea", "file" or "input"."""
    widget = field.field.widget
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


_CLASSES = {
    "checkbox": "govuk-checkboxes__input",
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "file": "govuk-file-upload",
    "input": "govuk-input",
}


@register.filter
def govuk_widget(field):
    """The field's widget with GOV.UK classes, its error state and aria-describedby (hint, error)."""
    kind = field_kind(field)
    attrs = {}
    own = field.field.widget.attrs.get("class", "")
    css = _CLASSES.get(kind, "")
    if field.errors and kind in ("select", "textarea", "file", "input"):
        css += f" {css}--error"
    attrs["class"] = f"{css} {own}".strip()
    if kind not in ("radios", "checkboxes") and (described := _described_by(field)):
        attrs["aria-describedby"] = described
    return field.as_widget(attrs=attrs)


@register.filter
def govuk_option(option: BoundWidget, kind: str):
    """One radio or checkbox of a list, as GOV.UK's input (the label is written by the template)."""
    data = dict(option.data)
    data["attrs"] = {**data.get("attrs", {}), "class": f"govuk-{kind}__input"}
    return BoundWidget(option.parent_widget, data, option.renderer).tag(wrap_label=False)


@register.filter
def described_by(field) -> str:
    return _described_by(field)
