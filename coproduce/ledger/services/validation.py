"""The rules a line must pass before it is posted: minutes, dates, categories, safeguarding
checks for helpers, active membership, who is a coordinator; and how minutes are shown."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coproduce.communities.models import Category, Community
from coproduce.ledger import hooks
from coproduce.ledger.models import MAX_LINE_MINUTES, MINUTE_STEP, Account, AccountKind
from coproduce.lib.duration import format_duration
from coproduce.members.models import Membership, MembershipStatus


def format_minutes(minutes: int) -> str:
    """Minutes as people read them everywhere: "1 hour 30 minutes" (``coproduce.lib.duration``)."""
    return format_duration(minutes)


def check_minutes(minutes, *, cap: int | None = MAX_LINE_MINUTES, field: str = "minutes") -> int:
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise ValidationError({field: _("Enter a number of minutes above zero.")})
    if minutes % MINUTE_STEP:
        raise ValidationError({field: _("Record time in steps of 15 minutes.")})
    if cap is not None and minutes > cap:
        raise ValidationError({field: _("One line can be at most 24 hours.")})
    return minutes


def community_today(community: Community) -> datetime.date:
    return timezone.localdate(timezone=community_zone(community))


def community_zone(community: Community) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(community.time_zone)


def check_date(community: Community, performed_on: datetime.date) -> datetime.date:
    if not isinstance(performed_on, datetime.date):
        raise ValidationError({"performed_on": _("Enter the date it happened.")})
    if performed_on > community_today(community):
        raise ValidationError({"performed_on": _("The date cannot be in the future.")})
    if performed_on < community.started_on:
        raise ValidationError({"performed_on": _("The date cannot be before %(community)s started, on %(date)s.")
                               % {"community": community.name, "date": date_format(community.started_on, "j F Y")}})
    return performed_on


def _check_category(community: Community, category: Category | None) -> None:
    if category is not None and category.community_id != community.pk:
        raise ValidationError({"category": _("Choose one of this community's categories.")})


def check_givers_may_help(community: Community, category: Category | None,
                          giver_accounts: Iterable[Account]) -> None:
    """Ask the credit policies (``hooks``) whether the members among the givers may be credited
    for help in ``category`` (safeguarding: a category that needs a check is for helpers with one)."""
    if category is not None:
        hooks.check_credits(community, category,
                            [a.membership for a in giver_accounts if a.kind == AccountKind.MEMBER])


def _check_active(account: Account) -> None:
    if account.kind == AccountKind.MEMBER and account.membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("%(name)s is no longer a member here.") % {"name": account.label})


def _is_coordinator(user, community: Community) -> bool:
    if user.is_superuser:
        return True
    return Membership.objects.coordinators().filter(community=community, user=user).exists()


def is_coordinator(user, community: Community) -> bool:
    return _is_coordinator(user, community)
