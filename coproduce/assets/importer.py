"""Reading another directory's Open Referral UK feed (HSDS-UK-3.0) into ours.

A feed is read whole first (``GET <base>/`` for the version, then ``/services?page=N`` page by page,
and ``/services/{id}`` where a list item is not fully nested), every service is checked against the
vendored UK profile schema and our own rules, and only then is anything written, in one
transaction: an import with any error writes nothing. Records are upserted by their HSDS id and keep
where they came from and when. A record edited here since its last import, or one made here, is
never overwritten: the differences are reported as a conflict for a coordinator to resolve.
"""

import datetime
import functools
import http.client
import ipaddress
import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.assets.models import (
    AssetOrganisation,
    Cost,
    Location,
    Origin,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from coproduce.assets.services import normalise_postcode
from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit

FEED_VERSION = "HSDS-UK-3.0"
TIMEOUT_SECONDS = 20
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
MAX_PAGES = 1000  # a feed that never ends is a broken feed, not a big one
_SCHEMA = Path(__file__).parent / "schemas" / "hsds_uk" / "service.json"
# The nested collections of a full service record: a list item with none of them is a summary.
_NESTED = (
    "schedules",
    "service_at_locations",
    "attributes",
    "languages",
    "cost_options",
    "contacts",
)
_MICRO = Decimal("0.000001")
_FEATURES = {"step-free access": "step_free", "accessible toilet": "accessible_toilet"}

Fetch = Callable[[str], bytes]


class ImportFailed(Exception):
    """The feed could not be read, or some of its records are wrong: nothing was imported."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Conflict:
    kind: str  # "service", "organisation", "location", "taxonomy term"
    id: str
    name: str
    fields: tuple[str, ...]

    def __str__(self):
        return _("%(kind)s %(name)s (id %(id)s): changed here, the feed differs in %(fields)s") % {
            "kind": self.kind,
            "name": self.name,
            "id": self.id,
            "fields": ", ".join(self.fields),
        }


KINDS = ("organisations", "services", "locations", "taxonomy_terms")


@dataclass
class ImportReport:
    source: str
    counts: dict = field(
        default_factory=lambda: {
            kind: {"created": 0, "updated": 0, "unchanged": 0} for kind in KINDS
        }
    )
    conflicts: list[Conflict] = field(default_factory=list)
    pages: int = 0

    def count(self, kind: str, outcome: str) -> None:
        self.counts[kind][outcome] += 1

    def total(self, outcome: str) -> int:
        return sum(by_outcome[outcome] for by_outcome in self.counts.values())

    def rows(self):
        """(label, created, updated, unchanged) per kind, for the page and the command."""
        labels = {
            "organisations": _("Organisations"),
            "services": _("Services"),
            "locations": _("Places"),
            "taxonomy_terms": _("Taxonomy terms"),
        }
        return [
            (labels[kind], c["created"], c["updated"], c["unchanged"])
            for kind, c in self.counts.items()
        ]


# ------------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Row:
    """One service as the feed gave it, and where: page (None for a file that is a plain list) and position."""

    page: int | None
    position: int
    data: object

    @property
    def id(self) -> str:
        return str(self.data.get("id", "")) if isinstance(self.data, dict) else ""

    def label(self) -> str:
        where = (
            _("service %(n)s") % {"n": self.position}
            if self.page is None
            else _("page %(page)s, service %(n)s") % {"page": self.page, "n": self.position}
        )
        return f"{where} (id {self.id})" if self.id else where


def _no_constant(name: str):
    raise ValueError(
        f"{name} is not a JSON number"
    )  # Python reads NaN and Infinity; JSON has neither


def _parse_json(data: bytes, where: str):
    try:
        return json.loads(data, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as error:
        raise ImportFailed(
            [_("%(where)s is not JSON: %(error)s") % {"where": where, "error": error}]
        ) from error


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_public_url(newurl)  # a public feed must not redirect us into the private network
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def check_public_url(url: str) -> None:
    """Refuse URLs that are not http(s) or that point into a private network (the page's guard against
    being used to reach internal services)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImportFailed([_("%(url)s is not an http or https address.") % {"url": url}])
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except ValueError as error:  # a port out of range
        raise ImportFailed([_("%(url)s is not a valid address.") % {"url": url}]) from error
    except (socket.gaierror, UnicodeError) as error:
        raise ImportFailed([_("Could not find %(host)s.") % {"host": parts.hostname}]) from error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise ImportFailed(
                [_("%(host)s is not on the public internet.") % {"host": parts.hostname}]
            )


def http_fetch(url: str, *, public_only: bool = False, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """GET a feed URL; a clear ``ImportFailed`` for a timeout, an HTTP error or an answer too large."""
    if public_only:
        check_public_url(url)
    handlers = [_CheckedRedirects()] if public_only else []
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(
        url, headers={"Accept": "application/json", "User-Agent": "Coproduce import_oruk"}
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise ImportFailed(
            [_("%(url)s answered HTTP %(status)s.") % {"url": url, "status": error.code}]
        ) from error
    except TimeoutError as error:
        raise ImportFailed(
            [
                _("%(url)s did not answer within %(seconds)s seconds.")
                % {"url": url, "seconds": timeout}
            ]
        ) from error
    except ValueError as error:  # http.client.InvalidURL, a port out of range
        raise ImportFailed([_("%(url)s is not a valid address.") % {"url": url}]) from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise ImportFailed(
                [
                    _("%(url)s did not answer within %(seconds)s seconds.")
                    % {"url": url, "seconds": timeout}
                ]
            ) from error
        raise ImportFailed(
            [_("Could not reach %(url)s: %(reason)s") % {"url": url, "reason": error.reason}]
        ) from error
    except (OSError, http.client.HTTPException) as error:  # the connection broke while reading
        raise ImportFailed(
            [_("Could not read %(url)s: %(reason)s") % {"url": url, "reason": error}]
        ) from error
    if len(body) > MAX_RESPONSE_BYTES:
        raise ImportFailed(
            [
                _("%(url)s sent more than %(mb)s MB.")
                % {"url": url, "mb": MAX_RESPONSE_BYTES // 2**20}
            ]
        )
    return body


def _contents(page, where: str) -> list:
    if not isinstance(page, dict) or not isinstance(page.get("contents"), list):
        raise ImportFailed(
            [_("%(where)s is not a page of services (no “contents” list).") % {"where": where}]
        )
    return page["contents"]


def read_feed(base_url: str, fetch: Fetch = http_fetch) -> tuple[list[Row], int, list[dict]]:
    """Every service of the feed at ``base_url``, page by page, with full records: (rows, pages read,
    the parents of their terms)."""
    base = base_url.rstrip("/")
    root = _parse_json(fetch(f"{base}/"), _("The feed's root (%(url)s)") % {"url": f"{base}/"})
    version = root.get("version") if isinstance(root, dict) else None
    if version != FEED_VERSION:
        raise ImportFailed(
            [
                _(
                    "%(url)s is not an Open Referral UK feed: its version is “%(version)s”, "
                    "not %(expected)s."
                )
                % {"url": f"{base}/", "version": version or "", "expected": FEED_VERSION}
            ]
        )
    rows, number, total = [], 1, 1
    while number <= total:
        where = _("Page %(page)s of the services (%(url)s)") % {
            "page": number,
            "url": f"{base}/services?page={number}",
        }
        page = _parse_json(fetch(f"{base}/services?page={number}"), where)
        contents = _contents(page, where)
        total = page.get("total_pages")
        if not isinstance(total, int) or isinstance(total, bool) or total < 0:
            raise ImportFailed(
                [_("%(where)s has no whole number “total_pages”.") % {"where": where}]
            )
        if total > MAX_PAGES:
            raise ImportFailed(
                [
                    _("The feed says it has %(total)s pages; at most %(max)s are read.")
                    % {"total": total, "max": MAX_PAGES}
                ]
            )
        for position, item in enumerate(contents, 1):
            row = Row(number, position, item)
            if (
                isinstance(item, dict)
                and item.get("id")
                and not any(key in item for key in _NESTED)
            ):
                detail = _parse_json(
                    fetch(f"{base}/services/{urllib.parse.quote(str(item['id']))}"),
                    _("The full record of %(row)s") % {"row": row.label()},
                )
                if not isinstance(detail, dict) or str(detail.get("id")) != str(item["id"]):
                    raise ImportFailed(
                        [_("%(row)s: the full record has another id.") % {"row": row.label()}]
                    )
                row = Row(number, position, detail)
            rows.append(row)
        number += 1
    return rows, number - 1, _missing_parents(base, rows, fetch)


def _missing_parents(base: str, rows: list[Row], fetch: Fetch) -> list[dict]:
    """Terms named only as a parent (``parent_id``) are read from ``/taxonomy_terms/{id}``, so the
    hierarchy survives; a parent the feed cannot give is left out."""
    terms = {
        str(attribute["taxonomy_term"].get("id")): attribute["taxonomy_term"]
        for row in rows
        if isinstance(row.data, dict)
        for attribute in row.data.get("attributes") or []
        if isinstance(attribute, dict) and isinstance(attribute.get("taxonomy_term"), dict)
    }
    found, wanted = [], [t.get("parent_id") for t in terms.values()]
    while wanted and len(found) < 1000:
        parent_id = wanted.pop()
        if not isinstance(parent_id, str) or parent_id in terms:
            continue
        try:
            term = _parse_json(
                fetch(f"{base}/taxonomy_terms/{urllib.parse.quote(parent_id)}"), parent_id
            )
        except ImportFailed:
            terms[parent_id] = None
            continue
        terms[parent_id] = term
        if (
            isinstance(term, dict)
            and str(term.get("id")) == parent_id
            and not schema_problems(
                term,
                _service_schema()["properties"]["attributes"]["items"]["properties"][
                    "taxonomy_term"
                ],
            )
        ):
            found.append(term)
            wanted.append(term.get("parent_id"))
    return found


def read_file(data: bytes, name: str = "") -> tuple[list[Row], int]:
    """One page of a feed, a JSON list of services, or one service, from a file."""
    content = _parse_json(data, name or _("The file"))
    if isinstance(content, list):
        return [Row(None, position, item) for position, item in enumerate(content, 1)], 0
    if isinstance(content, dict) and "contents" in content:
        number = content.get("page_number") if isinstance(content.get("page_number"), int) else 1
        items = _contents(content, name or _("The file"))
        return [Row(number, position, item) for position, item in enumerate(items, 1)], 1
    if isinstance(content, dict) and "id" in content:
        return [Row(None, 1, content)], 0
    raise ImportFailed(
        [
            _("%(name)s is neither a page of services, a list of services nor one service.")
            % {"name": name or _("The file")}
        ]
    )


# ------------------------------------------------------------------------------ checking


@functools.cache
def _service_schema() -> dict:
    return json.loads(_SCHEMA.read_text())


def _without_nulls(value):
    """``null`` counts as left out (feeds send it for empty fields, which the standard says to leave out)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value if v is not None]
    return value


_VALIDATORS: dict[int, tuple[dict, object]] = {}


def _validator(schema: dict):
    """One validator per schema (the schemas are read once and kept, so their ids are stable)."""
    from jsonschema import Draft202012Validator, FormatChecker

    kept = _VALIDATORS.get(id(schema))
    if kept is None or kept[0] is not schema:
        kept = _VALIDATORS[id(schema)] = (schema, Draft202012Validator(schema, format_checker=FormatChecker()))
    return kept[1]


def _where(path) -> str:
    parts = []
    for part in path:
        parts.append(f" #{part + 1}" if isinstance(part, int) else (("." if parts else "") + part))
    return "".join(parts).strip()


def schema_problems(value, schema: dict, where: str = "") -> list[str]:
    """What the UK profile's own schema says is wrong (required fields, types, allowed values,
    UUIDs), checked by jsonschema and told in words: "organization.name: should be a string"."""
    validator = _validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(_without_nulls(value)), key=lambda e: list(map(str, e.path))):
        place = " ".join(filter(None, [where, _where(error.path)]))
        prefix = f"{place}: " if place else ""
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else error.message
            problems.append(prefix + _("missing %(field)s") % {"field": missing})
        elif error.validator == "type":
            problems.append(prefix + _("should be a %(kind)s") % {"kind": error.validator_value})
        elif error.validator == "enum":
            problems.append(prefix + _("“%(value)s” is not one of %(allowed)s")
                            % {"value": error.instance, "allowed": ", ".join(map(str, error.validator_value))})
        elif error.validator == "format" and error.validator_value == "uuid":
            problems.append(prefix + _("“%(value)s” is not a UUID") % {"value": error.instance})
        elif error.validator == "format" and error.validator_value == "uri":
            problems.append(prefix + _("“%(value)s” is not a web address") % {"value": error.instance})
        elif error.validator == "format" and error.validator_value == "email":
            problems.append(prefix + _("“%(value)s” is not an e-mail address") % {"value": error.instance})
        else:
            problems.append(prefix + error.message)
    return problems


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


# ------------------------------------------------------------------------------ writing


class _Writer:
    """Upserts inside the import's transaction, counting what happened and collecting conflicts."""

    def __init__(self, community, report: ImportReport, actor, now):
        self.community, self.report, self.actor, self.now = community, report, actor, now
        self.errors: list[str] = []

    def _foreign(self, kind: str, obj, owner_id) -> bool:
        if owner_id != self.community.pk:
            self.errors.append(
                _(
                    "%(kind)s %(name)s (id %(id)s) belongs to another community's directory on "
                    "this site; it cannot be imported here."
                )
                % {"kind": kind, "name": obj, "id": obj.pk}
            )
            return True
        return False

    def upsert(self, model, pk, values: dict, *, kind: str, count_as: str | None, existing) -> str:
        """ "created", "updated", "unchanged" or "conflict" (made or changed here: left as it is)."""
        obj = existing.get(pk)
        provenance = {
            "source_url": self.report.source,
            "imported_at": self.now,
            "maintained_by": self.actor,
            "edited_locally": False,
        }
        if obj is None:
            extra = {"origin": Origin.IMPORTED} if model is Service else {}
            model.objects.create(id=pk, community=self.community, **values, **provenance, **extra)
            outcome = "created"
        elif self._foreign(kind, obj, obj.community_id):
            return "conflict"
        else:
            differs = tuple(name for name, value in values.items() if getattr(obj, name) != value)
            if not differs:
                outcome = "unchanged"
            elif obj.edited_locally or obj.imported_at is None:
                self.report.conflicts.append(Conflict(kind, str(pk), str(obj), differs))
                return "conflict"
            else:
                for name, value in {**values, **provenance}.items():
                    setattr(obj, name, value)
                obj.save()
                outcome = "updated"
        if count_as:
            self.report.count(count_as, outcome)
        return outcome

    def check_owners(self, services: list[ParsedService]) -> None:
        """A schedule or a link to a place is upserted by id too: one that belongs to another service
        must not be moved to this one (a feed could otherwise take over someone else's records)."""
        for model, owner_of in (
            (Schedule, {pk: s.id for s in services for pk, _values in s.schedules}),
            (ServiceAtLocation, {pk: s.id for s in services for pk, _loc, _values in s.locations}),
        ):
            for pk, service_id in model.objects.filter(pk__in=owner_of).values_list(
                "pk", "service_id"
            ):
                if service_id != owner_of[pk]:
                    self.errors.append(
                        _(
                            "%(kind)s %(id)s belongs to another service here; it cannot be moved to %(service)s."
                        )
                        % {"kind": model._meta.verbose_name, "id": pk, "service": owner_of[pk]}
                    )

    def taxonomies_and_terms(
        self, services: list[ParsedService], parents: list[ParsedTerm]
    ) -> dict:
        terms = {term.id: term for term in parents}
        for service in services:
            for term in service.terms:
                terms.setdefault(term.id, term)
        by_name = {t.name: t for t in Taxonomy.objects.filter(community=self.community)}
        taxonomy_ids = {t.taxonomy_id for t in terms.values() if t.taxonomy_id}
        known = Taxonomy.objects.in_bulk(taxonomy_ids)
        taxonomy_of = {}
        for term in terms.values():
            taxonomy = (
                known.get(term.taxonomy_id) if term.taxonomy_id else by_name.get(term.taxonomy_name)
            )
            if taxonomy is not None and self._foreign(
                _("taxonomy"), taxonomy, taxonomy.community_id
            ):
                continue
            if taxonomy is None:
                taxonomy = Taxonomy.objects.create(
                    id=term.taxonomy_id or uuid.uuid4(),
                    community=self.community,
                    **term.taxonomy_values,
                )
                known[taxonomy.pk] = by_name[taxonomy.name] = taxonomy
            taxonomy_of[term.id] = taxonomy
        existing = TaxonomyTerm.objects.select_related("taxonomy").in_bulk(list(terms))
        written = {}
        for term_id, term in terms.items():
            if term_id not in taxonomy_of:
                continue
            values = {**term.values, "taxonomy_id": taxonomy_of[term_id].pk}
            obj = existing.get(term_id)
            if obj is None:
                written[term_id] = TaxonomyTerm.objects.create(id=term_id, **values)
                self.report.count("taxonomy_terms", "created")
                continue
            if self._foreign(_("taxonomy term"), obj, obj.taxonomy.community_id):
                continue
            written[term_id] = obj
            differs = tuple(name for name, value in values.items() if getattr(obj, name) != value)
            if not differs:
                self.report.count("taxonomy_terms", "unchanged")
            elif obj.category_id is not None:  # one of the community's own categories: kept here
                self.report.conflicts.append(
                    Conflict(_("taxonomy term"), str(term_id), obj.name, differs)
                )
            else:
                TaxonomyTerm.objects.filter(pk=term_id).update(**values)
                self.report.count("taxonomy_terms", "updated")
        for term_id, term in terms.items():
            obj = written.get(term_id)
            if obj is not None and term.parent_id and obj.category_id is None:
                parent = (
                    term.parent_id
                    if (
                        term.parent_id in written
                        or TaxonomyTerm.objects.filter(
                            pk=term.parent_id, taxonomy__community=self.community
                        ).exists()
                    )
                    else None
                )
                if obj.parent_id != parent:
                    TaxonomyTerm.objects.filter(pk=term_id).update(parent_id=parent)
        return written

    def service(self, parsed: ParsedService, services: dict, terms: dict) -> None:
        """The service and what hangs from it: its places, times and terms (left alone on a conflict)."""
        values = {**parsed.values, "organisation_id": parsed.organisation_id}
        obj = services.get(parsed.id)
        wanted_schedules = dict(parsed.schedules)
        wanted_links = {
            (link_id, location_id) for link_id, location_id, _values in parsed.locations
        }
        wanted_terms = {term.id for term in parsed.terms if term.id in terms}
        nested_differs = ()
        if obj is not None and obj.community_id == self.community.pk:
            schedules = {
                s.pk: {name: getattr(s, name) for name in wanted_schedules.get(s.pk, {})} or None
                for s in obj.schedules.all()
            }
            nested_differs = tuple(
                name
                for name, same in (
                    (
                        _("places"),
                        {(link.pk, link.location_id) for link in obj.at_locations.all()}
                        == wanted_links,
                    ),
                    (_("times"), schedules == wanted_schedules),
                    (_("taxonomy terms"), {t.pk for t in obj.terms.all()} == wanted_terms),
                )
                if not same
            )
        outcome = self.upsert(
            Service, parsed.id, values, kind=_("service"), count_as=None, existing=services
        )
        if outcome == "conflict":
            last = self.report.conflicts[-1] if self.report.conflicts else None
            if nested_differs and last is not None and last.id == str(parsed.id):
                self.report.conflicts[-1] = Conflict(
                    last.kind, last.id, last.name, last.fields + nested_differs
                )
            return
        if outcome == "unchanged" and nested_differs:
            if obj.edited_locally or obj.imported_at is None:
                self.report.conflicts.append(
                    Conflict(_("service"), str(obj.pk), obj.name, nested_differs)
                )
                return
            Service.objects.filter(pk=obj.pk).update(
                source_url=self.report.source, imported_at=self.now, maintained_by=self.actor
            )
            outcome = "updated"
        self.report.count("services", outcome)
        if outcome == "unchanged":
            return
        ServiceAtLocation.objects.filter(service_id=parsed.id).exclude(
            pk__in=[link_id for link_id, _location_id in wanted_links]
        ).delete()
        for link_id, location_id in wanted_links:
            ServiceAtLocation.objects.update_or_create(
                id=link_id, defaults={"service_id": parsed.id, "location_id": location_id}
            )
        Schedule.objects.filter(service_id=parsed.id).exclude(
            pk__in=list(wanted_schedules)
        ).delete()
        for pk, schedule in wanted_schedules.items():
            Schedule.objects.update_or_create(id=pk, defaults={"service_id": parsed.id, **schedule})
        Service.objects.get(pk=parsed.id).terms.set(list(wanted_terms))


def import_rows(
    community,
    rows: list[Row],
    *,
    source: str,
    actor=None,
    pages: int = 0,
    parent_terms: list[dict] | tuple = (),
) -> ImportReport:
    """Check every row, then write them all in one transaction; ``ImportFailed`` and nothing written
    when any row is wrong or belongs to another community."""
    host = urllib.parse.urlsplit(source).hostname or Path(source).name or source
    default_taxonomy = _("Terms from %(source)s") % {"source": host}
    parsed = check_rows(rows, default_taxonomy=default_taxonomy)
    report = ImportReport(source=source[:500], pages=pages)
    try:
        _write(
            community, parsed, parent_terms, report, actor=actor, default_taxonomy=default_taxonomy
        )
    except IntegrityError as error:
        # Another import (or an edit) wrote the same records a moment ago.
        message = _(
            "These records changed while they were being imported; nothing was imported. Try again."
        )
        raise ImportFailed([message]) from error
    return report


def _write(
    community, parsed, parent_terms, report: ImportReport, *, actor, default_taxonomy: str
) -> None:
    now = timezone.now()
    with transaction.atomic():
        writer = _Writer(community, report, actor, now)
        ids = {
            "services": {p.id for p in parsed},
            "organisations": {p.organisation_id for p in parsed},
            "locations": {location_id for p in parsed for _l, location_id, _v in p.locations},
        }
        # Lock what may be updated, in a fixed order, so two imports of one feed cannot interleave.
        organisations = {
            o.pk: o
            for o in AssetOrganisation.objects.select_for_update()
            .filter(pk__in=ids["organisations"])
            .order_by("pk")
        }
        locations = {
            o.pk: o
            for o in Location.objects.select_for_update()
            .filter(pk__in=ids["locations"])
            .order_by("pk")
        }
        services = {
            o.pk: o
            for o in Service.objects.select_for_update()
            .filter(pk__in=ids["services"])
            .order_by("pk")
        }
        terms = writer.taxonomies_and_terms(
            parsed, [_parse_term(t, default_taxonomy) for t in parent_terms]
        )
        seen_organisations, seen_locations = set(), set()
        for service in parsed:
            if service.organisation_id not in seen_organisations:
                seen_organisations.add(service.organisation_id)
                writer.upsert(
                    AssetOrganisation,
                    service.organisation_id,
                    service.organisation,
                    kind=_("organisation"),
                    count_as="organisations",
                    existing=organisations,
                )
            for _link, location_id, values in service.locations:
                if location_id not in seen_locations:
                    seen_locations.add(location_id)
                    writer.upsert(
                        Location,
                        location_id,
                        values,
                        kind=_("place"),
                        count_as="locations",
                        existing=locations,
                    )
        writer.check_owners(parsed)
        if writer.errors:
            raise ImportFailed(writer.errors)
        for service in parsed:
            writer.service(service, services, terms)
        if writer.errors:
            raise ImportFailed(writer.errors)
        record_audit(
            actor=actor,
            action=AuditAction.ASSETS_IMPORTED,
            community=community,
            subject=report.source,
            created=report.total("created"),
            updated=report.total("updated"),
            unchanged=report.total("unchanged"),
            conflicts=len(report.conflicts),
        )


def import_feed(community, base_url: str, *, actor=None, fetch: Fetch = http_fetch) -> ImportReport:
    """Read the feed at ``base_url`` and import it; ``ImportFailed`` (nothing written) on any error."""
    rows, pages, parent_terms = read_feed(base_url, fetch)
    return import_rows(
        community, rows, source=base_url, actor=actor, pages=pages, parent_terms=parent_terms
    )


def import_file(community, data: bytes, *, name: str = "", actor=None) -> ImportReport:
    """Import one page of a feed, or a list of services, from a file."""
    rows, pages = read_file(data, name)
    return import_rows(community, rows, source=name, actor=actor, pages=pages)
