"""Demo data for offers, requests, checks and conversations.

The lead wires ``seed_market(community, rng)`` into ``seed_demo`` after the members exist.
Posts are bulk-inserted (search stays in sync: a generated column on PostgreSQL, triggers
on SQLite); checks, requirements and conversations go through the services.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from coproduce.communities.models import Category, Community
from coproduce.conversations.services import start_conversation
from coproduce.demo.logins import DEMO_LOGINS
from coproduce.market.models import Post, PostKind, PostStatus
from coproduce.market.vocabulary import PHRASES
from coproduce.members.models import Membership, Role
from coproduce.safeguarding.models import CheckType, Outcome
from coproduce.safeguarding.services import record_check, set_requirement

CHECKED_CATEGORIES = {"Personal care": CheckType.ENHANCED_DBS, "Babysitting": CheckType.ENHANCED_DBS,
                      "Sitting with someone": CheckType.ENHANCED_DBS}
CHATS = [
    ("Hello! I saw your request. I could help on Saturday morning, would that suit?",
     "That would be wonderful, thank you. Could you come at ten?"),
    ("Hi, I'm nearby and happy to help with this. When is good for you?",
     "Thank you so much! Any weekday afternoon is fine."),
    ("I'd love to learn this. Are you free one evening next week?",
     "Yes, Tuesday evening works for me."),
]


def seed_market(community: Community, rng: random.Random, *, posts: int = 150, conversations: int = 6) -> dict:
    """Add open offers and requests, safeguarding checks and a few conversations. Returns counts."""
    now = timezone.now()
    coordinator = (Membership.objects.active().filter(community=community, role=Role.COORDINATOR)
                   .select_related("user").order_by("pk").first())
    members = list(Membership.objects.active().filter(community=community, role=Role.MEMBER)
                   .select_related("user").order_by("pk"))
    if coordinator is None or len(members) < 4:
        return {"posts": 0, "checks": 0, "conversations": 0}
    categories = {c.name: c for c in Category.objects.filter(community=community, parent__isnull=False)}
    names = [n for n in PHRASES if n in categories]
    areas = list(community.areas.all())

    with transaction.atomic():
        batch = []
        for i in range(posts):
            # Every category first gets one request and one offer, so every page has something.
            covering = i < 2 * len(names)
            name = names[i // 2] if covering else rng.choice(names)
            offers, requests, extra = PHRASES[name]
            if covering:
                kind = PostKind.REQUEST if i % 2 == 0 else PostKind.OFFER
            else:
                kind = PostKind.REQUEST if i % 5 in (0, 2) else PostKind.OFFER
            author = rng.choice(members)
            # A few requests are old enough to wait in the brokerage queue.
            created = now - timedelta(days=rng.choice([0, 1, 2, 3, 5, 9, 14, 30]), minutes=rng.randrange(1440))
            batch.append(Post(
                community=community, kind=kind, author=author, posted_by=author.user,
                title=rng.choice(offers if kind == PostKind.OFFER else requests),
                description=(f"{rng.choice(['Happy to help', 'Would be grateful', 'Any time suits'])}: "
                             + ", ".join(rng.sample(extra.split(), min(3, len(extra.split()))))),
                category=categories[name], area=None if rng.random() < 0.15 else (author.area or rng.choice(areas)),
                availability=author.availability if rng.random() < 0.6 else 0,
                duration_minutes=rng.choice([30, 60, 60, 90, 120]), status=PostStatus.OPEN,
                created_at=created, expires_at=created + timedelta(days=90)))
        Post.objects.bulk_create(batch)

        for name, check_type in CHECKED_CATEGORIES.items():
            if name in categories:
                set_requirement(categories[name], actor=coordinator.user, check_type=check_type)
        checked = rng.sample(members, min(8, len(members)))
        today = timezone.localdate()
        for i, membership in enumerate(checked):
            checked_on = today - timedelta(days=rng.randrange(30, 1000))
            # Two checks lapse within 60 days, so the coordinator's list is not empty.
            expires_on = today + timedelta(days=rng.randrange(10, 55)) if i < 2 else checked_on + timedelta(days=1095)
            record_check(membership, actor=coordinator.user, check_type=CheckType.ENHANCED_DBS,
                         checked_on=checked_on, expires_on=max(expires_on, checked_on + timedelta(days=1)),
                         outcome=Outcome.CLEAR, note="Certificate seen by the coordinator")
            record_check(membership, actor=coordinator.user, check_type=CheckType.REFERENCE,
                         checked_on=checked_on, outcome=Outcome.CLEAR, note="Reference from a previous employer")

    made = 0
    open_requests = list(Post.objects.filter(community=community, kind=PostKind.REQUEST, status=PostStatus.OPEN)
                         .exclude(category__name__in=CHECKED_CATEGORIES).select_related("author__user")
                         .order_by("pk")[:conversations * 3])
    # The demo member's login shows a conversation whatever the size (the load test opens one).
    demo_member = next((m for m in members if m.user.email == DEMO_LOGINS["member"]), None)
    for i, request in enumerate(rng.sample(open_requests, min(conversations, len(open_requests)))):
        helper = rng.choice([m for m in members if m.pk != request.author_id])
        if i == 0 and demo_member is not None and request.author_id != demo_member.pk:
            helper = demo_member
        first, answer = rng.choice(CHATS)
        with transaction.atomic():
            conversation = start_conversation(sender=helper, recipient=request.author, body=first, post=request)
        from coproduce.conversations.services import reply

        with transaction.atomic():
            reply(conversation, sender=request.author.user, body=answer)
        made += 1
    return {"posts": len(batch), "checks": len(checked) * 2, "conversations": made}
