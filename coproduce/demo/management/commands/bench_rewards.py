"""Measure spending credits at a venue's counter (issue 16), on the demo community.

    python manage.py bench_rewards [--redemptions 400] [--runs 40]

Adds a venue with one listing and a member of staff to the demo (once), gives ``--redemptions``
members a one-time code each (not timed), then times ``rewards.services.redeem_code`` for all of
them from ``--tills`` processes at once (one per core by default): redemptions per second through
the service, every redemption a ledger posting with the limit checks under the listing's lock. Then, as a till's browser would, the confirm page (POST
through the whole middleware) for ``--runs`` more codes: p50/p95 in milliseconds, and p95 over a
trivial page's (the log-in page) in the same run. The baseline for the rate, in the same run:
as many bare ledger postings between the same parties from as many processes
(``redemption_time_ratio`` is a redemption's time over a posting's). Prints one JSON line.
Targets: at least 200 redemptions a second; the confirm page's p95 at most 100 ms.
"""

import datetime
import json
import multiprocessing
import os
import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from coproduce import testing
from coproduce.communities.models import Community
from coproduce.demo.logins import DEMO_SLUG
from coproduce.demo.management.commands.bench_home import _host, _measure, _percentile
from coproduce.ledger import services as ledger
from coproduce.ledger.models import Account, AccountKind
from coproduce.members.models import Membership, MembershipStatus, Role
from coproduce.partners import services as partners
from coproduce.partners.models import Listing, Organisation
from coproduce.rewards import services
from coproduce.testing import Client

VENUE = "Bench Leisure Centre"


def _venue(community):
    coordinator = Membership.objects.coordinators().filter(community=community).select_related("user").first()
    if coordinator is None:
        raise CommandError("The demo community has no coordinator.")
    venue = Organisation.objects.filter(community=community, name=VENUE).first()
    if venue is None:
        venue = partners.save_organisation(community=community, actor=coordinator.user, name=VENUE, type="leisure")
    if not Listing.objects.filter(organisation=venue, title="Bench swim").exists():
        partners.save_listing(venue, actor=coordinator.user, title="Bench swim", description="", minutes=15)
    staff = venue.staff.select_related("user").first()
    if staff is None:
        user = testing.make_person("bench.till@example.org", "Bench Till")
        membership = testing.join(user, community, role=Role.PARTNER_STAFF)
        partners.add_staff(venue, actor=coordinator.user, membership=membership,
                           started_on=timezone.localdate() - datetime.timedelta(days=1))
        staff = venue.staff.select_related("user").first()
    return venue, Listing.objects.get(organisation=venue, title="Bench swim"), staff.user


def _post_all(venue_id: int, till_id: int, membership_ids: list[int]) -> int:
    """The baseline: the same postings straight through the ledger (staff authority, as a
    redemption posts), without codes, limits or redemption records."""
    venue = Organisation.objects.select_related("community").get(pk=venue_id)
    till = get_user_model().objects.get(pk=till_id)
    today = ledger.community_today(venue.community)
    for membership in Membership.objects.filter(pk__in=membership_ids).select_related("user", "community"):
        with transaction.atomic():
            ledger.record_exchange(community=venue.community, giver=venue, receiver=membership, minutes=15,
                                   performed_on=today, keyed_by=till, idempotency_key=ledger.new_key(),
                                   description="Bench baseline", authority="bench baseline")
    return len(membership_ids)


def _in_processes(tills: int, work, args: list[tuple]) -> float:
    """Run work(*a) for each a in ``args``, one process per till; the rate of what they did per second."""
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(tills, initializer=connections.close_all) as pool:
        started = time.perf_counter()
        done = sum(pool.starmap(work, args))
        return done / (time.perf_counter() - started)


def _redeem_all(venue_id: int, till_id: int, codes: list[str]) -> int:
    venue = Organisation.objects.select_related("community").get(pk=venue_id)
    till = get_user_model().objects.get(pk=till_id)
    for code in codes:
        services.redeem_code(venue, code, actor=till)
    return len(codes)


