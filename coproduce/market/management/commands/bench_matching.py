"""Measure matching and search latency on the configured database.

    python manage.py bench_matching [--posts N] [--samples S]

Builds (or reuses) a community "bench-matching" holding N open offers and requests
(half each) from N/50 members, trains its text model (as the background task would),
then times ``suggest_for_request``, a first search page (count + 20 rows) and the post
form's category suggestions (``suggest_categories`` on a request's words), and prints one
JSON line.
"""

import json
import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.utils import timezone

from coproduce.communities.models import Category, Community
from coproduce.communities.services import add_area, create_community
from coproduce.market.classifier import suggest_categories, train
from coproduce.market.matching import suggest_for_request
from coproduce.market.models import Post, PostKind, PostStatus
from coproduce.market.queries import search_posts
from coproduce.market.vocabulary import FIRST_NAMES, LAST_NAMES, PHRASES
from coproduce.members.availability import ALL_SLOTS_MASK
from coproduce.members.models import Membership

SLUG = "bench-matching"
BATCH = 5000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Benchmark matching and search; prints one JSON line of p50/p95 milliseconds."

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=100_000)
        parser.add_argument("--samples", type=int, default=200)
        parser.add_argument("--seed", type=int, default=4)

    def handle(self, *args, posts, samples, seed, **options):
        rng = random.Random(seed)
        community = self._community()
        self._fill(community, posts, rng)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # VACUUM also sets the visibility map after the bulk insert (not possible inside a
                # transaction, as in the test of this command).
                cursor.execute("ANALYZE market_post" if connection.in_atomic_block else "VACUUM ANALYZE market_post")
                cursor.execute("ANALYZE market_postterm")
                cursor.execute("ANALYZE members_membership")
                cursor.execute("ANALYZE members_membership_skills")
        started = time.perf_counter()
        train(community)
        train_s = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in ("market_termcount", "market_searchword", "market_conceptword"):
                    cursor.execute(f"ANALYZE {table}")
        request_ids = list(Post.objects.filter(community=community, kind=PostKind.REQUEST).open()
                           .values_list("id", flat=True)[:50_000])
        words = sorted({w for _o, _r, extra in PHRASES.values() for w in extra.split()})
        suggest_ms, search_ms, category_ms = [], [], []
        for i in range(samples + 10):  # the first 10 warm caches and are not counted
            request = Post.objects.select_related("category", "area", "author__user").get(pk=rng.choice(request_ids))
            started = time.perf_counter()
            suggest_for_request(request, limit=10)
            elapsed = (time.perf_counter() - started) * 1000
            query = " ".join(rng.sample(words, rng.choice([1, 1, 2])))
            started = time.perf_counter()
            page = Paginator(search_posts(community, query=query), 20).get_page(1)
            list(page)
            searched = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            suggest_categories(community, f"{request.title} {request.description}")
            categorised = (time.perf_counter() - started) * 1000
            if i >= 10:
                suggest_ms.append(elapsed)
                search_ms.append(searched)
                category_ms.append(categorised)
        self.stdout.write(json.dumps({
            "database": connection.vendor, "posts": Post.objects.filter(community=community).open().count(),
            "samples": samples,
            "suggest_p50_ms": round(statistics.median(suggest_ms), 2),
            "suggest_p95_ms": round(percentile(suggest_ms, 95), 2),
            "search_p50_ms": round(statistics.median(search_ms), 2),
            "search_p95_ms": round(percentile(search_ms, 95), 2),
            "category_p50_ms": round(statistics.median(category_ms), 2),
            "category_p95_ms": round(percentile(category_ms, 95), 2),
            "train_s": round(train_s, 2),
        }))

    @transaction.atomic
    def _community(self) -> Community:
        community = Community.objects.filter(slug=SLUG).first()
        if community is None:
            community = create_community(name="Bench matching", slug=SLUG)
        if not community.areas.exists():
            for i in range(12):
                add_area(community, actor=None, code=f"B{i:02d}", name=f"Bench area {i}",
                         latitude=Decimal(f"{51.45 + (i % 4) * 0.02:.4f}"),
                         longitude=Decimal(f"{-0.2 + (i // 4) * 0.03:.4f}"))
        return community

    @transaction.atomic
    def _fill(self, community: Community, wanted: int, rng: random.Random) -> None:
        have = Post.objects.filter(community=community).open().count()
        if have >= wanted:
            return
        areas = list(community.areas.all())
        categories = {c.name: c for c in Category.objects.filter(community=community, parent__isnull=False)}
        names = [n for n in PHRASES if n in categories]
        members = list(Membership.objects.filter(community=community))
        need_members = max(200, wanted // 50) - len(members)
        if need_members > 0:
            members += self._members(community, need_members, areas, categories, names, rng, start=len(members))
        now = timezone.now()
        batch = []
        for i in range(wanted - have):
            name = rng.choice(names)
            offers, requests, extra = PHRASES[name]
            kind = PostKind.OFFER if i % 2 else PostKind.REQUEST
            author = rng.choice(members)
            created = now - timedelta(minutes=rng.randrange(80 * 24 * 60))
            batch.append(Post(
                community=community, kind=kind, author=author, posted_by_id=author.user_id,
                title=rng.choice(offers if kind == PostKind.OFFER else requests),
                description=" ".join(rng.sample(extra.split(), min(3, len(extra.split())))),
                category=categories[name], area=None if rng.random() < 0.1 else rng.choice(areas),
                availability=rng.getrandbits(21) & ALL_SLOTS_MASK if rng.random() < 0.7 else 0,
                status=PostStatus.OPEN, created_at=created, expires_at=created + timedelta(days=90)))
            if len(batch) >= BATCH:
                Post.objects.bulk_create(batch)
                batch = []
        Post.objects.bulk_create(batch)

    def _members(self, community, n, areas, categories, names, rng, *, start):
        User = get_user_model()
        users = User.objects.bulk_create([
            User(email=f"bench-{start + i}@bench.invalid", name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                 password="!") for i in range(n)])
        memberships = Membership.objects.bulk_create([
            Membership(community=community, user=user, area=rng.choice(areas),
                       availability=rng.getrandbits(21) & ALL_SLOTS_MASK,
                       skills_text=PHRASES[rng.choice(names)][2][:200]) for user in users])
        through = Membership.skills.through
        through.objects.bulk_create([
            through(membership_id=m.pk, category_id=categories[name].pk)
            for m in memberships for name in rng.sample(names, 2)])
        return memberships
