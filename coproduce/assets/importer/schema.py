"""The UK profile's service schema (vendored in assets/schemas/hsds_uk), applied the way the official
validator applies it, with readable messages that say where in the record each problem is."""

import functools
import json
from pathlib import Path

from django.utils.translation import gettext as _

_SCHEMA = Path(__file__).parent.parent / "schemas" / "hsds_uk" / "service.json"


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
