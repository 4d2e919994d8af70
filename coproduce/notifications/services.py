"""Who gets which e-mail, and when. Each sender queues a task after the transaction commits."""

from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.notifications.models import DigestSent, Kind, Preference

UNSUBSCRIBE_SALT = "coproduce.notifications.unsubscribe"
EXPIRY_NOTICE_BEFORE = timedelta(days=7)


def wants(user, kind: str) -> bool:
    preference = Preference.objects.filter(user=user).first()
    return preference is None or getattr(preference, kind)


@transaction.atomic
def set_preferences(user, **choices) -> Preference:
    preference, _created = Preference.objects.get_or_create(user=user)
    for kind in Kind.values:
        if kind in choices:
            setattr(preference, kind, bool(choices[kind]))
    preference.save()
    return preference


def unsubscribe_token(user, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if data.get("k") not in Kind.values:
        return None
    return data["u"], data["k"]


def unsubscribe_url(user, kind: str) -> str:
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[unsubscribe_token(user, kind)])


def _queue(user, kind: str, subject: str, template: str, context: dict) -> None:
    """Queue one e-mail once the surrounding transaction commits (nothing on rollback)."""
    if not user.email or not wants(user, kind):
        return
    from coproduce.notifications.tasks import send_email

    body = render_to_string(template, {"user": user, "site_url": settings.SITE_URL, **context})
    user_id = user.pk
    transaction.on_commit(lambda: send_email.enqueue(user_id, kind, str(subject), body))


def notify_new_message(message) -> None:
    from coproduce.conversations.models import Participant

    conversation = message.conversation
    for seat in Participant.objects.filter(conversation=conversation).exclude(user=message.sender).select_related("user"):
        _queue(seat.user, Kind.MESSAGES, _("New message from %(name)s") % {"name": message.sender.name},
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
                   _("Could you help? %(title)s") % {"title": post.title},
                   "notifications/email/match.txt",
                   {"post": post, "community": post.community, "reasons": suggestion.reasons})

    transaction.on_commit(send)


def notify_exchange_awaiting_confirmation(user, *, community, description: str, confirm_url: str) -> None:
    """For the ledger: tell the receiver an exchange waits for their confirmation."""
    _queue(user, Kind.EXCHANGES, _("Please confirm an exchange"), "notifications/email/exchange.txt",
           {"community": community, "description": description, "confirm_url": confirm_url})


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
        _queue(post.author.user, Kind.EXPIRING, _("“%(title)s” closes soon") % {"title": post.title},
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
                       _("This week in %(community)s") % {"community": community.name},
                       "notifications/email/digest.txt", {"community": community, "posts": posts})
        except IntegrityError:
            continue  # already sent this week
        sent += 1
    return sent
