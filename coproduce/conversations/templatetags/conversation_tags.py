from django import template

from coproduce.conversations.forms import MessageForm
from coproduce.conversations.models import Block

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


@register.simple_tag
def message_form() -> MessageForm:
    """An empty message form, for pages of other apps that let you write (an offer or request)."""
    return MessageForm()
