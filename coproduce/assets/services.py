"""Every change to the directory: organisations, services with their places and times, checks, and
members' suggestions. Each function runs in one transaction and leaves an audit entry.

Who may call what is decided in ``permissions``; these functions re-check the rules that must hold
whoever calls them (a mirrored service is edited where it lives, a schedule ends after it starts).
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.assets.models import (
    AssetOrganisation,
    Cost,
    Frequency,
    Location,
    Origin,
    Schedule,
    Service,
    ServiceAtLocation,
    Suggestion,
    SuggestionStatus,
)
from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.communities.models import Community
from coproduce.members.models import Membership, MembershipStatus
from coproduce.partners.models import Staff

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# The shape of a UK postcode (outward code, space, inward code); BFPO and GIR 0AA are left out.
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def normalise_postcode(value: str) -> str:
    """``"sw1a1aa"`` -> ``"SW1A 1AA"``; a clear error when it is not a UK postcode; "" stays ""."""
    text = re.sub(r"\s+", "", (value or "").upper())
    if not text:
        return ""
    match = _POSTCODE.match(text)
    if match is None:
        raise ValidationError({"postcode": _("Enter a UK postcode, like SW1A 1AA.")})
    return f"{match.group(1)} {match.group(2)}"


def _check_point(latitude, longitude) -> None:
    if (latitude is None) != (longitude is None):
        raise ValidationError(
            {"latitude": _("Give both the latitude and the longitude, or neither.")}
        )
    if latitude is not None and not Decimal(-90) <= Decimal(latitude) <= Decimal(90):
        raise ValidationError({"latitude": _("The latitude must be between -90 and 90.")})
    if longitude is not None and not Decimal(-180) <= Decimal(longitude) <= Decimal(180):
        raise ValidationError({"longitude": _("The longitude must be between -180 and 180.")})


@dataclass
class PlaceData:
    """One place a service runs at (an HSDS location with its address and accessibility)."""

    name: str = ""
    address: str = ""
    city: str = ""
    postcode: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    step_free: bool = False
    accessible_toilet: bool = False
    accessibility: str = ""

    def is_empty(self) -> bool:
        return not any(
            [
                self.name.strip(),
                self.address.strip(),
                self.postcode.strip(),
                self.latitude is not None,
            ]
        )


@dataclass
class ScheduleData:
    """When a service is open: weekly on some days, monthly on some days, or on one date (no ``freq``)."""

    freq: str = ""
    byday: list[str] = field(default_factory=list)
    opens_at: datetime.time | None = None
    closes_at: datetime.time | None = None
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    description: str = ""

    def is_empty(self) -> bool:
        return not any(
            [
                self.freq,
                self.byday,
                self.opens_at,
                self.closes_at,
                self.valid_from,
                self.description.strip(),
            ]
        )


def check_schedule(data: ScheduleData) -> None:
    """The rules of a schedule, with an error people can act on for each."""
    if data.freq and data.freq not in Frequency.values:
        raise ValidationError({"freq": _("Choose how often it happens.")})
    unknown = [day for day in data.byday if day not in DAY_CODES]
    if unknown:
        raise ValidationError({"byday": _("Choose days from the list.")})
    if data.freq and not data.byday:
        raise ValidationError({"byday": _("Choose the days it happens on.")})
    if (
        not data.freq
        and (data.opens_at or data.closes_at or data.byday)
        and data.valid_from is None
    ):
        raise ValidationError({"valid_from": _("Give the date, or say how often it repeats.")})
    if data.opens_at and data.closes_at and data.closes_at <= data.opens_at:
        raise ValidationError({"closes_at": _("It must close after it opens.")})
    if data.valid_from and data.valid_to and data.valid_to < data.valid_from:
        raise ValidationError({"valid_to": _("The schedule cannot end before it starts.")})


def _is_coordinator(user, community: Community) -> bool:
    return (
        bool(user.is_superuser)
        or Membership.objects.coordinators().filter(user=user, community=community).exists()
    )


def _staff_organisations(user, community: Community) -> set:
    return set(
        Staff.objects.active()
        .filter(user=user, organisation__community=community)
        .values_list("organisation_id", flat=True)
    )


def may_edit_organisation(user, organisation: AssetOrganisation) -> bool:
    """Coordinators edit every organisation of their community; partner staff their own."""
    if _is_coordinator(user, organisation.community):
        return True
    return organisation.partner_id is not None and organisation.partner_id in _staff_organisations(
        user, organisation.community
    )


def _require_editor(user, organisation: AssetOrganisation) -> None:
    if not may_edit_organisation(user, organisation):
        raise ValidationError(
            _("Only coordinators and the organisation's own staff can change this.")
        )


# ------------------------------------------------------------------------------ organisations


@transaction.atomic
def save_asset_organisation(
    *,
    community: Community,
    actor,
    organisation: AssetOrganisation | None = None,
    name: str,
    description: str = "",
    email: str = "",
    website: str = "",
    phone: str = "",
) -> AssetOrganisation:
    """Add an organisation that is not a partner (coordinators), or change one."""
    if organisation is None:
        if not _is_coordinator(actor, community):
            raise ValidationError(_("Only coordinators can add an organisation to the directory."))
        organisation = AssetOrganisation(community=community)
    else:
        _require_editor(actor, organisation)
        if organisation.partner_id is not None:
            raise ValidationError(_("A partner's details are changed on its partner page."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter the organisation's name.")})
    organisation.name, organisation.description = name, description
    organisation.email, organisation.website, organisation.phone = email, website, phone
    organisation.maintained_by = actor
    organisation.last_checked_on = timezone.localdate()
    organisation.edited_locally = organisation.imported_at is not None
    organisation.save()
    record_audit(
        actor=actor,
        action=AuditAction.ASSET_ORGANISATION_SAVED,
        community=community,
        subject=organisation.name,
        organisation=str(organisation.pk),
    )
    return organisation


# ------------------------------------------------------------------------------ services

SERVICE_FIELDS = (
    "name",
    "description",
    "translations",
    "url",
    "email",
    "phone",
    "cost",
    "cost_detail",
    "credits_minutes",
    "minimum_age",
    "maximum_age",
    "eligibility",
)


def _check_service_fields(fields: dict, community: Community, terms) -> dict:
    name = (fields.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the service a name.")})
    fields = {**fields, "name": name}
    if fields.get("cost", Cost.FREE) not in Cost.values:
        raise ValidationError({"cost": _("Choose what it costs.")})
    low, high = fields.get("minimum_age"), fields.get("maximum_age")
    for key, age in (("minimum_age", low), ("maximum_age", high)):
        if age is not None and not 0 <= age <= 120:
            raise ValidationError({key: _("Enter an age from 0 to 120.")})
    if low is not None and high is not None and low > high:
        raise ValidationError({"maximum_age": _("The oldest age cannot be below the youngest.")})
    if fields.get("cost") == Cost.TIME_CREDITS and not fields.get("credits_minutes"):
        raise ValidationError({"credits_minutes": _("Say how many time credits it costs.")})
    if any(term.taxonomy.community_id != community.pk for term in terms):
        raise ValidationError({"terms": _("Choose this community's categories.")})
    return fields


def _normalise_languages(languages) -> list[str]:
    seen = []
    for code in languages or []:
        code = code.strip().lower()
        if code and code not in seen:
            if not re.fullmatch(r"[a-z]{2,3}", code):
                raise ValidationError(
                    {"languages": _("Use two- or three-letter language codes, like en or cy.")}
                )
            seen.append(code)
    return seen


def _replace_places(service: Service, community: Community, places: list[PlaceData], actor) -> None:
    """The service's places become exactly these. Places only this service used are removed."""
    old = list(service.locations.all())
    ServiceAtLocation.objects.filter(service=service).delete()
    for location in old:
        if not location.service_at.exists():
            location.delete()
    for place in places:
        if place.is_empty():
            continue
        postcode = normalise_postcode(place.postcode)
        _check_point(place.latitude, place.longitude)
        location = Location.objects.create(
            community=community,
            organisation=service.organisation,
            maintained_by=actor,
            last_checked_on=timezone.localdate(),
            name=place.name.strip(),
            address=place.address.strip(),
            city=place.city.strip(),
            postcode=postcode,
            latitude=place.latitude,
            longitude=place.longitude,
            step_free=place.step_free,
            accessible_toilet=place.accessible_toilet,
            accessibility=place.accessibility.strip(),
        )
        ServiceAtLocation.objects.create(service=service, location=location)


