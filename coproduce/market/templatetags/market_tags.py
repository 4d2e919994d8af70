from django import template

from coproduce.market.models import ThankYou

register = template.Library()

PROFILE_NOTES = 5


@register.inclusion_tag("market/_profile_thanks.html")
def thank_you_notes(member):
    """The latest thank-you notes a giver agreed to show on their profile (one query)."""
    notes = list(ThankYou.objects.filter(giver=member, shown_on_profile=True)
                 .select_related("receiver__user").order_by("-pk")[:PROFILE_NOTES + 1])
    return {"member": member, "notes": notes[:PROFILE_NOTES], "more": len(notes) > PROFILE_NOTES}
