"""Checks and references, and the rule that check-required help goes only to checked members."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.communities.models import Category
from coproduce.members.models import Membership
from coproduce.safeguarding.models import CategoryCheckRequirement, Check, CheckType, Outcome

EXPIRING_WITHIN = timedelta(days=60)


def required_check(category: Category) -> str | None:
    """The check type help in this category needs, looking at the category and its parent."""
    ids = [category.pk] + ([category.parent_id] if category.parent_id else [])
    requirement = CategoryCheckRequirement.objects.filter(category_id__in=ids).order_by("category_id").first()
    return requirement.check_type if requirement else None


def checked_membership_ids(membership_ids, check_type: str, on: date | None = None) -> set[int]:
    """Which of these memberships hold a valid check of this type, in one query."""
    return set(Check.objects.valid(on).filter(membership_id__in=list(membership_ids), check_type=check_type)
               .values_list("membership_id", flat=True))


def may_help(membership: Membership, category: Category) -> bool:
    check_type = required_check(category)
    return check_type is None or membership.pk in checked_membership_ids([membership.pk], check_type)


def require_valid_check(membership: Membership, category: Category) -> None:
    """Refuse, with a clear message, help in a check-required category by someone unchecked.

    Matching, introductions, marking a post done and (for the ledger) recording an
    exchange call this.
    """
    check_type = required_check(category)
    if check_type and membership.pk not in checked_membership_ids([membership.pk], check_type):
        raise ValidationError(
            _("Help with %(category)s needs a valid %(check)s, and %(name)s does not have one on record.")
            % {"category": category.name, "check": CheckType(check_type).label, "name": membership.user.name})


@transaction.atomic
def record_check(membership: Membership, *, actor, check_type: str, checked_on: date, outcome: str,
                 expires_on: date | None = None, note: str = "") -> Check:
    """A coordinator records a check or reference they have seen (never the certificate itself)."""
    errors = {}
    if check_type not in CheckType.values:
        errors["check_type"] = _("Choose a type of check.")
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose an outcome.")
    if checked_on > timezone.localdate():
        errors["checked_on"] = _("The date of the check cannot be in the future.")
    if expires_on is not None and expires_on <= checked_on:
        errors["expires_on"] = _("The check must be valid until a date after it was made.")
    if len(note) > 300:
        errors["note"] = _("Please keep the note to 300 characters.")
    if errors:
        raise ValidationError(errors)
    check = Check.objects.create(membership=membership, check_type=check_type, checked_on=checked_on,
                                 expires_on=expires_on, outcome=outcome, note=note.strip(), recorded_by=actor)
    record_audit(actor=actor, action=AuditAction.CHECK_RECORDED, community=membership.community,
                 on_behalf_of=membership.user, subject=CheckType(check_type).label, check=check.pk,
                 outcome=outcome)
    return check


@transaction.atomic
def set_requirement(category: Category, *, actor, check_type: str | None) -> None:
    """Make help in a category need a check of this type, or (None) no check."""
    if check_type is not None and check_type not in CheckType.values:
        raise ValidationError({"check_type": _("Choose a type of check.")})
    CategoryCheckRequirement.objects.filter(category=category).delete()
    if check_type:
        CategoryCheckRequirement.objects.create(category=category, check_type=check_type, set_by=actor)
    record_audit(actor=actor, action=AuditAction.CHECK_REQUIREMENT_SET, community=category.community,
                 subject=category.name, check_type=check_type or "")


def expiring_checks(community, *, today: date | None = None):
    """Clear checks that lapse in the next 60 days, soonest first, for the coordinator."""
    today = today or timezone.localdate()
    return (Check.objects.filter(membership__community=community, outcome=Outcome.CLEAR,
                                 expires_on__gte=today, expires_on__lte=today + EXPIRING_WITHIN)
            .select_related("membership__user").order_by("expires_on", "id"))


class CheckedHelpersOnly:
    """The ledger's credit policy (``ledger.hooks``): nobody is credited for help in a category that
    needs a check unless they hold a valid one. Registered in ``SafeguardingConfig.ready``."""

    def check(self, community, category: Category, memberships) -> None:
        for membership in memberships:
            require_valid_check(membership, category)

    def refused_rows(self, community, rows, membership_of: dict[int, int]) -> dict[int, str]:
        """The bulk path's rows whose giver holds no valid check their category needs: three queries
        however many rows (the categories' requirements, their parents, who holds which check)."""
        used = {row.category_id for row in rows if row.category_id}
        if not used:
            return {}
        parents = dict(Category.objects.filter(pk__in=used).values_list("pk", "parent_id"))
        requirements = dict(CategoryCheckRequirement.objects.filter(
            category_id__in=used | {p for p in parents.values() if p}).values_list("category_id", "check_type"))
        needs = {pk: requirements.get(pk) or requirements.get(parents.get(pk)) for pk in used}
        needs = {pk: check for pk, check in needs.items() if check}
        if not needs:
            return {}
        holds = set(Check.objects.valid().filter(membership__community=community, check_type__in=needs.values())
                    .values_list("membership_id", "check_type"))
        refused = {}
        for index, row in enumerate(rows):
            check_type = needs.get(row.category_id)
            if check_type and (membership_of.get(row.giver_id), check_type) not in holds:
                refused[index] = _("help in this category needs a valid %(check)s, and the helper has none "
                                   "on record.") % {"check": CheckType(check_type).label}
        return refused