def _replace_schedules(service: Service, schedules: list[ScheduleData]) -> None:
    service.schedules.all().delete()
    for data in schedules:
        if data.is_empty():
            continue
        check_schedule(data)
        Schedule.objects.create(
            service=service,
            freq=data.freq,
            byday=",".join(d for d in DAY_CODES if d in data.byday),
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            valid_from=data.valid_from,
            valid_to=data.valid_to if data.freq else (data.valid_to or data.valid_from),
            description=data.description.strip(),
        )


def _write_service(
    service: Service, *, actor, fields: dict, places, schedules, terms, languages
) -> Service:
    community = service.organisation.community
    fields = _check_service_fields(fields, community, terms)
    for name in SERVICE_FIELDS:
        if name in fields:
            setattr(service, name, fields[name])
    if service.cost != Cost.TIME_CREDITS:
        service.credits_minutes = None
    service.languages = _normalise_languages(languages)
    service.community = community
    service.maintained_by = actor
    service.last_checked_on = timezone.localdate()  # whoever edits it has just looked at it
    if service.origin == Origin.IMPORTED:
        service.edited_locally = True
    service.save()
    service.terms.set(terms)
    if places is not None:
        _replace_places(service, community, list(places), actor)
    if schedules is not None:
        _replace_schedules(service, list(schedules))
    return service


def _audit_service(service: Service, actor, *, new: bool) -> None:
    record_audit(
        actor=actor,
        action=AuditAction.ASSET_SAVED,
        community=service.organisation.community,
        subject=service.name,
        service=str(service.pk),
        new=new,
    )


