"""Our assets as Open Referral UK 3.0 (HSDS-UK-3.0) JSON, the shape of the vendored schemas.

Plain functions from model instances to dicts; the views in ``views_oruk`` choose the rows (with
the prefetches these functions expect) and page them. Two rules hold everywhere:

* Optional fields with no value are left out (the standard's readers treat ``null`` and ``""``
  differently from absent). Required fields are always present.
* Nothing personal: who maintains a record (a member) is never in the feed; e-mails are the
  organisation's or service's own public contact fields.

Sub-objects the standard gives ids to but we keep as fields (an address, a cost, a language)
get stable UUIDs derived from their parent's id, so a reader that upserts by id (``import_oruk``
here, or another directory) sees the same record on every read.
"""

import datetime
import uuid

from django.conf.locale import LANG_INFO

from coproduce.assets.models import Cost

VERSION = "HSDS-UK-3.0"
PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile"
COUNTRY = "GB"

# The namespace of the derived ids (fixed for ever: changing it would change every derived id).
_NAMESPACE = uuid.UUID("6f1f8a52-5a4b-4c8e-9d3e-0c0b5d1f4a11")


def derived_id(parent_id, kind: str, key: str = "") -> str:
    """A stable id for a sub-object we keep as fields of ``parent_id``'s row."""
    return str(uuid.uuid5(_NAMESPACE, f"{parent_id}:{kind}:{key}"))


