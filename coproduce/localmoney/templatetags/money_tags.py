from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def pounds(pence) -> str:
    """Whole pence as money: 123456 -> "£1,234.56"."""
    if pence is None:
        return ""
    return "£" + number_format(pence / 100, decimal_pos=2, force_grouping=True)
