"""A venue's own place and opening times (issue 16): where a business that honours time credits
is, and when it is open, kept in the directory so it is on the map and in the Open Referral UK
feed like everything else.

The place is one ``Location`` of the venue's directory organisation, changed in place (its id, and
so its feed id, stays the same), and its rewards are shown there (``sync.sync_venue_places``). The
opening times are the weekly schedules of one directory entry for the venue itself
(``Origin.VENUE``), days with the same hours sharing one schedule, so "open on Saturday at 10:00"
finds the venue. Its staff and the community's coordinators change them; nobody else.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.assets.models import (
    Frequency,
    Location,
    Origin,
    Schedule,
    Service,
    ServiceAtLocation,
)
from coproduce.assets.services import DAY_CODES, PlaceData, _check_point, normalise_postcode
from coproduce.assets.sync import organisation_for_partner, sync_venue
from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.partners.models import Organisation
from coproduce.partners.permissions import manager_authority


@dataclass(frozen=True)
class Hours:
    """Open on ``day`` (an RFC 5545 code such as "MO") from ``opens_at`` until ``closes_at``."""

    day: str
    opens_at: datetime.time
    closes_at: datetime.time


def check_hours(hours: list[Hours]) -> None:
    """One opening per day, each closing after it opens (keyed by the day's field, for the form)."""
    seen = set()
    for opening in hours:
        if opening.day not in DAY_CODES:
            raise ValidationError({"hours": _("Choose days from the list.")})
        if opening.day in seen:
            raise ValidationError({opening.day: _("Give one opening time a day.")})
        seen.add(opening.day)
        if opening.closes_at <= opening.opens_at:
            raise ValidationError({opening.day: _("It must close after it opens.")})


def venue_place(partner: Organisation) -> tuple[Location | None, list[Hours]]:
    """The venue's place (its first, when it has several) and its opening times, by day."""
    place = (Location.objects.filter(organisation__partner=partner)
             .order_by("created_at", "pk").first())
    hours = []
    for schedule in Schedule.objects.filter(service__origin=Origin.VENUE, service__origin_id=partner.pk):
        for day in schedule.byday.split(","):
            if day in DAY_CODES and schedule.opens_at and schedule.closes_at:
                hours.append(Hours(day, schedule.opens_at, schedule.closes_at))
    return place, sorted(hours, key=lambda h: DAY_CODES.index(h.day))


@transaction.atomic
def save_venue_place(partner: Organisation, *, actor, place: PlaceData, hours: list[Hours]) -> Service:
    """Set where the venue is and when it is open; returns the venue's own directory entry."""
    manager_authority(actor, partner)
    postcode = normalise_postcode(place.postcode)
    _check_point(place.latitude, place.longitude)
    if not (place.address.strip() or postcode or place.latitude is not None):
        raise ValidationError({"address": _("Give the address, the postcode or the point on the map.")})
    check_hours(hours)
    organisation = organisation_for_partner(partner)
    today = timezone.localdate()
    location = Location.objects.filter(organisation=organisation).order_by("created_at", "pk").first()
    if location is None:
        location = Location(community_id=partner.community_id, organisation=organisation)
    location.name = place.name.strip() or partner.name
    location.address, location.city = place.address.strip(), place.city.strip()
    location.postcode, location.latitude, location.longitude = postcode, place.latitude, place.longitude
    location.step_free, location.accessible_toilet = place.step_free, place.accessible_toilet
    location.accessibility = place.accessibility.strip()
    location.maintained_by, location.last_checked_on = actor, today
    location.save()  # the rewards follow it onto the map (sync_venue_places)
    service = sync_venue(partner)
    ServiceAtLocation.objects.get_or_create(service=service, location=location)
    service.schedules.all().delete()
    by_hours: dict[tuple, list[str]] = {}
    for opening in hours:
        by_hours.setdefault((opening.opens_at, opening.closes_at), []).append(opening.day)
    Schedule.objects.bulk_create([
        Schedule(service=service, freq=Frequency.WEEKLY, opens_at=opens_at, closes_at=closes_at,
                 byday=",".join(day for day in DAY_CODES if day in days))
        for (opens_at, closes_at), days in sorted(by_hours.items(), key=lambda item: DAY_CODES.index(item[1][0]))
    ])
    record_audit(actor=actor, action=AuditAction.ASSET_SAVED, community=partner.community,
                 subject=partner.name, service=str(service.pk), venue=partner.pk,
                 open_days=len(hours))
    return service