class Command(BaseCommand):
    help = "Print one JSON line: redemptions per second through the service, and the confirm page's p95."

    def add_arguments(self, parser):
        parser.add_argument("--redemptions", type=int, default=400)
        parser.add_argument("--runs", type=int, default=40)
        parser.add_argument("--tills", type=int, default=os.cpu_count() or 2)

    def handle(self, *args, redemptions, runs, tills, **options):
        community = Community.objects.filter(slug=DEMO_SLUG).first()
        if community is None:
            raise CommandError("Seed the demo first (python manage.py seed_demo).")
        venue, listing, till = _venue(community)
        # Members who can pay for the listing twice (the redemption and the baseline's posting), so
        # the bench runs again and again on the same demo; as many as there are, up to the number asked.
        headroom = 2 * listing.minutes
        accounts = (Account.objects.filter(community=community, kind=AccountKind.MEMBER)
                    .annotate(floor=Coalesce("min_override", Value(community.min_balance_minutes))))
        members = Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE, role=Role.MEMBER)
        if community.min_balance_minutes <= -headroom:  # a member with no account yet has a balance of 0
            members = members.exclude(pk__in=accounts.filter(balance__lt=F("floor") + headroom)
                                      .values("membership_id"))
        else:
            members = members.filter(pk__in=accounts.filter(balance__gte=F("floor") + headroom)
                                     .values("membership_id"))
        members = list(members.select_related("user").order_by("?")[:redemptions + runs])
        if len(members) < 2 * max(tills, 10):
            raise CommandError(f"Only {len(members)} members of the demo can pay {headroom} minutes; "
                               "seed a bigger demo (seed_demo --members).")
        runs = min(runs, len(members) // 4)
        redemptions = len(members) - runs
        ledger.member_accounts(community, members)  # whoever spends credits has earned some: an account
        codes = [services.issue_code(listing, membership=m, actor=m.user) for m in members]
        timed, for_page = codes[:redemptions], codes[redemptions:]

        # One till per core, each in its own process and connection (as gunicorn's workers would
        # be), confirming its share of the codes as fast as it can; then the same number of bare
        # ledger postings between the same parties, the same way, as the baseline.
        shares = [[code.code for code in timed[i::tills]] for i in range(tills)]
        per_second = _in_processes(tills, _redeem_all, [(venue.pk, till.pk, share) for share in shares])
        people = [[code.membership_id for code in timed[i::tills]] for i in range(tills)]
        baseline_per_second = _in_processes(tills, _post_all, [(venue.pk, till.pk, share) for share in people])

        client = Client(HTTP_HOST=_host())
        trivial = _measure(client, "/accounts/login/", runs)
        client.force_login(till)
        secure = bool(settings.SECURE_SSL_REDIRECT)
        url = f"/c/{DEMO_SLUG}/partners/{venue.pk}/counter/"
        confirm = []
        for code in for_page:
            began = time.perf_counter()
            response = client.post(url, {"code": code.code}, secure=secure)
            confirm.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200 or b'id="done"' not in response.content:
                raise CommandError(f"the counter answered {response.status_code} for {code.code}")
        members_total = Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE).count()
        trivial_p95 = _percentile(trivial, 95)
        self.stdout.write(json.dumps({
            "members": members_total, "redemptions": len(timed), "tills": tills,
            "redemptions_per_s": round(per_second, 1), "ledger_postings_per_s": round(baseline_per_second, 1),
            "redemption_time_ratio": round(baseline_per_second / per_second, 2),
            "trivial_p95_ms": round(trivial_p95, 2),
            "confirm_p50_ms": round(statistics.median(confirm), 2),
            "confirm_p95_ms": round(_percentile(confirm, 95), 2),
            "confirm_p95_ratio": round(_percentile(confirm, 95) / trivial_p95, 2),
        }))
