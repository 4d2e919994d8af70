"""A person's copy of their data: one zip with the data for machines (``data.json``), a CSV file
per kind of record, and a page to read in a browser (``index.html``).

What goes in is read from the models' declarations (``registry``), so a model that declares
personal data is in the copy without anyone adding it here. Secrets a model withholds (password
and PIN hashes, two-factor secrets, tokens) never are. A field pointing at a person, a community
or a category is written as its name, not as a number nobody could read.
"""

import datetime
import io
import json
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise

from coproduce.accounts.models import User
from coproduce.ledger.models import Account
from coproduce.lib import csv_safe
from coproduce.members.models import Membership
from coproduce.privacy.registry import Declared, about_people

# A few records read better with a column or two from the row they belong to: a ledger entry is
# a line of a statement only with the exchange's date and description beside it.
EXTRA_COLUMNS = {
    "ledger.Entry": [("date", "transfer__performed_on"), ("description", "transfer__description"),
                     ("kind", "transfer__kind"), ("community", "account__community__name")],
}
NAMED_BY = ("name", "title")  # the field a related row is known by, when it has one


@dataclass
class Section:
    label: str  # "conversations.Message": the file names and the JSON keys
    title: str
    purpose: str
    columns: list[str]
    rows: list[list]


def columns_of(declared: Declared) -> list[tuple[str, str | Coalesce]]:
    """(heading, lookup or expression) for each field of the model a copy shows."""
    declaration = declared.declaration
    columns = []
    for field in declared.model._meta.concrete_fields:
        if field.name in declaration.withheld or isinstance(field, models.BinaryField):
            continue
        columns.append((field.name, _lookup(field)))
    return columns + EXTRA_COLUMNS.get(declared.label, [])


def _lookup(field) -> str | Coalesce:
    if not field.is_relation:
        return field.name
    target = field.related_model
    if target is Account:  # a member's account is known by the member's name, an organisation's by its own
        return Coalesce(F(f"{field.name}__membership__user__name"), F(f"{field.name}__organisation__name"),
                        F(f"{field.name}__name"))
    if target is User:
        return f"{field.name}__name"
    if target is Membership:
        return f"{field.name}__user__name"
    names = {f.name for f in target._meta.concrete_fields}
    for name in NAMED_BY:
        if name in names:
            return f"{field.name}__{name}"
    return field.attname


def rows_about(declared: Declared, person) -> models.QuerySet:
    """The model's rows about ``person``: those any of its declared lookups leads to them from."""
    about = Q()
    for lookup in declared.declaration.about:
        about |= Q(**{lookup: person.pk})
    rows = declared.model._default_manager.filter(about)
    if any("__" in lookup for lookup in declared.declaration.about):
        rows = rows.distinct()  # a lookup through a one-to-many relation repeats rows
    return rows.order_by("pk")


def section_for(declared: Declared, person) -> Section:
    columns = columns_of(declared)
    rows = rows_about(declared, person).values_list(*[lookup for _heading, lookup in columns])
    return Section(label=declared.label, title=str(declared.declaration.title),
                   purpose=str(declared.declaration.purpose.label),
                   columns=[heading for heading, _lookup in columns],
                   rows=[[_plain(value) for value in row] for row in rows])


def _plain(value):
    """A value as JSON can hold it."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID | Promise):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    return value


def parts() -> int:
    """How many steps building a copy takes: one per kind of record, and the writing."""
    return len(about_people()) + 1


def build(person, *, progress: Callable[[int], None] = lambda done: None) -> bytes:
    """The zip of everything held about ``person``; ``progress`` hears how many steps are done."""
    sections = []
    for done, declared in enumerate(about_people(), start=1):
        sections.append(section_for(declared, person))
        progress(done)
    made_at = timezone.now()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps({
            "person": person.pk, "made_at": made_at.isoformat(),
            "records": {s.label: {"title": s.title, "purpose": s.purpose, "columns": s.columns, "rows": s.rows}
                        for s in sections},
        }, ensure_ascii=False, indent=1))
        for section in sections:
            if section.rows:
                archive.writestr(f"csv/{section.label.replace('.', '_')}.csv", _csv(section))
        archive.writestr("index.html", render_to_string("privacy/archive/index.html", {
            "person": person, "made_at": made_at, "sections": sections}))
    return buffer.getvalue()


def _csv(section: Section) -> str:
    stream = io.StringIO()
    writer = csv_safe.writer(stream)
    writer.writerow(section.columns)
    writer.writerows([[json.dumps(value) if isinstance(value, dict | list) else value for value in row]
                      for row in section.rows])
    return stream.getvalue()
