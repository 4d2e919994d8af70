from django import template

from coproduce.partners.rewards import days_words

register = template.Library()


@register.filter
def listing_days(listing) -> str:
    """The days a listing is offered, in the week's order: "Monday, Saturday"."""
    return days_words(listing.days)