@transaction.atomic
def save_service(
    *,
    organisation: AssetOrganisation,
    actor,
    service: Service | None = None,
    places=None,
    schedules=None,
    terms=(),
    languages=(),
    **fields,
) -> Service:
    """Add a service to the directory, or change one: its details, places, times and categories.

    ``places`` and ``schedules`` (lists of ``PlaceData`` / ``ScheduleData``) replace what the service
    had; ``None`` leaves them as they are.
    """
    _require_editor(actor, organisation)
    new = service is None
    if new:
        service = Service(organisation=organisation, community=organisation.community)
    else:
        service = (
            Service.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .get(pk=service.pk)
        )
        if service.kept_elsewhere:
            raise ValidationError(
                _("This entry comes from elsewhere in Coproduce; change it there.")
            )
        _require_editor(actor, service.organisation)
        if service.organisation.community_id != organisation.community_id:
            raise ValidationError(
                {"organisation": _("Choose one of this community's organisations.")}
            )
        service.organisation = organisation
    _write_service(
        service,
        actor=actor,
        fields=fields,
        places=places,
        schedules=schedules,
        terms=list(terms),
        languages=languages,
    )
    _audit_service(service, actor, new=new)
    return service


@transaction.atomic
def mark_checked(service: Service, *, actor) -> Service:
    """Someone looked at the entry and it is still right: it leaves the "needs checking" list."""
    service = (
        Service.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=service.pk)
    )
    _require_editor(actor, service.organisation)
    service.last_checked_on = timezone.localdate()
    service.maintained_by = actor
    service.save(update_fields=["last_checked_on", "maintained_by", "updated_at"])
    record_audit(
        actor=actor,
        action=AuditAction.ASSET_CHECKED,
        community=service.organisation.community,
        subject=service.name,
        service=str(service.pk),
    )
    return service


# ------------------------------------------------------------------------------ suggestions


@transaction.atomic
def suggest(
    *,
    membership,
    service: Service | None = None,
    name: str,
    details: str,
    place: str = "",
    postcode: str = "",
) -> Suggestion:
    """A member suggests a new entry (``service`` None) or a correction to one."""
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("Only members can suggest directory entries."))
    if service is not None and service.community_id != membership.community_id:
        raise ValidationError(_("Choose one of this community's entries."))
    name = (name or (service.name if service else "")).strip()
    if not name:
        raise ValidationError({"name": _("Say what it is called.")})
    if not details.strip():
        raise ValidationError({"details": _("Say what to add or correct.")})
    suggestion = Suggestion.objects.create(
        community_id=membership.community_id,
        suggested_by=membership,
        service=service,
        name=name,
        details=details.strip(),
        place=place.strip(),
        postcode=normalise_postcode(postcode),
    )
    record_audit(
        actor=membership.user,
        action=AuditAction.ASSET_SUGGESTED,
        community=membership.community,
        subject=name,
        suggestion=suggestion.pk,
    )
    return suggestion


def _pending(suggestion: Suggestion, actor) -> Suggestion:
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if not _is_coordinator(actor, suggestion.community):
        raise ValidationError(_("Only coordinators can decide on suggestions."))
    if suggestion.status != SuggestionStatus.PENDING:
        raise ValidationError(_("Someone has already decided on this suggestion."))
    return suggestion


@transaction.atomic
def accept_suggestion(
    suggestion: Suggestion,
    *,
    actor,
    organisation: AssetOrganisation,
    places=None,
    schedules=None,
    terms=(),
    languages=(),
    **fields,
) -> Service:
    """The coordinator makes the suggested entry or correction (as they edited it) and accepts it."""
    suggestion = _pending(suggestion, actor)
    service = save_service(
        organisation=organisation,
        actor=actor,
        service=suggestion.service,
        places=places,
        schedules=schedules,
        terms=terms,
        languages=languages,
        **fields,
    )
    suggestion.status, suggestion.decided_by, suggestion.decided_at = (
        SuggestionStatus.ACCEPTED,
        actor,
        timezone.now(),
    )
    suggestion.service = service
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "service"])
    record_audit(
        actor=actor,
        action=AuditAction.ASSET_SUGGESTION_ACCEPTED,
        community=suggestion.community,
        on_behalf_of=suggestion.suggested_by.user,
        subject=service.name,
        suggestion=suggestion.pk,
        service=str(service.pk),
    )
    return service


@transaction.atomic
def decline_suggestion(suggestion: Suggestion, *, actor, reason: str) -> Suggestion:
    """The coordinator declines, saying why (the member sees the reason)."""
    suggestion = _pending(suggestion, actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why, so the member knows.")})
    suggestion.status, suggestion.decided_by, suggestion.decided_at = (
        SuggestionStatus.DECLINED,
        actor,
        timezone.now(),
    )
    suggestion.reason = reason.strip()
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    record_audit(
        actor=actor,
        action=AuditAction.ASSET_SUGGESTION_DECLINED,
        community=suggestion.community,
        on_behalf_of=suggestion.suggested_by.user,
        subject=suggestion.name,
        suggestion=suggestion.pk,
        reason=suggestion.reason,
    )
    return suggestion
