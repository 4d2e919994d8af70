"""Demo partners: a GP surgery, a school, a housing association and a library, with staff,
opportunities, referrals at every step and three peer-support groups with sessions and
attendance. Everything goes through the services, so credits move only through the ledger."""

from __future__ import annotations

import contextlib
import datetime
import random
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coproduce.assets.services import PlaceData
from coproduce.assets.venues import Hours, save_venue_place
from coproduce.communities.models import Area, Community
from coproduce.demo.logins import DEMO_LOGINS, DEMO_PASSWORD, DEMO_SLUG
from coproduce.groups import services as groups
from coproduce.ledger.services import approve_transfer, community_today, new_key
from coproduce.members.models import Membership, Role
from coproduce.partners import services
from coproduce.partners.models import Organisation
from coproduce.referrals import services as referrals
from coproduce.referrals.models import ClosedReason, Reason

ORGANISATIONS = [
    ("Riverside Medical Practice", "health", "Our GP surgery: five GPs, a practice nurse team and a social prescriber.",
     [("Dr Priya Shah", "GP"), ("Jo Marsh", "Social prescribing link worker")],
     [("Welcome volunteer at the surgery", "Greet patients, help with the check-in screen.", 4),
      ("Flu clinic helper", "Direct people and keep the queue moving on clinic Saturday.", 6)],
     [("Health walk leader course", 180)]),
    ("St Anne's Primary School", "education", "A primary school of 300 children.",
     [("Mrs Helen Okafor", "Deputy head")],
     [("Reading helper", "Listen to Year 2 children read, one morning a week.", 3),
      ("School garden day", "Dig, plant and tidy the school garden with the eco club.", 8)],
     [("Room hire for a community meeting", 60)]),
    ("Brookside Housing Association", "housing", "Social housing for 1,200 households in the area.",
     [("Marcus Reid", "Tenancy sustainment officer"), ("Aisha Khan", "Community investment lead")],
     [("Community garden day", "Clear the shared garden at Brookside Court.", 10)],
     [("Tool library loan (a week)", 30)]),
    ("Central Library", "library", "The town library: books, computers, a café and meeting rooms.",
     [("Sam Patel", "Library manager")],
     [("Digital buddy", "Help people get online on the library computers.", 4)],
     [("IT course (four sessions)", 240)]),
    # Local businesses where members spend credits at the counter (a code on a phone, or a card).
    ("Riverside Leisure Centre", "leisure", "Pool, gym and classes, run by the council's leisure trust.",
     [("Dan Price", "Duty manager")],
     [("Family swim helper", "Help in the changing rooms at the Saturday family swim.", 3)],
     [("A swim", 60, {"per_member_per_month": 4}),
      ("A gym session", 60, {"days": ["MO", "TU", "WE", "TH", "FR"], "minimum_age": 16})]),
    ("Corner Café", "cafe", "Tea, toast and a warm welcome on the high street.",
     [("Rosa Lima", "Owner")],
     [],
     [("Tea and a slice of cake", 30, {"daily_cap": 10})]),
]

# Where the venues are and when they are open (``assets.venues``): on the directory's map with
# their rewards. Each stands a short walk from one of the demo's areas.
VENUE_PLACES = {
    "Riverside Leisure Centre": ("Riverside Road", "RS1 4LC", 0, (0.004, -0.003), True, True,
                                 [(day, "06:30", "21:30") for day in ("MO", "TU", "WE", "TH", "FR")]
                                 + [(day, "08:00", "18:00") for day in ("SA", "SU")]),
    "Corner Café": ("2 High Street", "RS1 2CC", 1, (-0.002, 0.002), True, False,
                    [(day, "08:00", "16:00") for day in ("MO", "TU", "WE", "TH", "FR", "SA")]),
}

GROUPS = [
    ("Carers' circle", None, "open", "facilitators",
     "For anyone looking after a family member or friend. Tea, talk and practical tips."),
    ("Diabetes walking group", 0, "open", "supporters",
     "A gentle hour's walk for people living with type 2 diabetes, with the practice nurse's blessing."),
    ("Weight-loss buddies", 2, "request", "facilitators",
     "Weekly weigh-in, recipes and encouragement. Ask to join and a facilitator will say hello."),
]


def _person(email: str, name: str):
    user = get_user_model().objects.create_user(email=email, password=DEMO_PASSWORD, name=name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message)


def _place_venue(community, organisation, actor, address, postcode, area_index, offset, step_free, toilet, hours):
    areas = list(Area.objects.filter(community=community, latitude__isnull=False).order_by("pk"))
    area = areas[area_index % len(areas)] if areas else None
    point = ((area.latitude + Decimal(str(offset[0]))), (area.longitude + Decimal(str(offset[1])))) if area else (None, None)
    save_venue_place(organisation, actor=actor, hours=[
        Hours(day, datetime.time.fromisoformat(opens), datetime.time.fromisoformat(closes))
        for day, opens, closes in hours],
        place=PlaceData(address=address, city=community.name, postcode=postcode, latitude=point[0],
                        longitude=point[1], step_free=step_free, accessible_toilet=toilet))


