"""The "roles blur" section of a profile: what the person gives, receives and leads, and where they work."""

from django import template
from django.db.models import Q, Sum

from coproduce.groups.models import GroupMember, GroupRole
from coproduce.ledger.models import Entry
from coproduce.partners.models import Staff

register = template.Library()


@register.inclusion_tag("partners/_roles.html")
def roles_summary(membership):
    totals = Entry.objects.filter(account__membership=membership).aggregate(
        given=Sum("amount", filter=Q(amount__gt=0)), received=Sum("amount", filter=Q(amount__lt=0)))
    places = (GroupMember.objects.active().filter(membership=membership)
              .select_related("group").order_by("group__name"))
    return {
        "member": membership,
        "given": totals["given"] or 0,
        "received": -(totals["received"] or 0),
        "leads": [p.group for p in places if p.role == GroupRole.FACILITATOR],
        "supports": [p.group for p in places if p.role == GroupRole.PEER_SUPPORTER],
        "staff": Staff.objects.active().filter(user_id=membership.user_id,
                                               organisation__community_id=membership.community_id)
        .select_related("organisation"),
        "opportunities": membership.opportunity_signups.filter(transfer__isnull=False).count(),
    }
