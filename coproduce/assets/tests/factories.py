"""Assets for tests, made with the models' own constructors (not the services), so tests of one
part of the directory do not depend on another's code."""

import datetime
from decimal import Decimal

from coproduce.assets.models import (
    AssetOrganisation,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)


def make_organisation(community, name="Riverside Tenants' Association", **fields):
    return AssetOrganisation.objects.create(community=community, name=name, **fields)


def make_location(
    community,
    *,
    organisation=None,
    name="St Mary's church hall",
    postcode="RV1 2AB",
    latitude="51.500000",
    longitude="-0.120000",
    **fields,
):
    return Location.objects.create(
        community=community,
        organisation=organisation,
        name=name,
        postcode=postcode,
        latitude=Decimal(latitude) if latitude is not None else None,
        longitude=Decimal(longitude) if longitude is not None else None,
        **fields,
    )


def make_service(
    organisation, name="Lunch club", *, locations=(), terms=(), schedules=(), **fields
):
    """A service of ``organisation`` at ``locations``, with ``terms`` and ``schedules`` (dicts of
    Schedule fields)."""
    service = Service.objects.create(
        community=organisation.community, organisation=organisation, name=name, **fields
    )
    for location in locations:
        ServiceAtLocation.objects.create(service=service, location=location)
    if terms:
        service.terms.add(*terms)
    for schedule in schedules:
        Schedule.objects.create(service=service, **schedule)
    return service


def make_taxonomy(community, name="Riverside categories", **fields):
    return Taxonomy.objects.create(community=community, name=name, **fields)


def make_term(taxonomy, name, **fields):
    return TaxonomyTerm.objects.create(taxonomy=taxonomy, name=name, **fields)


def weekly(days: str, opens: str, closes: str, **fields) -> dict:
    """Schedule fields for a weekly opening: weekly("MO,WE", "10:00", "12:00")."""
    return {
        "freq": "WEEKLY",
        "byday": days,
        "opens_at": datetime.time.fromisoformat(opens),
        "closes_at": datetime.time.fromisoformat(closes),
        **fields,
    }
