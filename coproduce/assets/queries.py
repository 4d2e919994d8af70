"""Reading the directory: the filtered list, one entry, and what needs checking.

Filters that look at places or times use ``Exists`` subqueries, so a service with three places
appears once and the page needs no ``DISTINCT``.
"""

import datetime
import math
import operator
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from coproduce.assets.models import (
    MIRRORED,
    AssetOrganisation,
    Cost,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from coproduce.communities.models import Community

KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class Near:
    """A point and a distance: services with a place inside the box around it."""

    latitude: Decimal
    longitude: Decimal
    km: float

    def box(self, prefix: str = "") -> Q:
        lat, lon = float(self.latitude), float(self.longitude)
        d_lat = self.km / KM_PER_DEGREE
        d_lon = self.km / (KM_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
        return Q(
            **{
                f"{prefix}latitude__gte": lat - d_lat,
                f"{prefix}latitude__lte": lat + d_lat,
                f"{prefix}longitude__gte": lon - d_lon,
                f"{prefix}longitude__lte": lon + d_lon,
            }
        )


def point_of_postcode(community: Community, postcode: str) -> tuple[Decimal, Decimal] | None:
    """Where a postcode is, from a place in the directory that has it (no outside look-up)."""
    found = (
        Location.objects.filter(community=community, postcode=postcode, latitude__isnull=False)
        .values_list("latitude", "longitude")
        .first()
    )
    return found


def directory(
    community: Community,
    *,
    text: str = "",
    term: TaxonomyTerm | None = None,
    near: Near | None = None,
    day: str = "",
    at: datetime.time | None = None,
    free: bool = False,
    credits: bool = False,
    accessible: bool = False,
    age: int | None = None,
) -> QuerySet:
    """The community's listed services matching every filter given, by name."""
    services = Service.objects.listed().filter(community=community)
    words = [word.lower() for word in text.split()[:8]]
    if words:
        # Each word is in the entry's own words (its generated, lower-cased column: an index
        # look-up on PostgreSQL) or in its organisation's name. Organisations are looked up once
        # for all the words and matched by id, so the OR needs no join on every row.
        organisations = list(
            AssetOrganisation.objects.filter(community=community)
            .filter(reduce(operator.or_, (Q(name__icontains=word) for word in words)))
            .values_list("pk", "name")
        )
        for word in words:
            named = [pk for pk, name in organisations if word in name.lower()]
            services = services.filter(Q(search_text__contains=word) | Q(organisation_id__in=named))
    if term is not None:
        services = services.filter(
            Exists(
                Service.terms.through.objects.filter(
                    Q(taxonomyterm=term) | Q(taxonomyterm__parent=term), service_id=OuterRef("pk")
                )
            )
        )
    places = Q()
    if near is not None:
        places &= near.box("location__")
    if accessible:
        places &= Q(location__step_free=True) | Q(location__accessible_toilet=True)
    if places:
        services = services.filter(
            Exists(ServiceAtLocation.objects.filter(places, service_id=OuterRef("pk")))
        )
    if day or at:
        services = services.filter(
            Exists(_open_schedules(day, at).filter(service_id=OuterRef("pk")))
        )
    if free:
        services = services.filter(cost=Cost.FREE)
    if credits:
        services = services.filter(cost=Cost.TIME_CREDITS)
    if age is not None:
        services = services.filter(
            Q(minimum_age__isnull=True) | Q(minimum_age__lte=age),
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=age),
        )
    return (
        services.select_related("organisation")
        .prefetch_related(
            Prefetch("locations", queryset=Location.objects.order_by("name", "postcode")),
            Prefetch("schedules", queryset=Schedule.objects.order_by("valid_from", "opens_at")),
        )
        .order_by("name", "pk")
    )


def _open_schedules(day: str, at: datetime.time | None) -> QuerySet:
    """Schedules open on ``day`` (an RFC 5545 code such as "MO") and/or at ``at``: repeating ones on
    that weekday, one-off dates falling on it, and ones still valid today."""
    today = timezone.localdate()
    schedules = Schedule.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    if day:
        iso = ("MO", "TU", "WE", "TH", "FR", "SA", "SU").index(day) + 1
        schedules = schedules.filter(
            Q(freq__gt="", byday__contains=day) | Q(freq="", valid_from__iso_week_day=iso)
        )
    if at is not None:
        schedules = schedules.filter(opens_at__lte=at, closes_at__gt=at)
    return schedules


def service_page(community: Community, pk) -> Service | None:
    """One entry with everything its page shows, in a fixed number of queries."""
    return (
        Service.objects.filter(community=community, pk=pk)
        .select_related("organisation", "maintained_by", "organisation__partner")
        .prefetch_related(
            "locations",
            Prefetch("schedules", queryset=Schedule.objects.order_by("valid_from")),
            Prefetch("terms", queryset=TaxonomyTerm.objects.order_by("name")),
        )
        .first()
    )


def needs_checking(community: Community, *, today: datetime.date | None = None) -> QuerySet:
    """Listed entries kept here whose last check (or, never checked, their creation) is older than
    the community's ``asset_check_months``; the oldest first. Mirrored ones are kept live by their apps."""
    today = today or timezone.localdate()
    cutoff = today - relativedelta(months=community.asset_check_months)
    return (
        Service.objects.listed()
        .filter(community=community)
        .exclude(origin__in=MIRRORED)
        .annotate(checked=Coalesce("last_checked_on", TruncDate("created_at")))
        .filter(checked__lt=cutoff)
        .select_related("organisation", "maintained_by")
        .order_by("checked", "name")
    )
