"""Checking every service against the vendored UK profile schema and our own rules, and turning it
into plain values to write. Every problem is collected with where it is; none is fixed silently."""

import datetime
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from coproduce.assets.importer.reading import Row
from coproduce.assets.importer.report import ImportFailed
from coproduce.assets.importer.schema import _service_schema, schema_problems
from coproduce.assets.models import (
    AssetOrganisation,
    Cost,
    Location,
    Schedule,
    Service,
)
from coproduce.assets.services import normalise_postcode

_MICRO = Decimal("0.000001")
_FEATURES = {"step-free access": "step_free", "accessible toilet": "accessible_toilet"}


def _text(data: dict, key: str, limit: int | None = None) -> str:
    value = data.get(key)
    text = str(value).strip() if value is not None else ""
    # Free text longer than our field (a long note about fees) is shortened, not refused.
    return text[: limit - 1] + "…" if limit and len(text) > limit else text


def _first_phone(data: dict) -> str:
    phones = data.get("phones")
    if isinstance(phones, list) and phones and isinstance(phones[0], dict):
        return _text(phones[0], "number")
    return ""


def _date(value, label: str, problems: list) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        problems.append(
            _("%(field)s “%(value)s” is not a date (YYYY-MM-DD)") % {"field": label, "value": value}
        )
        return None


def _time(value, label: str, problems: list) -> datetime.time | None:
    if value in (None, ""):
        return None
    try:
        return datetime.time.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError:
        problems.append(
            _("%(field)s “%(value)s” is not a time (HH:MM)") % {"field": label, "value": value}
        )
        return None


def _age(value, label: str, problems: list) -> int | None:
    if value is None:
        return None
    if value != int(value) or not 0 <= value <= 120:
        problems.append(
            _("%(field)s %(value)s is not a whole age from 0 to 120")
            % {"field": label, "value": value}
        )
        return None
    return int(value)


def _coordinate(value, label: str, bound: int, problems: list) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value)).quantize(_MICRO)
    except InvalidOperation:
        problems.append(
            _("%(field)s “%(value)s” is not a number") % {"field": label, "value": value}
        )
        return None
    if not -bound <= number <= bound:
        problems.append(
            _("%(field)s %(value)s is outside -%(bound)s to %(bound)s")
            % {"field": label, "value": value, "bound": bound}
        )
        return None
    return number


