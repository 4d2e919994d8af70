"""Reading conversations: blocks, inboxes and unread counts, in a constant number of queries."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from coproduce.conversations.models import (
    Block,
    Conversation,
    Message,
    Participant,
    Report,
    ReportStatus,
)


def blocked_pairs_for(user_id: int) -> list[tuple[int, int]]:
    """(blocker, blocked) pairs that involve this person, either way round."""
    return list(Block.objects.filter(Q(blocker_id=user_id) | Q(blocked_id=user_id))
                .values_list("blocker_id", "blocked_id"))


def blocked_people(user_id: int) -> set[int]:
    """Everyone on the other side of a block with this person, whichever of them blocked."""
    return {other for pair in blocked_pairs_for(user_id) for other in pair} - {user_id}


def people_who_wrote_about(post) -> set[int]:
    """Everyone in a conversation about this post (its author included)."""
    return set(Participant.objects.filter(conversation__post=post).values_list("user_id", flat=True))


def is_blocked_between(a_id: int, b_id: int) -> bool:
    return Block.objects.filter(Q(blocker_id=a_id, blocked_id=b_id) | Q(blocker_id=b_id, blocked_id=a_id)).exists()


def has_blocked(blocker_id: int, blocked_id: int) -> bool:
    return Block.objects.filter(blocker_id=blocker_id, blocked_id=blocked_id).exists()


def direct_conversation(community, a_id: int, b_id: int) -> Conversation | None:
    """The conversation two people have outside any offer or request, if they have one."""
    return (Conversation.objects.filter(community=community, post__isnull=True, participants__user_id=a_id)
            .filter(participants__user_id=b_id).order_by("-last_message_at", "-id").first())


def conversation_of(user, community, pk) -> Conversation | None:
    """The conversation ``pk`` of this community if ``user`` takes part in it, else None: its
    messages are for the people in it only (a coordinator reads one only through a report)."""
    return (Conversation.objects.filter(pk=pk, community=community)
            .filter(Exists(Participant.objects.filter(conversation=OuterRef("pk"), user=user)))
            .select_related("post").first())


def inbox(user, community):
    """This person's conversations in a community, newest first, with ``unread`` and ``other_name``."""
    seat = Participant.objects.filter(conversation=OuterRef("pk"), user=user)
    other = Participant.objects.filter(conversation=OuterRef("pk")).exclude(user=user)
    unread = (Message.objects.filter(conversation=OuterRef("pk")).exclude(sender=user)
              .filter(created_at__gt=OuterRef("my_last_read"))
              .order_by().values("conversation").annotate(n=Count("pk")).values("n"))
    never_read = (Message.objects.filter(conversation=OuterRef("pk")).exclude(sender=user)
                  .order_by().values("conversation").annotate(n=Count("pk")).values("n"))
    return (Conversation.objects.filter(community=community).filter(Exists(seat))
            .annotate(my_last_read=Subquery(seat.values("last_read_at")[:1]),
                      other_name=Subquery(other.values("user__name")[:1]),
                      unread_since=Subquery(unread), unread_all=Subquery(never_read))
            .select_related("post").order_by("-last_message_at", "-id"))


def unread(user) -> QuerySet[Message]:
    """Messages from others this person has not opened yet, in all their conversations."""
    seats = Participant.objects.filter(user=user, conversation=OuterRef("conversation"))
    return (Message.objects.exclude(sender=user)
            .filter(Exists(seats.filter(Q(last_read_at__isnull=True) | Q(last_read_at__lt=OuterRef("created_at"))))))


def unread_count(user, community=None) -> int:
    """Messages from others this person has not opened yet."""
    qs = unread(user)
    if community is not None:
        qs = qs.filter(conversation__community=community)
    return qs.count()


def unread_by_community(user) -> dict[int, int]:
    """Unread messages per community id, for every community at once (one query)."""
    return dict(unread(user).order_by().values_list("conversation__community_id")
                .annotate(n=Count("pk")).values_list("conversation__community_id", "n"))


def new_introductions(user, community):
    """Conversations a coordinator started to introduce this person to someone, not opened yet."""
    return (Conversation.objects.filter(community=community, introduced_by__isnull=False,
                                        participants__user=user, participants__last_read_at__isnull=True)
            .select_related("post").order_by("-created_at", "-id"))


def open_reports(community):
    """Reports waiting for a coordinator, oldest first."""
    return Report.objects.filter(community=community, status=ReportStatus.OPEN)
