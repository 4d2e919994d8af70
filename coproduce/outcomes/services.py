"""Writing and scheduling the wellbeing questions (product brief, "Outcomes")."""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.members.models import Membership
from coproduce.outcomes.models import SCALE_FIELDS, EntryMethod, Loneliness, WellbeingResponse

SURVEY_INTERVAL_MONTHS = 6


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, clamped to the month's end (31 Aug + 6 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def next_survey_date(membership: Membership) -> datetime.date:
    """At joining, then six months after the latest answers."""
    latest = membership.wellbeing_responses.order_by("-answered_on").values_list("answered_on", flat=True).first()
    if latest is None:
        return timezone.localdate(membership.joined_at)
    return add_months(latest, SURVEY_INTERVAL_MONTHS)


def survey_due(membership: Membership, today: datetime.date | None = None) -> bool:
    """True when the member should be asked the wellbeing questions now."""
    return next_survey_date(membership) <= (today or timezone.localdate())


def record_wellbeing(membership: Membership, *, actor, answers: dict, answered_on: datetime.date | None = None,
                     method: str = EntryMethod.SELF) -> WellbeingResponse:
    """Store one set of answers; anything out of range is refused and nothing is written.

    `answers` has the four 0–10 scores (None for a question left blank) and `loneliness`.
    A coordinator entering a paper form is audited as acting on the member's behalf.
    """
    today = timezone.localdate()
    answered_on = answered_on or today
    errors = {}
    for name in SCALE_FIELDS:
        value = answers.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10):
            errors[name] = _("Choose a number from 0 to 10.")
    loneliness = answers.get("loneliness") or ""
    if loneliness and loneliness not in Loneliness.values:
        errors["loneliness"] = _("Choose one of the answers given.")
    if answered_on > today:
        errors["answered_on"] = _("The date can't be in the future.")
    if answered_on < timezone.localdate(membership.joined_at) - datetime.timedelta(days=31):
        errors["answered_on"] = _("The date is before this person joined.")
    if not errors and all(answers.get(name) is None for name in SCALE_FIELDS) and not loneliness:
        errors["__all__"] = _("Answer at least one question.")
    if errors:
        raise ValidationError(errors)
    on_behalf = actor.pk != membership.user_id
    with transaction.atomic():
        response = WellbeingResponse.objects.create(
            community=membership.community, membership=membership, answered_on=answered_on, entered_by=actor,
            method=EntryMethod.PAPER if on_behalf else method, loneliness=loneliness,
            **{name: answers.get(name) for name in SCALE_FIELDS},
        )
        record_audit(actor=actor, community=membership.community,
                     action=AuditAction.WELLBEING_RECORDED_FOR if on_behalf else AuditAction.WELLBEING_RECORDED,
                     on_behalf_of=membership.user if on_behalf else None,
                     subject=_("wellbeing answers of %(date)s") % {"date": answered_on.isoformat()},
                     response=response.pk)
    return response


def memberships_due(memberships, today: datetime.date | None = None) -> list[Membership]:
    """Active memberships whose wellbeing questions are due, in one query (oldest due first)."""
    from django.db.models import Max

    today = today or timezone.localdate()
    rows = (memberships.active().select_related("user")
            .annotate(last_answered=Max("wellbeing_responses__answered_on")).order_by("user__name", "pk"))
    due = []
    for membership in rows:
        if membership.last_answered is None:
            membership.due_on = timezone.localdate(membership.joined_at)
        else:
            membership.due_on = add_months(membership.last_answered, SURVEY_INTERVAL_MONTHS)
        if membership.due_on <= today:
            due.append(membership)
    return sorted(due, key=lambda m: m.due_on)
