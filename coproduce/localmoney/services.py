"""Saving an organisation's LM3 survey: its own staff and the community's coordinators only;
every line checked, and saved whole or not at all."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coproduce.localmoney.models import Spend, SpendKind, Survey
from coproduce.partners.models import Organisation
from coproduce.partners.permissions import manager_authority


@dataclass(frozen=True)
class Line:
    name: str
    amount_pence: int
    local: bool
    kind: str = SpendKind.SUPPLIER
    respent_locally_percent: int | None = None


def _check(starts_on: datetime.date, ends_on: datetime.date, income_pence: int, lines: list[Line]) -> None:
    errors: dict[str, list[str]] = {}
    if ends_on <= starts_on:
        errors.setdefault("ends_on", []).append(_("The period must end after it starts."))
    if ends_on - starts_on > datetime.timedelta(days=366 * 2):
        errors.setdefault("ends_on", []).append(_("A period is at most two years."))
    if income_pence <= 0:
        errors.setdefault("income", []).append(_("Enter the income in the period, more than £0."))
    for number, line in enumerate(lines, start=1):
        where = _("Line %(n)s (%(name)s): ") % {"n": number, "name": line.name or "?"}
        if not line.name.strip():
            errors.setdefault("lines", []).append(where + _("say who or what it was paid to."))
        if line.amount_pence < 0:
            errors.setdefault("lines", []).append(where + _("an amount cannot be negative."))
        if line.kind not in SpendKind.values:
            errors.setdefault("lines", []).append(where + _("choose a kind."))
        share = line.respent_locally_percent
        if share is not None and not line.local:
            errors.setdefault("lines", []).append(where + _("only local spending has a share re-spent locally."))
        if share is not None and not 0 <= share <= 100:
            errors.setdefault("lines", []).append(where + _("the share is a percentage from 0 to 100."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_survey(organisation: Organisation, *, actor, starts_on: datetime.date, ends_on: datetime.date,
                income_pence: int, lines: list[Line], notes: str = "", survey: Survey | None = None) -> Survey:
    """Create the period's survey, or replace ``survey``'s figures and lines."""
    manager_authority(actor, organisation)
    _check(starts_on, ends_on, income_pence, lines)
    if survey is not None and survey.organisation_id != organisation.pk:
        raise ValidationError(_("This survey belongs to another organisation."))
    clash = Survey.objects.filter(organisation=organisation, starts_on=starts_on, ends_on=ends_on)
    if survey is not None:
        clash = clash.exclude(pk=survey.pk)
    if clash.exists():
        raise ValidationError({"starts_on": _("There is already a survey for this period: change that one.")})
    if survey is None:
        survey = Survey(organisation=organisation, created_by=actor)
    survey.starts_on, survey.ends_on, survey.income_pence, survey.notes = starts_on, ends_on, income_pence, notes
    survey.save()
    survey.lines.all().delete()
    Spend.objects.bulk_create([
        Spend(survey=survey, name=line.name.strip(), kind=line.kind, amount_pence=line.amount_pence, local=line.local,
              respent_locally_percent=line.respent_locally_percent if line.local else None)
        for line in lines])
    return survey