def seed_partners(community: Community, rng: random.Random, *, stdout=None) -> dict[str, int]:
    """Add the demo partners to ``community`` (skipped if they are already there).

    Needs an active coordinator and at least 40 active members.
    """
    if Organisation.objects.filter(community=community, name=ORGANISATIONS[0][0]).exists():
        return {}
    coordinator = Membership.objects.coordinators().filter(community=community).select_related("user").first()
    members = list(Membership.objects.active().filter(community=community, role=Role.MEMBER)
                   .select_related("user").order_by("pk"))
    if coordinator is None or len(members) < 40:
        raise ValueError("seed_partners needs a coordinator and at least 40 members")
    boss = coordinator.user
    today = community_today(community)
    counts = {"organisations": 0, "staff": 0, "opportunities": 0, "credited": 0, "referrals": 0, "groups": 0,
              "sessions": 0}
    organisations, staff_of = [], {}
    for index, (name, kind, description, staff, opportunities, listings) in enumerate(ORGANISATIONS):
        organisation = services.save_organisation(
            community=community, actor=boss, name=name, type=kind, description=description,
            area=community.areas.order_by("pk").first(), contact_name=staff[0][0],
            contact_email=f"hello@{community.slug}-{index}.demo.example")
        organisations.append(organisation)
        counts["organisations"] += 1
        people = []
        for n, (person, title) in enumerate(staff):
            email = f"staff{n}.{index}@{community.slug}.demo.example"
            if index == 0 and n == 0 and community.slug == DEMO_SLUG:  # the demo's partner-staff login
                email = DEMO_LOGINS["partner staff"]
            user = _person(email, person)
            staff_membership = Membership.objects.create(user=user, community=community, role=Role.PARTNER_STAFF,
                                                         area=organisation.area)
            services.add_staff(organisation, actor=boss, membership=staff_membership, job_title=title,
                               started_on=today - datetime.timedelta(days=400))
            people.append(user)
            counts["staff"] += 1
        staff_of[organisation.pk] = people
        if index == 0:  # someone who moved on: they keep their membership but lose staff access
            former = _person(f"former.{index}@{community.slug}.demo.example", "Chris Former")
            membership = Membership.objects.create(user=former, community=community, area=organisation.area)
            link = services.add_staff(organisation, actor=boss, membership=membership, job_title="Receptionist",
                                      started_on=today - datetime.timedelta(days=700))
            services.end_staff(link, actor=boss, left_on=today - datetime.timedelta(days=60))
        for title, text, needed in opportunities:
            for days_ago in (35, 7, -10):  # two past runs with confirmed time, one coming up
                # Only a coordinator enters an opportunity older than a week (a paper record).
                opportunity = services.post_opportunity(
                    organisation, actor=boss if days_ago > community.backdate_days else people[0],
                    title=title, description=text, place=name,
                    starts_on=today - datetime.timedelta(days=days_ago), times="10am to 12 noon",
                    places_needed=needed)
                counts["opportunities"] += 1
                volunteers = rng.sample(members, rng.randint(1, needed))
                for volunteer in volunteers:
                    services.sign_up(opportunity, membership=volunteer, actor=volunteer.user)
                if days_ago > 0:
                    attended = [(v, rng.choice([60, 90, 120, 120, 150])) for v in volunteers if rng.random() < 0.85]
                    if attended:
                        try:  # a volunteer already at the highest balance makes the ledger refuse it
                            services.confirm_attendance(opportunity, actor=people[0], attended=attended,
                                                        performed_on=opportunity.starts_on,
                                                        idempotency_key=new_key())
                        except ValidationError:
                            continue
                        counts["credited"] += len(attended)
        for title, minutes, *limits in listings:
            listing = services.save_listing(organisation, actor=people[0], title=title,
                                            description="", minutes=minutes, **(limits[0] if limits else {}))
            for buyer in rng.sample(members, 2):
                with contextlib.suppress(ValidationError):  # the buyer may be at their lowest balance
                    services.buy_listing(listing, membership=buyer, actor=buyer.user, idempotency_key=new_key())
        if name in VENUE_PLACES:
            _place_venue(community, organisation, people[0], *VENUE_PLACES[name])
    library, school = organisations[3], organisations[1]
    services.record_agency_exchange(giver=library, receiver=school, minutes=120,
                                    performed_on=today - datetime.timedelta(days=12),
                                    description="Storytelling session for Year 1", actor=boss,
                                    idempotency_key=new_key())

    counts["groups"], counts["sessions"] = _seed_groups(community, organisations, staff_of, members, boss, rng)
    counts["referrals"] = _seed_referrals(community, organisations, staff_of, members, boss, rng, today)
    _say(stdout, f"Partners: {counts}")
    return counts


