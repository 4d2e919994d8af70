"""The "Filter" disclosure of list pages (coproduce/templates/_filter.html): how many filters are in
use, and whether it starts open."""

from django import forms, template

register = template.Library()

# Query parameters that move through a list or download it, rather than narrow it.
NOT_FILTERS = frozenset({"page", "csv"})


def _in_use(field) -> bool:
    """A field narrows the list when it holds a value other than its default: empty, or for a
    choice the first choice ("Any category", "Best match")."""
    raw = field.data
    values = [v for v in (raw if isinstance(raw, (list, tuple)) else [raw]) if v not in (None, "")]
    values = [v for v in values if str(v).strip()]
    if not values:
        return False
    choices = getattr(field.field, "choices", None)
    if isinstance(field.field, forms.ChoiceField) and choices:
        first = next(iter(choices))[0]
        return any(str(v) != str(first) for v in values)
    return True


@register.simple_tag(takes_context=True)
def filter_state(context, form=None, results=None, invalid=False):
    """{"active": filters in use, "open": whether the disclosure starts open}.

    It opens when there is nothing to show (the filters are what to change) or when the form needs
    correcting, so neither hides behind a closed summary; otherwise results come first.
    """
    if form is not None:
        active = sum(1 for field in form if _in_use(field)) if form.is_bound else 0
        invalid = invalid or (form.is_bound and bool(form.errors))
    else:
        query = context["request"].GET
        active = sum(
            1
            for key, values in query.lists()
            if key not in NOT_FILTERS and any(v.strip() for v in values)
        )
    return {"active": active, "open": bool(invalid) or results == 0}
