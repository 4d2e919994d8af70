from django import template

from coproduce.partners.rewards import days_words

register = template.Library()


@register.filter
def listing_days(listing) -> str:
    """The days a listing is offered, in the week's order: "Monday, Saturday"."""
    return days_words(listing.days)


@register.filter
def percent(share) -> str:
    """A share from 0 to 1 as a whole percentage: 0.376 -> "38%"."""
    return "" if share is None else f"{round(share * 100)}%"
