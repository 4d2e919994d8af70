"""The retention rule (issue 20, point 4): a community keeps the data of people who left for its
``retention_months`` (24 by default). ``manage.py apply_retention`` runs it daily: it lists first
(``--dry-run``), then erases each person whose every membership ended longer ago than that
community keeps it, and masks the community's audit entries older than the same period.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from coproduce.accounts.models import User
from coproduce.audit.services import mask_entries_before
from coproduce.communities.models import Community
from coproduce.members.models import Membership, MembershipStatus
from coproduce.partners.models import Staff
from coproduce.privacy.erasure import erase
from coproduce.privacy.models import ErasureRequest


@dataclass(frozen=True)
class Due:
    person: User
    left: list[tuple[str, datetime.datetime, int]]  # (community, left at, its retention in months)


def cutoff(community_or_months, now) -> datetime.datetime:
    """The moment ``retention_months`` (of a community, or a number) before ``now``."""
    months = getattr(community_or_months, "retention_months", community_or_months)
    local = timezone.localtime(now)
    year, month = divmod(local.month - 1 - months, 12)
    year, month = local.year + year, month + 1
    return local.replace(year=year, month=month, day=min(local.day, calendar.monthrange(year, month)[1]))


def due_for_erasure(now=None) -> list[Due]:
    """People still on the platform whose every membership ended more than its community's
    retention period ago (and who are not already being erased)."""
    now = now or timezone.now()
    still_member = Membership.objects.filter(user=OuterRef("pk")).exclude(status=MembershipStatus.LEFT)
    open_request = ErasureRequest.objects.filter(person=OuterRef("pk"), status=ErasureRequest.Status.ERASING)
    still_staff = Staff.objects.filter(user=OuterRef("pk"), left_on__isnull=True)
    # Site admins and a partner's current staff are kept: their work is not a membership.
    candidates = (User.objects.filter(is_active=True, is_superuser=False, memberships__status=MembershipStatus.LEFT)
                  .exclude(Exists(still_member)).exclude(Exists(still_staff)).exclude(Exists(open_request))
                  .distinct().order_by("pk")
                  .prefetch_related(Prefetch("memberships", Membership.objects.select_related("community"))))
    due = []
    for person in candidates:
        left = sorted(((m.community.name, m.left_at, m.community.retention_months) for m in person.memberships.all()),
                      key=lambda item: item[1])
        if all(left_at < cutoff(months, now) for _name, left_at, months in left):
            due.append(Due(person, left))
    return due


def apply(now=None) -> tuple[list[Due], list[tuple[Due, str]], int]:
    """Erase everyone due and mask old audit entries: (people erased, people a rule kept from being
    erased with why, audit entries masked). Each erasure is its own transaction, so one that a rule
    refuses (a pot at its floor) stops only itself."""
    now = now or timezone.now()
    erased, refused = [], []
    for item in due_for_erasure(now):
        months = max(months for _name, _left_at, months in item.left)
        try:
            with transaction.atomic():
                # A request the person made and is still waiting out is carried out now instead.
                erasure = ErasureRequest.objects.select_for_update().filter(
                    person=item.person, status=ErasureRequest.Status.WAITING).first()
                if erasure is None:
                    erasure = ErasureRequest.objects.create(
                        person=item.person, requested_by=None, status=ErasureRequest.Status.ERASING,
                        reason=f"Left more than {months} months ago (the community's retention period).",
                        requested_at=now, erasable_from=now)
                else:
                    erasure.status = ErasureRequest.Status.ERASING
                    erasure.save(update_fields=["status"])
                erase(erasure)
        except ValidationError as error:
            refused.append((item, " ".join(error.messages)))
        else:
            erased.append(item)
    masked = sum(mask_entries_before(community, cutoff(community, now)) for community in Community.objects.all())
    return erased, refused, masked
