"""Who gets which e-mail, and when. Each sender queues a task after the transaction commits."""

from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coproduce.communities.languages import language_for
from coproduce.ledger import hooks as ledger_hooks
from coproduce.ledger.services import format_minutes
from coproduce.notifications.models import DigestSent, Kind
from coproduce.notifications.preferences import wants
from coproduce.notifications.tasks import send_email

EXPIRY_NOTICE_BEFORE = timedelta(days=7)


def _queue(user, kind: str, subject: Callable[[], str], template: str, context: dict) -> None:
    """Queue one e-mail once the surrounding transaction commits (nothing on rollback), written
    in the recipient's language (theirs, else their community's), whatever the sender's is:
    ``subject`` is worded by a function called in that language."""
    if not user.email or not wants(user, kind):
        return
    language = language_for(user, context.get("community"))
    with translation.override(language):
        body = render_to_string(template, {"user": user, "site_url": settings.SITE_URL, **context})
        text = str(subject())
    user_id = user.pk
    transaction.on_commit(lambda: send_email.enqueue(user_id, kind, text, body, language))


def notify_new_message(message) -> None:
    from coproduce.conversations.models import Participant

    conversation = message.conversation
    for seat in Participant.objects.filter(conversation=conversation).exclude(user=message.sender).select_related("user"):
        _queue(seat.user, Kind.MESSAGES, lambda: _("New message from %(name)s") % {"name": message.sender.name},
               "notifications/email/new_message.txt",
               {"message": message, "conversation": conversation, "community": conversation.community})


def notify_match_suggestions(request_post, *, limit: int = 3) -> None:
    """Tell the top few suggested helpers about a new request (after commit, off the request path)."""
    post_id = request_post.pk

    def send():
        from coproduce.market.matching import suggest_for_request
        from coproduce.market.models import Post

        post = Post.objects.select_related("community", "category", "area", "author__user").get(pk=post_id)
        for suggestion in suggest_for_request(post, limit=limit):
            _queue(suggestion.membership.user, Kind.MATCHES,
                   lambda: _("Could you help? %(title)s") % {"title": post.title},
                   "notifications/email/match.txt",
                   {"post": post, "community": post.community, "reasons": suggestion.reasons})

    transaction.on_commit(send)


def notify_exchange_awaiting_confirmation(user, *, community, description, confirm_url: str) -> None:
    """Tell the receiver an exchange waits for their confirmation."""
    _queue(user, Kind.EXCHANGES, lambda: _("Please confirm an exchange"), "notifications/email/exchange.txt",
           {"community": community, "description": description, "confirm_url": confirm_url})


def on_ledger_event(event) -> None:
    """The ledger's after-commit observer: a receiver is asked to confirm what the giver recorded."""
    if event.name != ledger_hooks.AWAITING_CONFIRMATION or event.person is None:
        return
    transfer = event.transfer
    community = transfer.community
    minutes = max((amount for _account, amount in transfer.proposed), default=0)
    notify_exchange_awaiting_confirmation(
        event.person, community=community,
        # Worded when the e-mail is written, in the receiver's language (the template calls it).
        description=lambda: " · ".join(part for part in (str(transfer.keyed_by), format_minutes(minutes),
                                                         transfer.description) if part),
        confirm_url=settings.SITE_URL + reverse("ledger:pending", args=[community.slug]))


@transaction.atomic
def send_expiry_notices(now=None) -> int:
    """E-mail authors whose open posts lapse within a week, once per post; then expire lapsed posts."""
    from coproduce.market.models import Post, PostStatus
    from coproduce.market.services import expire_lapsed_posts

    now = now or timezone.now()
    due = list(Post.objects.select_for_update(of=("self",)).filter(
        status=PostStatus.OPEN, expires_at__gt=now, expires_at__lte=now + EXPIRY_NOTICE_BEFORE,
        expiry_notice_sent_at__isnull=True).select_related("author__user", "community"))
    for post in due:
        _queue(post.author.user, Kind.EXPIRING, lambda post=post: _("“%(title)s” closes soon") % {"title": post.title},
               "notifications/email/expiring.txt", {"post": post, "community": post.community})
    Post.objects.filter(pk__in=[p.pk for p in due]).update(expiry_notice_sent_at=now)
    expire_lapsed_posts(now)
    return len(due)


def send_weekly_digests(today: date | None = None) -> int:
    """One digest per person per community they belong to, of the week's new offers and requests."""
    from coproduce.market.models import Post
    from coproduce.members.models import Membership

    today = today or timezone.localdate()
    week = today - timedelta(days=today.weekday())
    since = timezone.now() - timedelta(days=7)
    sent = 0
    memberships = Membership.objects.active().select_related("user", "community").order_by("community_id", "pk")
    posts_by_community: dict[int, list] = {}
    for membership in memberships.iterator(chunk_size=500):
        community = membership.community
        if community.pk not in posts_by_community:
            posts_by_community[community.pk] = list(
                Post.objects.filter(community=community, created_at__gte=since).open()
                .select_related("category").order_by("-created_at")[:20])
        posts = [p for p in posts_by_community[community.pk] if p.author_id != membership.pk]
        if not posts or not membership.user.email or not wants(membership.user, Kind.DIGEST):
            continue
        try:
            with transaction.atomic():
                DigestSent.objects.create(user=membership.user, community=community, week=week)
                _queue(membership.user, Kind.DIGEST,
                       lambda community=community: _("This week in %(community)s") % {"community": community.name},
                       "notifications/email/digest.txt", {"community": community, "posts": posts})
        except IntegrityError:
            continue  # already sent this week
        sent += 1
    return sent
