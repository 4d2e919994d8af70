"""The demo's community assets: organisations, places and services for the directory and its map,
spread around the demo's areas, written in bulk (10,000 of them for ``bench_assets``)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from coproduce.assets.models import (
    AssetOrganisation,
    Cost,
    Frequency,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
)
from coproduce.communities.models import Area

KINDS = [
    ("Lunch club", "A hot meal and good company.", Cost.PAID),
    ("Coffee morning", "Drop in for a cuppa and a chat.", Cost.FREE),
    ("Job club", "Help with CVs, forms and applications.", Cost.FREE),
    ("Walking group", "Gentle walks for all abilities.", Cost.FREE),
    ("Tenants' association", "Residents working together on their estate.", Cost.FREE),
    ("Repair café", "Bring something broken; fix it together.", Cost.TIME_CREDITS),
    ("Digital drop-in", "Help with phones, tablets and the internet.", Cost.FREE),
    ("Carers' support", "Time out and advice for unpaid carers.", Cost.FREE),
]
PLACES = ["church hall", "library", "community centre", "park", "sports centre", "school hall"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA"]


def seed_assets(community, rng: random.Random, count: int, *, batch: int = 2000) -> int:
    """Add ``count`` services, each at a place of its own near one of the community's areas."""
    areas = [a for a in Area.objects.filter(community=community) if a.latitude is not None]
    if not areas or count <= 0:
        return 0
    made = 0
    today = timezone.localdate()
    while made < count:
        size = min(batch, count - made)
        with transaction.atomic():
            organisations = AssetOrganisation.objects.bulk_create([
                AssetOrganisation(community=community, name=f"{rng.choice(areas).name} {kind[0]} group {made + i}",
                                  last_checked_on=today - datetime.timedelta(days=rng.randrange(900)))
                for i, kind in enumerate(rng.choice(KINDS) for _ in range(max(1, size // 10)))])
            locations, services, links, schedules = [], [], [], []
            for _ in range(size):
                area = rng.choice(areas)
                name, about, cost = rng.choice(KINDS)
                location = Location(
                    community=community, name=f"{area.name} {rng.choice(PLACES)}", postcode="",
                    latitude=(area.latitude + Decimal(rng.uniform(-0.02, 0.02))).quantize(Decimal("0.000001")),
                    longitude=(area.longitude + Decimal(rng.uniform(-0.03, 0.03))).quantize(Decimal("0.000001")),
                    step_free=rng.random() < 0.6, accessible_toilet=rng.random() < 0.4)
                service = Service(community=community, organisation=rng.choice(organisations),
                                  name=f"{name} ({area.name})", description=about, cost=cost,
                                  minimum_age=rng.choice([None, None, 16, 18, 50]),
                                  last_checked_on=today - datetime.timedelta(days=rng.randrange(900)))
                locations.append(location)
                services.append(service)
                links.append(ServiceAtLocation(service=service, location=location))
                opens = datetime.time(rng.choice([9, 10, 13, 18]))
                schedules.append(Schedule(service=service, freq=Frequency.WEEKLY, byday=rng.choice(DAYS),
                                          opens_at=opens, closes_at=datetime.time(opens.hour + 2)))
            Location.objects.bulk_create(locations)
            Service.objects.bulk_create(services)
            ServiceAtLocation.objects.bulk_create(links)
            Schedule.objects.bulk_create(schedules)
        made += size
    return made
