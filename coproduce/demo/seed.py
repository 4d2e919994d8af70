"""Build a realistic demo community, deterministically, fast enough for 100,000 members.

Small writes (the community, its areas, coordinators, the demo logins, a few pending
applications, assisted members) go through the real service functions. The population
itself goes through a bulk path that writes the same rows the services would (approved
application with recorded consent, membership, skills, consented demographics) with
bulk_create, so 100,000 members take a minute or so instead of hours.

Calibration (product brief, "Realistic demo data"): most members are inactive; activity
is heavy-tailed; ages follow Timebanking UK (7% under 20, 43% 20–50, 40% 50–80, 10% 80+);
women are about two thirds of members.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from coproduce.communities.models import Area, Category, Community
from coproduce.communities.services import add_area, create_community
from coproduce.demo import names
from coproduce.demo.assets import seed_assets
from coproduce.demo.ledger import analyse, seed_exchanges
from coproduce.demo.logins import DEMO_LOGINS, DEMO_PASSWORD, DEMO_SLUG, DEMO_TOTP_SECRET
from coproduce.demo.market import seed_market
from coproduce.demo.partners import seed_partners
from coproduce.members import services as member_services
from coproduce.members.availability import SLOTS
from coproduce.members.models import (
    AgeBand,
    Application,
    ApplicationStatus,
    Demographics,
    Gender,
    HeardFrom,
    Membership,
    Role,
)

User = get_user_model()

BATCH = 5000

AGE_WEIGHTS = [(AgeBand.UNDER_20, 7), (AgeBand.B20_34, 20), (AgeBand.B35_49, 23),
               (AgeBand.B50_64, 20), (AgeBand.B65_79, 20), (AgeBand.B80_PLUS, 10)]
GENDER_WEIGHTS = [(Gender.WOMAN, 64), (Gender.MAN, 32), (Gender.NON_BINARY, 2), (Gender.UNSAID, 2)]


@dataclass
class SeedResult:
    community: Community
    created: bool
    members: int


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _login_person(email: str, name: str, *, superuser: bool = False):
    from allauth.mfa.totp.internal.auth import TOTP

    user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name,
                                    is_superuser=superuser, is_staff=superuser)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user, TOTP


def seed_demo(*, members: int = 300, months: int = 24, seed: int = 1, exchanges: int = 0,
              stdout=None) -> SeedResult:
    """Build the demo community, or return the existing one untouched."""
    existing = Community.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return SeedResult(existing, False, Membership.objects.filter(community=existing).count())
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        community, coordinator = _build_core(rng, now - timedelta(days=30 * max(months, 1)))
        _value_in_pounds(community, coordinator)
    areas = list(Area.objects.filter(community=community))
    skills = list(Category.objects.filter(community=community, parent__isnull=False))
    _bulk_population(community, coordinator, areas, skills, members, months, rng, now, stdout)
    analyse()
    with transaction.atomic():
        _people_in_progress(community, coordinator, areas, rng)
    if exchanges:
        everyone = list(Membership.objects.active().filter(community=community).order_by("pk"))
        seed_exchanges(community, everyone, exchanges, rng, months, stdout=stdout)
    # After the history: the safeguarding requirements the market demo sets apply from today.
    seed_market(community, rng, posts=max(20, min(members // 2, 2000)))
    if Membership.objects.active().filter(community=community).count() >= 40:  # what it needs
        seed_partners(community, rng, stdout=stdout)
    # The lunch club, the job club, the tenants' association: the directory and its map.
    seed_assets(community, rng, count=max(12, min(members // 5, 400)))
    analyse()
    return SeedResult(community, True, Membership.objects.filter(community=community).count())


def grow_demo(community, *, members: int, exchanges: int = 0, posts: int = 0, months: int = 3, seed: int = 2,
              stdout=None) -> int:
    """Add people, history and posts to an existing demo community (for tests and benchmarks that
    compare a page on a small community with the same page on a large one). Returns members now."""
    rng = random.Random(seed)
    coordinator = Membership.objects.coordinators().filter(community=community).select_related("user").first()
    areas = list(Area.objects.filter(community=community))
    skills = list(Category.objects.filter(community=community, parent__isnull=False))
    _bulk_population(community, coordinator.user, areas, skills, members, months, rng, timezone.now(), stdout,
                     numbered_from=Membership.objects.filter(community=community).count())
    everyone = list(Membership.objects.active().filter(community=community).order_by("pk"))
    if exchanges:
        seed_exchanges(community, everyone, exchanges, rng, months, stdout=stdout)
    if posts:
        seed_market(community, rng, posts=posts)
    analyse()
    return len(everyone)


def _value_in_pounds(community, coordinator):
    """The demo is a UK time bank: value its hours with the shipped UK rate set."""
    from coproduce.insights.models import RateSet
    from coproduce.insights.valuation import choose_rate_set

    uk = RateSet.objects.filter(country="GB").order_by("pk").first()
    if uk is not None:
        choose_rate_set(community, uk, actor=coordinator)


def _build_core(rng, founded):
    admin, TOTP = _login_person(DEMO_LOGINS["site admin"], "Ada Admin", superuser=True)
    TOTP.activate(admin, DEMO_TOTP_SECRET)
    community = create_community(
        name="Riverside Time Bank", slug=DEMO_SLUG, actor=admin,
        description=("Neighbours in Riverside helping each other: an hour of help earns an hour of "
                     "credit, whatever the task. Run with the surgery, the school, the library and "
                     "the housing association."),
        contact_email="hello@riverside.coproduce.test",
        privacy_notice=("Riverside Time Bank keeps your name, contact details, what you offer and "
                        "the hours you exchange, to run the time bank. Coordinators can see them; "
                        "other members see your name, area and skills. Figures we publish never "
                        "name anyone. You can ask for your data or leave at any time."),
        privacy_notice_version="2026-01", started_on=timezone.localdate(founded),
    )
    for code, name, lat, lon in names.AREAS:
        add_area(community, actor=admin, code=code, name=name, latitude=lat, longitude=lon)
    coordinator, _ = _login_person(DEMO_LOGINS["coordinator"], "Cora Coordinator")
    TOTP.activate(coordinator, DEMO_TOTP_SECRET)
    Membership.objects.create(community=community, user=coordinator, role=Role.COORDINATOR,
                              area=community.areas.first())
    second, _ = _login_person("broker@demo.coproduce.test", "Ben Broker")
    TOTP.activate(second, DEMO_TOTP_SECRET)
    Membership.objects.create(community=community, user=second, role=Role.COORDINATOR,
                              area=community.areas.last())
    member, _ = _login_person(DEMO_LOGINS["member"], "Mary Member")
    application = member_services.apply_to_community(
        user=member, community=community, offers="Gardening, baking and a friendly chat.",
        needs="Help with my tablet.", heard_from=HeardFrom.FRIEND, consent=True,
        area=community.areas.first())
    membership = member_services.approve_application(application, actor=coordinator)
    member_services.update_profile(
        membership, actor=member,
        person={"about_me": "Retired teacher; I love my allotment.", "languages": "English, French"},
        place={"skills_text": "Baking", "availability": 0b111_000_111},
        skills=list(Category.objects.filter(community=community, name__in=["Gardening", "Baking"])),
        interests=list(Category.objects.filter(community=community, name="Computer and phone help")),
    )
    facilitator, _ = _login_person(DEMO_LOGINS["facilitator"], "Fran Facilitator")
    application = member_services.apply_to_community(
        user=facilitator, community=community, offers="Listening, and running the carers' circle.",
        needs="A lift to the group now and then.", heard_from=HeardFrom.FRIEND, consent=True,
        area=community.areas.first())
    member_services.approve_application(application, actor=coordinator)
    # The people you log in as have been here since the start, so their pages have history.
    Membership.objects.filter(community=community).update(joined_at=founded)
    return community, coordinator


def _bulk_population(community, coordinator, areas, skills, count, months, rng, now, stdout, *, numbered_from=0):
    password = make_password(DEMO_PASSWORD)  # one hash for everyone: hashing is the slow part
    span_seconds = max(months, 1) * 30 * 24 * 3600
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        people = []
        for i in range(start, start + size):
            gender = _weighted(rng, GENDER_WEIGHTS)
            first = rng.choice(names.WOMEN if gender == Gender.WOMAN else names.MEN if gender == Gender.MAN
                               else names.OTHER)
            surname = rng.choice(names.SURNAMES)
            people.append((numbered_from + i, first, surname, gender, now - timedelta(seconds=rng.randrange(span_seconds))))
        with transaction.atomic():
            users = User.objects.bulk_create([
                User(email=f"{first}.{surname}.{i}@people.coproduce.test".lower().replace("'", ""),
                     name=f"{first} {surname}", password=password, date_joined=joined)
                for i, first, surname, _gender, joined in people
            ], batch_size=1000)
            if connection_lacks_returning(users):
                emails = [u.email for u in users]
                users = list(User.objects.filter(email__in=emails).order_by("pk"))
            EmailAddress.objects.bulk_create(
                [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
                batch_size=1000)
            Application.objects.bulk_create([
                Application(community=community, user=u, offers=rng.choice(names.OFFERS),
                            needs=rng.choice(names.NEEDS), heard_from=rng.choice(HeardFrom.values),
                            consent_version=community.privacy_notice_version, consented_at=joined,
                            created_at=joined, status=ApplicationStatus.APPROVED, decided_by=coordinator,
                            decided_at=joined)
                for u, (_i, _f, _s, _g, joined) in zip(users, people, strict=True)
            ], batch_size=1000)
            memberships = Membership.objects.bulk_create([
                Membership(community=community, user=u, area=rng.choice(areas), joined_at=joined,
                           availability=_availability(rng))
                for u, (_i, _f, _s, _g, joined) in zip(users, people, strict=True)
            ], batch_size=1000)
            if connection_lacks_returning(memberships):
                memberships = list(Membership.objects.filter(user__in=users).order_by("user_id"))
            Skill = Membership.skills.through
            Skill.objects.bulk_create([
                Skill(membership_id=m.pk, category_id=c.pk)
                for m in memberships for c in rng.sample(skills, rng.choice((1, 1, 2, 2, 3)))
            ], batch_size=5000)
            # About seven in ten give consent to demographic questions.
            Demographics.objects.bulk_create([
                Demographics(user=u, age_band=_weighted(rng, AGE_WEIGHTS), gender=gender,
                             is_carer=rng.random() < 0.2, has_disability=rng.random() < 0.25,
                             consented_at=joined)
                for u, (_i, _f, _s, gender, joined) in zip(users, people, strict=True) if rng.random() < 0.7
            ], batch_size=1000)
        if stdout is not None and count >= 20000:
            stdout.write(f"  {start + size:,} of {count:,} members")


def connection_lacks_returning(objs) -> bool:
    """bulk_create fills primary keys on PostgreSQL and SQLite ≥ 3.35; re-read them otherwise."""
    return any(o.pk is None for o in objs)


def _availability(rng) -> int:
    mask = 0
    for bit, _day, _part in SLOTS:
        if rng.random() < 0.3:
            mask |= 1 << bit
    return mask


def _people_in_progress(community, coordinator, areas, rng):
    """A few pending applications and assisted members, made through the services."""
    for i, (first, surname) in enumerate([("Grace", "Okafor"), ("Tomasz", "Nowak"), ("Irene", "Lloyd"),
                                          ("Sam", "Hughes"), ("Priya", "Shah")]):
        user = User.objects.create_user(email=f"applicant{i + 1}@demo.coproduce.test",
                                        password=DEMO_PASSWORD, name=f"{first} {surname}")
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        member_services.apply_to_community(
            user=user, community=community, offers=rng.choice(names.OFFERS), needs=rng.choice(names.NEEDS),
            heard_from=rng.choice(HeardFrom.values), consent=True, area=rng.choice(areas))
    for first, surname, phone in [("Dorothy", "Price", "01632 960 101"), ("Arthur", "Bennett", "01632 960 102"),
                                  ("Joan", "Shaw", ""), ("Kwame", "Mensah", "01632 960 104")]:
        member_services.register_assisted_member(
            community=community, actor=coordinator, name=f"{first} {surname}", phone=phone,
            postal_address=f"{rng.randint(1, 120)} Mill Lane, Riverside", area=rng.choice(areas),
            about_me="Prefers a phone call; happy to help with knitting and a chat.")
