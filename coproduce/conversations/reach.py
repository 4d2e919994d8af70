"""Whether one member may write to another directly (from a profile or the directory), and if
not, why not and whom to contact instead.

One rule for the button on the page and for the service that refuses the message: pages ask
``direct_reach`` with blocks read once per page (``ReachContext``), the service asks it with the
blocks read under its transaction.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _

from coproduce.accounts.models import ContactPreference
from coproduce.conversations.queries import blocked_pairs_for
from coproduce.members.models import Membership


class Reach(StrEnum):
    MESSAGE = "message"
    NOT_A_MEMBER = "not_a_member"  # the viewer (a site admin, say) has no membership to write from
    SELF = "self"
    BLOCKED_THEM = "blocked_them"  # the viewer blocked them
    BLOCKED_BY_THEM = "blocked_by_them"
    ASSISTED = "assisted"  # no e-mail or internet of their own: nobody would read a message
    THROUGH_COORDINATOR = (
        "through_coordinator"  # their contact preference: "Through the coordinator"
    )


def direct_reach(
    sender: Membership | None,
    recipient: Membership,
    *,
    sender_blocked: bool,
    recipient_blocked: bool,
) -> Reach:
    """sender_blocked: the recipient blocked the sender; recipient_blocked: the other way round."""
    if sender is None:
        return Reach.NOT_A_MEMBER
    if sender.user_id == recipient.user_id:
        return Reach.SELF
    if recipient_blocked:
        return Reach.BLOCKED_THEM
    if sender_blocked:
        return Reach.BLOCKED_BY_THEM
    if recipient.user.is_assisted:
        return Reach.ASSISTED
    # Coordinators are the channel such members asked for, so they may still write.
    if (
        recipient.user.contact_preference == ContactPreference.COORDINATOR
        and not sender.is_coordinator
    ):
        return Reach.THROUGH_COORDINATOR
    return Reach.MESSAGE


def refusal(reach: Reach, name: str) -> str:
    """Why a direct message to ``name`` is refused, in the words the page and the service use."""
    messages = {
        Reach.NOT_A_MEMBER: _("Only members of this community can write to its members."),
        Reach.SELF: _("You cannot send a message to yourself."),
        Reach.BLOCKED_THEM: _("You have blocked %(name)s. Unblock them first to send a message."),
        Reach.BLOCKED_BY_THEM: _("%(name)s is not taking messages from you."),
        Reach.ASSISTED: _(
            "%(name)s does not use messages here. A coordinator keeps in touch with them."
        ),
        Reach.THROUGH_COORDINATOR: _("%(name)s would rather be contacted through a coordinator."),
    }
    return messages[reach] % {"name": name}


@dataclass
class ReachContext:
    """What a page needs to decide the message button of every member on it, read once:
    the viewer's blocks either way round and the community's coordinators."""

    viewer: Membership | None
    blocked_by: set[int] = field(default_factory=set)  # people who blocked the viewer
    blocking: set[int] = field(default_factory=set)  # people the viewer blocked
    coordinators: list[Membership] = field(default_factory=list)

    @classmethod
    def load(cls, viewer: Membership | None, community) -> "ReachContext":
        context = cls(viewer=viewer)
        if viewer is not None:
            for blocker, blocked in blocked_pairs_for(viewer.user_id):
                if blocker == viewer.user_id:
                    context.blocking.add(blocked)
                else:
                    context.blocked_by.add(blocker)
        context.coordinators = list(
            Membership.objects.coordinators()
            .filter(community=community)
            .select_related("user")
            .order_by("user__name", "pk")
        )
        return context

    def reach(self, recipient: Membership) -> Reach:
        return direct_reach(
            self.viewer,
            recipient,
            sender_blocked=recipient.user_id in self.blocked_by,
            recipient_blocked=recipient.user_id in self.blocking,
        )

    def coordinators_for(self, recipient: Membership) -> list[Membership]:
        """Whom to contact instead: the coordinator who registered them if still one, else every
        coordinator (never the recipient themselves)."""
        own = [c for c in self.coordinators if c.user_id == recipient.registered_by_id]
        return own or [c for c in self.coordinators if c.user_id != recipient.user_id]
