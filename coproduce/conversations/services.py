"""Messages, blocks and reports: every write goes through here."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.conversations import hooks
from coproduce.conversations.models import (
    MESSAGE_MAX,
    Block,
    Conversation,
    Message,
    Participant,
    Report,
    ReportStatus,
)
from coproduce.conversations.queries import has_blocked
from coproduce.conversations.reach import Reach, direct_reach, refusal
from coproduce.market.models import Post, PostKind, PostStatus
from coproduce.members.models import Membership


def _clean_body(body: str, field: str = "body") -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({field: _("Please write a message.")})
    if len(body) > MESSAGE_MAX:
        raise ValidationError({field: _("Please keep it to %(n)d characters.") % {"n": MESSAGE_MAX}})
    return body


def _check_may_message(sender_id: int, recipient: Membership) -> None:
    if recipient.user_id == sender_id:
        raise ValidationError(_("You cannot send a message to yourself."))
    if not recipient.is_active:
        raise ValidationError(_("%(name)s is no longer a member.") % {"name": recipient.user.name})
    if has_blocked(recipient.user_id, sender_id):
        raise ValidationError(_("%(name)s is not taking messages from you.") % {"name": recipient.user.name})
    if has_blocked(sender_id, recipient.user_id):
        raise ValidationError(_("You have blocked %(name)s. Unblock them first to send a message.")
                              % {"name": recipient.user.name})


def _check_takes_direct_messages(sender: Membership, recipient: Membership) -> None:
    """Writing out of the blue (no offer or request to answer) also respects how the recipient
    wants to be reached; blocks and self were checked before."""
    reach = direct_reach(sender, recipient, sender_blocked=False, recipient_blocked=False)
    if reach is not Reach.MESSAGE:
        raise ValidationError(refusal(reach, recipient.user.name))


def _add_message(conversation: Conversation, sender, body: str) -> Message:
    now = timezone.now()
    message = Message.objects.create(conversation=conversation, sender=sender, body=body, created_at=now)
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    Participant.objects.filter(conversation=conversation, user=sender).update(last_read_at=now)
    hooks.message_sent.send(message)
    return message


def _conversation_between(community, post, a_id: int, b_id: int) -> Conversation | None:
    return (Conversation.objects.filter(community=community, post=post, participants__user_id=a_id)
            .filter(participants__user_id=b_id).first())


@transaction.atomic
def start_conversation(*, sender: Membership, recipient: Membership, body: str, post: Post | None = None,
                       actor=None) -> Conversation:
    """Write to another member, usually about an offer or request; reuses an existing thread.

    Without a post (from a profile, the directory or the outreach list) the recipient's contact
    preference counts too: assisted members and those reached through a coordinator are refused."""
    actor = actor or sender.user
    if recipient.community_id != sender.community_id:
        raise ValidationError(_("You can only write to members of the same community."))
    body = _clean_body(body)
    _check_may_message(sender.user_id, recipient)
    if post is None:
        _check_takes_direct_messages(sender, recipient)
    else:
        if post.community_id != sender.community_id:
            raise ValidationError(_("That offer or request is not in this community."))
        if not post.is_open:
            raise ValidationError(_("This offer or request is no longer open (%(status)s).")
                                  % {"status": post.get_status_display()})
    conversation = _conversation_between(sender.community, post, sender.user_id, recipient.user_id)
    if conversation is None:
        conversation = Conversation.objects.create(community=sender.community, post=post)
        Participant.objects.bulk_create([Participant(conversation=conversation, user_id=sender.user_id),
                                         Participant(conversation=conversation, user_id=recipient.user_id)])
    _add_message(conversation, actor, body)
    return conversation


@transaction.atomic
def reply(conversation: Conversation, *, sender, body: str) -> Message:
    """Add a message to a conversation the sender is in."""
    body = _clean_body(body)
    seats = list(Participant.objects.filter(conversation=conversation).select_related("user"))
    if sender.pk not in {s.user_id for s in seats}:
        raise ValidationError(_("You are not part of this conversation."))
    for seat in seats:
        if seat.user_id != sender.pk and (has_blocked(seat.user_id, sender.pk) or has_blocked(sender.pk, seat.user_id)):
            raise ValidationError(_("Messages between you and %(name)s are blocked.") % {"name": seat.user.name})
    return _add_message(conversation, sender, body)


def mark_read(conversation: Conversation, user) -> None:
    Participant.objects.filter(conversation=conversation, user=user).update(last_read_at=timezone.now())


@transaction.atomic
def introduce(request: Post, helper: Membership, *, actor, note: str = "") -> Conversation:
    """A coordinator introduces a request's author and a helper: one conversation, the request matched."""
    from coproduce.safeguarding.services import require_valid_check

    request = Post.objects.select_for_update().select_related("author__user", "category").get(pk=request.pk)
    if request.kind != PostKind.REQUEST or not request.is_open:
        raise ValidationError(_("Only open requests can be introduced."))
    if helper.community_id != request.community_id or helper.pk == request.author_id or not helper.is_active:
        raise ValidationError(_("Choose another current member of this community."))
    require_valid_check(helper, request.category)
    if has_blocked(request.author.user_id, helper.user_id) or has_blocked(helper.user_id, request.author.user_id):
        raise ValidationError(_("These two members cannot be introduced."))
    body = _clean_body(note or _("Hello %(a)s and %(b)s, I think you could help each other with “%(title)s”. "
                                 "Please say hello here.") % {"a": request.author.user.name,
                                                             "b": helper.user.name, "title": request.title},
                       "note")
    conversation = Conversation.objects.create(community=request.community, post=request, introduced_by=actor)
    Participant.objects.bulk_create([Participant(conversation=conversation, user_id=request.author.user_id),
                                     Participant(conversation=conversation, user_id=helper.user_id)])
    _add_message(conversation, actor, body)
    request.status = PostStatus.MATCHED
    request.helper = helper
    request.save(update_fields=["status", "helper"])
    record_audit(actor=actor, action=AuditAction.INTRODUCED, community=request.community,
                 on_behalf_of=request.author.user, subject=request.title, post=request.pk,
                 helper=helper.pk, conversation=conversation.pk)
    return conversation