def _clean(model, values: dict, label: str, problems: list) -> None:
    """Our own field rules (lengths, e-mail and web addresses), as the database and forms hold them."""
    try:
        model(**values).clean_fields(
            exclude=[f.name for f in model._meta.fields if f.name not in values]
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            problems += [f"{label}{name}: {message}" for message in messages]


@dataclass
class ParsedTerm:
    id: uuid.UUID
    values: dict
    parent_id: uuid.UUID | None
    taxonomy_id: uuid.UUID | None
    taxonomy_name: str
    taxonomy_values: dict


@dataclass
class ParsedService:
    row: Row
    id: uuid.UUID
    values: dict
    organisation_id: uuid.UUID
    organisation: dict
    locations: list  # (service_at_location id, location id, location values)
    schedules: list  # (schedule id, values)
    terms: list[ParsedTerm]


def _cost(data: dict, problems: list) -> dict:
    """Free, paid or time credits. Our own feed names the kind in ``option``; others give amounts."""
    options = [o for o in data.get("cost_options") or [] if isinstance(o, dict)]
    ours = next((o for o in options if o.get("option") in Cost.values), None)
    amount = ours.get("amount") if ours else None
    if ours and ours["option"] == Cost.TIME_CREDITS:
        minutes = round(amount * 60) if isinstance(amount, int | float) and amount > 0 else None
        if minutes is None:
            problems.append(_("cost_options: time credits without a number of hours"))
        return {
            "cost": Cost.TIME_CREDITS,
            "credits_minutes": minutes,
            "cost_detail": _text(data, "fees", 200),
        }
    if ours:
        return {
            "cost": ours["option"],
            "credits_minutes": None,
            "cost_detail": _text(data, "fees", 200),
        }
    paid = [o for o in options if isinstance(o.get("amount"), int | float) and o["amount"] > 0]
    detail = _text(data, "fees", 200) or (_text(paid[0], "amount_description", 200) if paid else "")
    return {
        "cost": Cost.PAID if paid else Cost.FREE,
        "credits_minutes": None,
        "cost_detail": detail,
    }


def _parse_location(location: dict, where: str, problems: list) -> dict:
    addresses = [a for a in location.get("addresses") or [] if isinstance(a, dict)]
    address = next(
        (a for a in addresses if a.get("address_type") == "physical"),
        addresses[0] if addresses else {},
    )
    postcode = ""
    if address.get("postal_code"):
        try:
            postcode = normalise_postcode(str(address["postal_code"]))
        except ValidationError:
            problems.append(
                _("%(where)spostcode “%(value)s” is not a UK postcode")
                % {"where": where, "value": address["postal_code"]}
            )
    latitude = _coordinate(location.get("latitude"), where + _("latitude"), 90, problems)
    longitude = _coordinate(location.get("longitude"), where + _("longitude"), 180, problems)
    if (location.get("latitude") is None) != (location.get("longitude") is None):
        problems.append(where + _("give both the latitude and the longitude, or neither"))
    notes, flags = [], set()
    for entry in location.get("accessibility") or []:
        notes.append(_text(entry, "description") or _text(entry, "accessibility"))
        # Our own feed writes the two features we search on into ``details``; other text is kept as notes.
        details = [part.strip() for part in _text(entry, "details").split(",") if part.strip()]
        if details and all(part.lower() in _FEATURES for part in details):
            flags |= {_FEATURES[part.lower()] for part in details}
        else:
            notes.append(_text(entry, "details"))
    values = {
        "name": _text(location, "name"),
        "address": _text(address, "address_1"),
        "city": _text(address, "city"),
        "postcode": postcode,
        "latitude": latitude,
        "longitude": longitude,
        "accessibility": "\n".join(n for n in notes if n),
        "step_free": "step_free" in flags,
        "accessible_toilet": "accessible_toilet" in flags,
    }
    _clean(Location, values, where, problems)
    return values


def _parse_schedule(schedule: dict, where: str, problems: list) -> dict:
    days = [d.strip().upper() for d in str(schedule.get("byday") or "").split(",") if d.strip()]
    # RFC 5545 day codes, with an ordinal for monthly ones ("1WE": the first Wednesday), as HSDS allows.
    if any(re.fullmatch(r"(-?[1-5])?(MO|TU|WE|TH|FR|SA|SU)", day) is None for day in days):
        problems.append(
            _("%(where)sbyday “%(days)s” is not a list of day codes (MO,TU,WE,TH,FR,SA,SU)")
            % {"where": where, "days": schedule.get("byday")}
        )
    values = {
        "freq": _text(schedule, "freq"),
        "byday": ",".join(days),
        "opens_at": _time(schedule.get("opens_at"), where + "opens_at", problems),
        "closes_at": _time(schedule.get("closes_at"), where + "closes_at", problems),
        "valid_from": _date(schedule.get("valid_from"), where + "valid_from", problems),
        "valid_to": _date(schedule.get("valid_to"), where + "valid_to", problems),
        "description": _text(schedule, "description", 300),
    }
    if values["opens_at"] and values["closes_at"] and values["closes_at"] <= values["opens_at"]:
        problems.append(
            _("%(where)scloses (%(closes)s) before it opens (%(opens)s)")
            % {"where": where, "closes": values["closes_at"], "opens": values["opens_at"]}
        )
    if values["valid_from"] and values["valid_to"] and values["valid_to"] < values["valid_from"]:
        problems.append(
            _("%(where)sends (%(to)s) before it starts (%(start)s)")
            % {"where": where, "to": values["valid_to"], "start": values["valid_from"]}
        )
    _clean(Schedule, values, where, problems)
    return values


def _parse_term(term: dict, default_taxonomy: str) -> ParsedTerm:
    detail = term.get("taxonomy_detail") if isinstance(term.get("taxonomy_detail"), dict) else {}
    taxonomy_id = detail.get("id") or term.get("taxonomy_id")
    try:
        taxonomy_id = uuid.UUID(str(taxonomy_id)) if taxonomy_id else None
    except ValueError:
        taxonomy_id = None
    parent = term.get("parent_id")
    try:
        parent = uuid.UUID(str(parent)) if parent else None
    except ValueError:
        parent = None
    name = _text(detail, "name") or _text(term, "taxonomy") or default_taxonomy
    return ParsedTerm(
        id=uuid.UUID(str(term["id"])),
        parent_id=parent,
        taxonomy_id=taxonomy_id,
        taxonomy_name=name[:200],
        values={
            "name": _text(term, "name"),
            "description": _text(term, "description"),
            "code": _text(term, "code"),
        },
        taxonomy_values={
            "name": name[:200],
            "description": _text(detail, "description"),
            "uri": _text(detail, "uri"),
            "version": _text(detail, "version"),
        },
    )


def parse_service(row: Row, default_taxonomy: str) -> tuple[ParsedService | None, list[str]]:
    """A feed service as our records, or the problems that stop it being imported."""
    data = row.data
    if not isinstance(data, dict):
        return None, [_("is not a JSON object")]
    problems = schema_problems(data, _service_schema())
    # The schema asks only that these be there; a record without a name cannot be listed.
    for key, where in (
        (data.get("name"), "name"),
        ((data.get("organization") or {}).get("name"), "organization.name"),
    ):
        if isinstance(key, str) and not key.strip():
            problems.append(_("missing %(field)s") % {"field": where})
    if problems:
        return None, problems
    organisation = data.get("organization")
    if not isinstance(organisation, dict):
        return None, [_("missing organization (the organisation that runs it)")]
    values = {
        "name": _text(data, "name"),
        "description": _text(data, "description"),
        "url": _text(data, "url"),
        "email": _text(data, "email"),
        "phone": _first_phone(data),
        **_cost(data, problems),
        "minimum_age": _age(data.get("minimum_age"), "minimum_age", problems),
        "maximum_age": _age(data.get("maximum_age"), "maximum_age", problems),
        "eligibility": _text(data, "eligibility_description", 300),
        "languages": [
            code
            for code in dict.fromkeys(
                _text(lang, "code").lower() for lang in data.get("languages") or []
            )
            if re.fullmatch(r"[a-z]{2,3}", code)  # ISO 639 codes only, as the directory keeps them
        ],
        "active": data.get("status") == "active",
        "last_checked_on": _date(data.get("assured_date"), "assured_date", problems),
    }
    if (
        None not in (values["minimum_age"], values["maximum_age"])
        and values["minimum_age"] > values["maximum_age"]
    ):
        problems.append(
            _("minimum_age %(low)s is above maximum_age %(high)s")
            % {"low": values["minimum_age"], "high": values["maximum_age"]}
        )
    _clean(Service, {k: v for k, v in values.items() if k != "last_checked_on"}, "", problems)
    org_values = {
        "name": _text(organisation, "name"),
        "description": _text(organisation, "description"),
        "email": _text(organisation, "email"),
        "website": _text(organisation, "website"),
        "phone": _first_phone(organisation),
    }
    _clean(AssetOrganisation, org_values, "organization.", problems)
    locations = []
    for index, link in enumerate(data.get("service_at_locations") or [], 1):
        where = f"service_at_locations #{index}."
        location = link.get("location")
        if not isinstance(location, dict):
            problems.append(where + _("missing location"))
            continue
        locations.append(
            (
                uuid.UUID(link["id"]),
                uuid.UUID(location["id"]),
                _parse_location(location, where + "location.", problems),
            )
        )
    schedules = [
        (uuid.UUID(schedule["id"]), _parse_schedule(schedule, f"schedules #{index}.", problems))
        for index, schedule in enumerate(data.get("schedules") or [], 1)
    ]
    terms = [
        _parse_term(attribute["taxonomy_term"], default_taxonomy)
        for attribute in data.get("attributes") or []
        if isinstance(attribute.get("taxonomy_term"), dict)
    ]
    if problems:
        return None, problems
    return ParsedService(
        row=row,
        id=uuid.UUID(data["id"]),
        values=values,
        organisation_id=uuid.UUID(organisation["id"]),
        organisation=org_values,
        locations=locations,
        schedules=schedules,
        terms=terms,
    ), []


def check_rows(rows: list[Row], default_taxonomy: str) -> list[ParsedService]:
    """Every service parsed, or ``ImportFailed`` listing every row's problems (a repeated id is one)."""
    errors, parsed, seen = [], [], {}
    for row in rows:
        service, problems = parse_service(row, default_taxonomy)
        if row.id and row.id in seen:
            problems.append(_("the same id as %(other)s") % {"other": seen[row.id].label()})
        elif row.id:
            seen[row.id] = row
        errors += [f"{row.label()}: {problem}" for problem in problems]
        if service is not None and not problems:
            parsed.append(service)
    if not rows:
        errors.append(_("The feed has no services."))
    if errors:
        raise ImportFailed(errors)
    return parsed