def _seed_groups(community, organisations, staff_of, members, boss, rng) -> tuple[int, int]:
    sessions_written = 0
    approver = (Membership.objects.coordinators().filter(community=community).exclude(user=boss)
                .select_related("user").order_by("pk").first())
    approver = approver.user if approver else None
    pool = list(members)
    rng.shuffle(pool)
    # The demo's facilitator login runs the first group.
    pool.sort(key=lambda membership: membership.user.email != DEMO_LOGINS["facilitator"])
    made = []
    for index, (name, host_index, policy, rule, description) in enumerate(GROUPS):
        host = organisations[host_index] if host_index is not None else None
        people = pool[index * 10:(index + 1) * 10]
        facilitators, supporters, others = people[:2], people[2:3], people[3:]
        group = groups.create_group(community=community, actor=boss, name=name, description=description,
                                    organisation=host, join_policy=policy, credit_rule=rule,
                                    facilitators=facilitators)
        made.append(group)
        for person in supporters:  # only a coordinator or the host's staff appoints supporters
            groups.set_role(group, actor=boss, membership=person, role="supporter")
        for person in facilitators + supporters:  # each says yes to the invitation
            groups.answer_invitation(group, membership=person, actor=person.user, accept=True)
        for person in others:
            groups.join_group(group, membership=person)
        if policy == "request":  # accept all but the last two, who are still waiting
            for person in others[:-2]:
                groups.set_role(group, actor=facilitators[0].user, membership=person, role="member")
        present_pool = facilitators + supporters + [p for p in others if groups.active_place(group, p)]
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        for week in range(-4, 3):
            start = now + datetime.timedelta(days=7 * week, hours=-now.hour + 10 + index * 2)
            # Sessions more than a week old were entered by a coordinator from the paper register.
            backdated = start < timezone.now() - datetime.timedelta(days=community.backdate_days)
            session = groups.add_session(
                group, actor=boss if backdated else facilitators[0].user, starts_at=start,
                ends_at=start + datetime.timedelta(minutes=90),
                capacity=8, place=host.name if host else "Community centre",
                online_link="https://meet.example.org/carers" if host is None else "")
            sessions_written += 1
            if start < timezone.now():
                if week == -2 and index == 0:
                    groups.cancel_session(session, actor=facilitators[0].user)
                    continue
                present = rng.sample(present_pool, min(len(present_pool), rng.randint(4, 8)))
                if not any(p in facilitators for p in present):
                    present[0] = facilitators[0]
                # In a big demo a facilitator may already be at the highest balance: then the ledger
                # refuses the whole register and it stays to be sorted out, as it would for real.
                # The facilitator's register credits the facilitator too, so it waits for a
                # coordinator; the other coordinator approved all but the latest (which stays in the
                # queue), unless the pot had too little in it then.
                with contextlib.suppress(ValidationError):
                    transfer = groups.record_attendance(session, actor=facilitators[0].user, present=present,
                                                        idempotency_key=new_key())
                    if transfer is not None and transfer.status == "held" and week < -1 and approver:
                        with contextlib.suppress(ValidationError), transaction.atomic():
                            approve_transfer(transfer, approver=approver)
            else:
                for person in rng.sample(present_pool, min(len(present_pool), 9 if week == 1 else 5)):
                    groups.book(session, membership=person)  # the ninth waits
        thread = groups.start_thread(group, membership=facilitators[0], title="Welcome, and what would help?",
                                     body="Say hello and tell us what you'd like from the group.")
        groups.reply(thread, membership=present_pool[-1], body="Hello all, looking forward to Tuesday.")
    return len(made), sessions_written


def _seed_referrals(community, organisations, staff_of, members, boss, rng, today) -> int:
    gp, housing = organisations[0], organisations[2]
    group_pool = list(community.peer_groups.order_by("pk"))
    steps = ["received", "contacted", "joined", "first_exchange", "closed"]
    written = 0
    candidates = list(members)
    rng.shuffle(candidates)
    for n in range(15):
        organisation = gp if n % 3 else housing
        referrer = staff_of[organisation.pk][n % len(staff_of[organisation.pk])]
        goal = steps[n % len(steps)]
        reason = Reason.values[n % len(Reason.values)]
        received_on = today - datetime.timedelta(days=40 - n)
        newcomer = goal in ("received", "contacted") and n % 2 == 0
        person = None if newcomer else candidates.pop()
        referral = referrals.make_referral(
            organisation, actor=referrer, reason=reason, consent=True,
            note="Would value some company and a reason to get out.", membership=person,
            name=f"Demo Newcomer {n}" if newcomer else "", contact="07700 900000" if newcomer else "",
            group=group_pool[n % len(group_pool)] if n % 2 else None, received_on=received_on)
        on = received_on
        for step in steps[1:steps.index(goal) + 1]:
            on = min(today, on + datetime.timedelta(days=rng.randint(2, 6)))
            referrals.advance_referral(
                referral, actor=boss, step=step, on=on,
                closed_reason=rng.choice(ClosedReason.values) if step == "closed" else "")
        written += 1
    return written