@transaction.atomic
def block(*, blocker, blocked) -> Block:
    if blocker.pk == blocked.pk:
        raise ValidationError(_("You cannot block yourself."))
    found, _created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    return found


@transaction.atomic
def unblock(*, blocker, blocked) -> None:
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()


@transaction.atomic
def report(*, community, reporter, reported, reason: str, message: Message | None = None) -> Report:
    """A member reports a message or a member; it goes to the coordinators' queue."""
    reason = _clean_body(reason, "reason")
    if reporter.pk == reported.pk:
        raise ValidationError(_("You cannot report yourself."))
    if message is not None:
        in_it = Participant.objects.filter(conversation=message.conversation, user=reporter).exists()
        if not in_it or message.conversation.community_id != community.pk or message.sender_id != reported.pk:
            raise ValidationError(_("You can only report messages sent to you."))
    return Report.objects.create(community=community, reporter=reporter, reported=reported, message=message,
                                 reason=reason)


@transaction.atomic
def resolve_report(report_: Report, *, actor, resolution: str) -> Report:
    report_ = Report.objects.select_for_update().get(pk=report_.pk)
    if report_.status != ReportStatus.OPEN:
        raise ValidationError(_("This report has already been dealt with."))
    report_.resolution = _clean_body(resolution, "resolution")
    report_.status = ReportStatus.RESOLVED
    report_.resolved_by = actor
    report_.resolved_at = timezone.now()
    report_.save(update_fields=["resolution", "status", "resolved_by", "resolved_at"])
    record_audit(actor=actor, action=AuditAction.REPORT_RESOLVED, community=report_.community,
                 subject=f"report {report_.pk}", report=report_.pk)
    return report_