def _compact(data: dict) -> dict:
    """Leave out optional fields with no value (None, "", []); False and 0 are values."""
    return {
        key: value
        for key, value in data.items()
        if value is not None and value != "" and value != []
    }


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _time(value: datetime.time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def _datetime(value: datetime.datetime | None) -> str | None:
    if not value:
        return None
    value = value.astimezone(datetime.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _number(value):
    return float(value) if value is not None else None


# -- organisations ------------------------------------------------------------------------------


def organization(org) -> dict:
    """One-to-one fields of an organisation (``organization_list.json``)."""
    return {
        "id": str(org.id),
        "name": org.name,
        "description": org.description,  # required
        **_compact({"email": org.email, "website": org.website}),
    }


def organization_full(org, services) -> dict:
    """An organisation with its listed services (``organization.json``)."""
    return {
        **organization(org),
        **_compact({"services": [service_summary(s, with_org=False) for s in services]}),
    }


# -- taxonomies ---------------------------------------------------------------------------------


def taxonomy(tax) -> dict:
    return {
        "id": str(tax.id),
        "name": tax.name,
        "description": tax.description,
        **_compact({"uri": tax.uri, "version": tax.version}),
    }


def taxonomy_term(term) -> dict:
    """Expects ``term.taxonomy`` loaded (select_related)."""
    return {
        "id": str(term.id),
        "name": term.name,
        "description": term.description,
        **_compact(
            {
                "parent_id": str(term.parent_id) if term.parent_id else None,
                "taxonomy": term.taxonomy.name,
                "taxonomy_id": str(term.taxonomy_id),
                "term": term.name,
                "code": term.code,
            }
        ),
    }


def _attribute(owner_id, entity: str, term) -> dict:
    """HSDS ``attribute``: the link between a record and one of its taxonomy terms."""
    return {
        "id": derived_id(owner_id, "attribute", str(term.id)),
        "link_id": str(owner_id),
        "link_entity": entity,
        "taxonomy_term_id": str(term.id),
        "taxonomy_term": taxonomy_term(term),
    }


# -- locations ----------------------------------------------------------------------------------


def _addresses(loc) -> list[dict]:
    if not (loc.address or loc.postcode or loc.city):
        return []
    # address_1, city, state_province, postal_code and country are required in an address; the
    # UK has no states, so state_province stays empty rather than inventing one.
    return [
        {
            "id": derived_id(loc.id, "address"),
            "location_id": str(loc.id),
            "address_1": loc.address,
            "city": loc.city,
            "state_province": "",
            "postal_code": loc.postcode,
            "country": COUNTRY,
            "address_type": "physical",
        }
    ]


def _accessibility(loc) -> list[dict]:
    features = [
        label
        for flag, label in (
            (loc.step_free, "step-free access"),
            (loc.accessible_toilet, "accessible toilet"),
        )
        if flag
    ]
    if not (features or loc.accessibility):
        return []
    return [
        {
            "id": derived_id(loc.id, "accessibility"),
            "location_id": str(loc.id),
            **_compact({"description": loc.accessibility, "details": ", ".join(features)}),
        }
    ]


def location(loc, *, nested: bool = True) -> dict:
    data = {
        "id": str(loc.id),
        "location_type": "physical",
        **_compact(
            {
                "name": loc.name,
                "latitude": _number(loc.latitude),
                "longitude": _number(loc.longitude),
            }
        ),
    }
    if nested:
        data.update(_compact({"addresses": _addresses(loc), "accessibility": _accessibility(loc)}))
    return data


# -- services -----------------------------------------------------------------------------------


def service_summary(service, *, with_org: bool = True) -> dict:
    """One-to-one fields of a service (``service_list.json``); expects ``organisation`` loaded."""
    data = {
        "id": str(service.id),
        "name": service.name,
        "status": "active" if service.active else "inactive",
        **_compact(
            {
                "organization_id": str(service.organisation_id),
                "description": service.description,
                "url": service.url,
                "email": service.email,
                "fees": service.cost_detail,
                "minimum_age": service.minimum_age,
                "maximum_age": service.maximum_age,
                "assured_date": _date(service.last_checked_on),
                "last_modified": _datetime(service.updated_at),
                # HSDS 3.0 fields the UK profile allows alongside its own.
                "eligibility_description": service.eligibility,
            }
        ),
    }
    if with_org:
        data["organization"] = organization(service.organisation)
    return data


def _schedule(schedule) -> dict:
    return {
        "id": str(schedule.id),
        "service_id": str(schedule.service_id),
        **_compact(
            {
                "freq": schedule.freq,
                "byday": schedule.byday,
                "opens_at": _time(schedule.opens_at),
                "closes_at": _time(schedule.closes_at),
                "valid_from": _date(schedule.valid_from),
                "valid_to": _date(schedule.valid_to),
                "dtstart": _date(schedule.valid_from),
                "description": schedule.description,
            }
        ),
    }


def _cost_options(service) -> list[dict]:
    option = {
        "id": derived_id(service.id, "cost"),
        "service_id": str(service.id),
        "option": service.cost,
    }
    if service.cost == Cost.FREE:
        option["amount"] = 0
    elif service.cost == Cost.TIME_CREDITS and service.credits_minutes is not None:
        option["amount"] = service.credits_minutes / 60
        option["amount_description"] = "hours of time credits"
    if service.cost_detail and "amount_description" not in option:
        option["amount_description"] = service.cost_detail
    return [option]


def _languages(service) -> list[dict]:
    # The UK profile's language has only ids; HSDS 3.0's code and name say which language.
    return [
        {
            "id": derived_id(service.id, "language", code),
            "service_id": str(service.id),
            **_compact({"code": code, "name": LANG_INFO.get(code, {}).get("name")}),
        }
        for code in service.languages or []
        if isinstance(code, str) and code
    ]


def service_full(service) -> dict:
    """A service fully nested (``service.json``). Expects the prefetches of
    ``views_oruk.full_services``: schedules, at_locations + location, terms + taxonomy."""
    return {
        **service_summary(service),
        **_compact(
            {
                "schedules": [_schedule(s) for s in service.schedules.all()],
                "service_at_locations": [
                    {
                        "id": str(link.id),
                        "service_id": str(service.id),
                        "location_id": str(link.location_id),
                        "location": location(link.location),
                    }
                    for link in service.at_locations.all()
                ],
                "languages": _languages(service),
                "cost_options": _cost_options(service),
                "attributes": [
                    _attribute(service.id, "service", term) for term in service.terms.all()
                ],
            }
        ),
    }


# -- services at locations ----------------------------------------------------------------------


def service_at_location_summary(link) -> dict:
    """``service_at_location_list.json``: the link with its location's and service's own fields."""
    return {
        "id": str(link.id),
        "service_id": str(link.service_id),
        "location_id": str(link.location_id),
        "location": location(link.location, nested=False),
        "service": service_summary(link.service),
    }


def service_at_location_full(link) -> dict:
    """``service_at_location.json``: the link, its location nested and its service fully nested."""
    service = service_full(link.service)
    service.pop("service_at_locations", None)  # the schema's nested service has none
    return {
        "id": str(link.id),
        "service_id": str(link.service_id),
        "location_id": str(link.location_id),
        "location": location(link.location),
        "service": service,
    }
