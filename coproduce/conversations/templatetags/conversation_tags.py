from django import template

from coproduce.conversations.forms import MessageForm
from coproduce.conversations.models import Block
from coproduce.conversations.reach import Reach, ReachContext, refusal

register = template.Library()


@register.inclusion_tag("conversations/_block_controls.html", takes_context=True)
def block_controls(context, member):
    """Report, and block or unblock, for a member looking at someone else's profile."""
    viewer = context["request"].user
    return {
        "member": member,
        "community": context["community"],
        "csrf_token": context.get("csrf_token"),
        "blocked": Block.objects.filter(blocker=viewer, blocked=member.user).exists(),
    }


_REACH_KEY = "conversations.reach_context"


@register.inclusion_tag("conversations/_message_member.html", takes_context=True)
def message_member(context, member):
    """"Send a message" for a member, or why not and whom to contact instead. The viewer's blocks and
    the coordinators are read once per page (its render context), however many members it lists."""
    reach_context = context.render_context.get(_REACH_KEY)
    if reach_context is None:
        access = context["access"]
        reach_context = ReachContext.load(access.membership, access.community)
        context.render_context[_REACH_KEY] = reach_context
    reach = reach_context.reach(member)
    quiet = reach in (Reach.NOT_A_MEMBER, Reach.SELF)  # nothing to say on your own card
    return {
        "member": member, "community": context["community"], "access": context["access"], "reach": reach,
        "refusal": "" if reach is Reach.MESSAGE or quiet else refusal(reach, member.user.name),
        "coordinators": reach_context.coordinators_for(member)
        if reach in (Reach.ASSISTED, Reach.THROUGH_COORDINATOR) else [],
    }


@register.simple_tag
def message_form() -> MessageForm:
    """An empty message form, for pages of other apps that let you write (an offer or request)."""
    return MessageForm()
