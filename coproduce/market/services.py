"""Posting, renewing, withdrawing and closing offers and requests: every write goes through here."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.communities.models import Area, Category
from coproduce.ledger import hooks as ledger_hooks
from coproduce.ledger import services as ledger
from coproduce.ledger.models import Account, Transfer
from coproduce.market import hooks, tasks, text
from coproduce.market.models import (
    DEFAULT_LIFETIME,
    DESCRIPTION_MAX,
    TITLE_MAX,
    ConceptWord,
    Post,
    PostKind,
    PostStatus,
)
from coproduce.members.availability import ALL_SLOTS_MASK
from coproduce.members.models import Membership


def _acting_for(author: Membership, actor) -> bool:
    """True when a coordinator keys something for an assisted member (audited)."""
    return actor.pk != author.user_id


def _validate(community, *, title: str, description: str, category: Category | None, area: Area | None,
              availability: int, duration_minutes: int) -> tuple[str, str]:
    title = (title or "").strip()
    description = (description or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Please say in a few words what it is.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Please keep the title to %(n)d characters.") % {"n": TITLE_MAX}
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _("Please keep the description to %(n)d characters.") % {"n": DESCRIPTION_MAX}
    if category is None or category.community_id != community.pk or category.retired:
        errors["category"] = _("Choose one of this community's categories.")
    if area is not None and area.community_id != community.pk:
        errors["area"] = _("Choose one of this community's areas.")
    if not 0 <= availability <= ALL_SLOTS_MASK:
        errors["availability"] = _("Choose times from the list.")
    if not 15 <= duration_minutes <= 24 * 60:
        errors["duration_minutes"] = _("Say how long, between 15 minutes and 24 hours.")
    if errors:
        raise ValidationError(errors)
    return title, description


@transaction.atomic
def create_post(*, author: Membership, actor, kind: str, title: str, description: str = "",
                category: Category, area: Area | None = None, availability: int = 0,
                duration_minutes: int = 60, lifetime: timedelta = DEFAULT_LIFETIME,
                visible_to_linked_banks: bool = False) -> Post:
    """Post an offer or request for ``author``; ``actor`` is the author or their coordinator."""
    if kind not in PostKind.values:
        raise ValidationError({"kind": _("Choose offer or request.")})
    if not author.is_active:
        raise ValidationError(_("Only current members can post."))
    title, description = _validate(author.community, title=title, description=description, category=category,
                                   area=area, availability=availability, duration_minutes=duration_minutes)
    now = timezone.now()
    post = Post.objects.create(
        community=author.community, kind=kind, author=author, title=title, description=description,
        category=category, area=area, availability=availability, duration_minutes=duration_minutes,
        created_at=now, expires_at=now + lifetime, posted_by=actor,
        visible_to_linked_banks=bool(visible_to_linked_banks),
    )
    if _acting_for(author, actor):
        record_audit(actor=actor, action=AuditAction.POST_CREATED, community=author.community,
                     on_behalf_of=author.user, subject=title, post=post.pk, kind=kind)
    if kind == PostKind.REQUEST:
        hooks.request_posted.send(post)
    # After commit and robust: a post stands even if the bookkeeping of its text model fails.
    community_id = author.community_id
    transaction.on_commit(lambda: tasks.note_new_post(community_id), robust=True)
    return post


def _lock(post: Post) -> Post:
    return Post.objects.select_for_update().select_related("author__user", "community").get(pk=post.pk)


@transaction.atomic
def renew_post(post: Post, *, actor) -> Post:
    """Keep an open or lapsed post open for another 90 days from now, in one click."""
    post = _lock(post)
    if post.status not in (PostStatus.OPEN, PostStatus.EXPIRED):
        raise ValidationError(_("Only open or lapsed offers and requests can be renewed; this one is %(status)s.")
                              % {"status": post.get_status_display()})
    post.status = PostStatus.OPEN
    post.expires_at = timezone.now() + DEFAULT_LIFETIME
    post.expiry_notice_sent_at = None
    post.closed_at = None
    post.save(update_fields=["status", "expires_at", "expiry_notice_sent_at", "closed_at"])
    if _acting_for(post.author, actor):
        record_audit(actor=actor, action=AuditAction.POST_RENEWED, community=post.community,
                     on_behalf_of=post.author.user, subject=post.title, post=post.pk)
    return post


@transaction.atomic
def withdraw_post(post: Post, *, actor) -> Post:
    """Take an open or matched post down. Withdrawn posts stay for the record."""
    post = _lock(post)
    if post.status not in (PostStatus.OPEN, PostStatus.MATCHED, PostStatus.EXPIRED):
        raise ValidationError(_("This offer or request is already %(status)s.") % {"status": post.get_status_display()})
    post.status = PostStatus.WITHDRAWN
    post.closed_at = timezone.now()
    post.save(update_fields=["status", "closed_at"])
    if _acting_for(post.author, actor):
        record_audit(actor=actor, action=AuditAction.POST_WITHDRAWN, community=post.community,
                     on_behalf_of=post.author.user, subject=post.title, post=post.pk)
    return post


@transaction.atomic
def complete_post(post: Post, *, actor, helper: Membership | None = None) -> Post:
    """Mark a post done, optionally with the person it was done with.

    The ledger calls this when an exchange linked to the post is recorded; safeguarding
    rules apply: in a check-required category the helper must hold a valid check.
    """
    from coproduce.safeguarding.services import require_valid_check

    post = _lock(post)
    if post.status not in (PostStatus.OPEN, PostStatus.MATCHED):
        raise ValidationError(_("This offer or request is already %(status)s.") % {"status": post.get_status_display()})
    if helper is not None:
        if helper.community_id != post.community_id or helper.pk == post.author_id:
            raise ValidationError(_("Choose another member of this community."))
        giver = helper if post.kind == PostKind.REQUEST else post.author
        require_valid_check(giver, post.category)
    post.status = PostStatus.DONE
    post.helper = helper
    post.closed_at = timezone.now()
    post.save(update_fields=["status", "helper", "closed_at"])
    if _acting_for(post.author, actor):
        record_audit(actor=actor, action=AuditAction.POST_DONE, community=post.community,
                     on_behalf_of=post.author.user, subject=post.title, post=post.pk)
    return post


def expire_lapsed_posts(now=None) -> int:
    """The nightly sweep: open posts past their date become expired. Returns how many."""
    now = now or timezone.now()
    return Post.objects.filter(status=PostStatus.OPEN, expires_at__lte=now).update(
        status=PostStatus.EXPIRED, closed_at=now)


def giver_and_receiver(post: Post) -> tuple[Membership, Membership]:
    """Who helped whom in a done post: a request's helper gave; an offer's author gave."""
    if post.kind == PostKind.REQUEST:
        return post.helper, post.author
    return post.author, post.helper


@transaction.atomic
def thank(post: Post, *, actor, note: str):
    """The person helped leaves a short thank-you note on a done post (once)."""
    from coproduce.market.models import ThankYou

    post = _lock(post)
    note = (note or "").strip()
    if post.status != PostStatus.DONE or post.helper_id is None:
        raise ValidationError(_("You can say thank you once it is done with someone."))
    giver, receiver = giver_and_receiver(post)
    if receiver.user_id != actor.pk:
        raise ValidationError(_("Only the person who was helped can say thank you here."))
    if not note:
        raise ValidationError({"note": _("Please write a few words.")})
    if len(note) > 500:
        raise ValidationError({"note": _("Please keep it to 500 characters.")})
    if ThankYou.objects.filter(post=post).exists():
        raise ValidationError(_("You have already said thank you for this."))
    return ThankYou.objects.create(post=post, giver=giver, receiver=receiver, note=note)


@transaction.atomic
def show_thanks_on_profile(thank_you, *, actor, shown: bool):
    """Only the giver decides whether a thank-you note appears on their profile."""
    if thank_you.giver.user_id != actor.pk:
        raise ValidationError(_("Only the person thanked can choose this."))
    thank_you.shown_on_profile = shown
    thank_you.save(update_fields=["shown_on_profile"])
    return thank_you


@transaction.atomic
def link_exchange(post: Post, transfer, *, actor) -> Post:
    """Tie a recorded exchange to the offer or request it was about (the ledger calls this).

    The post's author must be one side of the exchange; once the exchange is posted the
    post is done, with the other side as its helper.
    """
    post = _lock(post)
    parties = _exchange_members(transfer)
    if post.community_id != transfer.community_id or post.author_id not in parties:
        raise ValidationError({"post": _("That offer or request is not between the two of you.")})
    if post.status not in (PostStatus.OPEN, PostStatus.MATCHED):
        raise ValidationError({"post": _("This offer or request is already %(status)s.")
                                       % {"status": post.get_status_display()}})
    post.exchange = transfer
    post.save(update_fields=["exchange"])
    if transfer.status == "posted":
        exchange_posted(transfer, actor=actor)
    return post


def exchange_posted(transfer, *, actor) -> None:
    """An exchange linked to posts is now posted: those posts are done."""
    posts = list(Post.objects.filter(exchange=transfer, status__in=[PostStatus.OPEN, PostStatus.MATCHED]))
    if not posts:  # most exchanges are about no post: one query, no transaction
        return
    with transaction.atomic():
        parties = _exchange_members(transfer)
        for post in posts:
            other = next((pk for pk in parties if pk != post.author_id), None)
            helper = Membership.objects.get(pk=other) if other else None
            complete_post(post, actor=actor, helper=helper)


def record_exchange_about(post: Post, **exchange) -> Transfer:
    """Record an exchange (``ledger.record_exchange``'s arguments) about an offer or request: the
    exchange and the link are written together or not at all, and the post is done as soon as the
    exchange is posted (at once, or when it is confirmed or approved)."""
    with transaction.atomic():
        already = Transfer.objects.filter(community=exchange["community"],
                                          idempotency_key=exchange["idempotency_key"]).exists()
        transfer = ledger.record_exchange(**exchange)
        if not already:
            link_exchange(post, transfer, actor=exchange["keyed_by"])
    return transfer


def on_ledger_event(event) -> None:
    """The ledger's after-commit observer: an exchange about a post, posted later (confirmed by its
    receiver, settled, approved), makes the post done. One posted as it was recorded was linked
    by ``record_exchange_about``, which completed the post itself."""
    if event.name == ledger_hooks.POSTED and event.waited and event.transfer.kind == "exchange":
        exchange_posted(event.transfer, actor=event.actor)


def _exchange_members(transfer) -> list[int]:
    """Membership ids on either side of a transfer (posted entries, or a pending one's lines)."""
    account_ids = [account_id for account_id, _minutes in transfer.proposed] or list(
        transfer.entries.values_list("account_id", flat=True))
    return list(Account.objects.filter(pk__in=account_ids, membership__isnull=False)
                .values_list("membership_id", flat=True))


MAX_WORDS_AT_ONCE = 50


def _clean_concept_words(category: Category, words: str) -> list[str]:
    """Words separated by commas or new lines, each checked; a clear message for the first bad one."""
    cleaned, problems = [], []
    for raw in words.replace("\n", ",").split(","):
        raw = raw.strip()
        if not raw:
            continue
        found = text.tokens(raw)
        if len(found) != 1 or len(raw) > text.MAX_WORD:
            problems.append(_("“%(word)s”: give one word at a time, of letters or numbers, up to %(n)d characters.")
                            % {"word": raw[:60], "n": text.MAX_WORD})
        elif text.is_stop_word(found[0]):
            problems.append(_("“%(word)s” is too common to tell categories apart.") % {"word": raw})
        elif found[0] not in cleaned:
            cleaned.append(found[0])
    if problems:
        raise ValidationError({"words": problems})
    if not cleaned:
        raise ValidationError({"words": _("Give at least one word, for example “walkies”.")})
    if len(cleaned) > MAX_WORDS_AT_ONCE:
        raise ValidationError({"words": _("Add at most %(n)d words at a time.") % {"n": MAX_WORDS_AT_ONCE}})
    return cleaned


@transaction.atomic
def add_concept_words(category: Category, *, actor, words: str) -> list[ConceptWord]:
    """Add words people use for a category (comma-separated); words it already has are skipped."""
    if category.retired:
        raise ValidationError(_("“%(category)s” is retired; bring it back first.") % {"category": category.name})
    cleaned = _clean_concept_words(category, words or "")
    have = set(ConceptWord.objects.filter(category=category, word__in=cleaned).values_list("word", flat=True))
    added = ConceptWord.objects.bulk_create([
        ConceptWord(community_id=category.community_id, category=category, word=w, stem=text.stem(w), added_by=actor)
        for w in cleaned if w not in have], ignore_conflicts=True)
    if added:
        record_audit(actor=actor, action=AuditAction.VOCABULARY_CHANGED, community=category.community,
                     subject=str(category), added=[w.word for w in added])
        community_id = category.community_id
        transaction.on_commit(lambda: tasks.request_retrain(community_id), robust=True)
    return added


@transaction.atomic
def remove_concept_word(word: ConceptWord, *, actor) -> None:
    """Take a word off a category's vocabulary."""
    word = ConceptWord.objects.select_for_update().select_related("category__community").filter(pk=word.pk).first()
    if word is None:
        return  # removed a moment ago by someone else: nothing left to do
    category = word.category
    word.delete()
    record_audit(actor=actor, action=AuditAction.VOCABULARY_CHANGED, community=category.community,
                 subject=str(category), removed=[word.word])
    community_id = category.community_id
    transaction.on_commit(lambda: tasks.request_retrain(community_id), robust=True)
