"""Exchanges with members of a linked time bank (``coproduce.federation`` moves the messages).

Each linked bank has a clearing account here: a normal account whose limits are the ones the
two banks agreed, never the community's. A member here who received help from a member there
pays the clearing account (it rises: we owe that bank); a member here who gave help is paid by it
(it falls: that bank owes us). The other bank books the same crossing against its clearing
account for us, so the two clearing balances mirror each other (one is minus the other), and
``coproduce.federation``'s reconciliation checks that they do.

A crossing is booked once per side, keyed by its UUID; a crossing the other bank refuses is
undone here by a reversal (``undo_crossing``), so no minute is lost or created on either side.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coproduce.communities.models import Community
from coproduce.ledger.models import Account, AccountKind, Transfer, TransferKind, TransferStatus
from coproduce.ledger.services.accounts import account_for_membership
from coproduce.ledger.services.posting import _Draft, _existing, _post
from coproduce.ledger.services.validation import (
    check_date,
    check_minutes,
    community_today,
)
from coproduce.members.models import Membership


def _check_limits(we_may_owe: int, they_may_owe: int) -> None:
    for field, value in (("we_may_owe", we_may_owe), ("they_may_owe", they_may_owe)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValidationError({field: _("Enter a limit of zero minutes or more.")})


@transaction.atomic
def open_clearing_account(community: Community, *, name: str, we_may_owe: int, they_may_owe: int) -> Account:
    """A new clearing account for a linked bank, with the limits agreed each way: how much this
    community's members may take from that bank's members beyond what they gave, and the reverse."""
    _check_limits(we_may_owe, they_may_owe)
    if not name.strip():
        raise ValidationError({"name": _("Name the linked time bank.")})
    return Account.objects.create(
        community=community, kind=AccountKind.CLEARING, name=name.strip()[:200],
        min_override=-they_may_owe, max_override=we_may_owe,
        limit_reason=_("Agreed with %(bank)s when the banks were linked.") % {"bank": name.strip()[:200]})


@transaction.atomic
def set_clearing_limits(account: Account, *, we_may_owe: int, they_may_owe: int) -> Account:
    """New limits agreed with the linked bank. A balance already past a new limit stays (limits
    only refuse postings that move further away), as for every account."""
    _check_limits(we_may_owe, they_may_owe)
    account = Account.objects.select_for_update().get(pk=account.pk, kind=AccountKind.CLEARING)
    account.min_override, account.max_override = -they_may_owe, we_may_owe
    account.save(update_fields=["min_override", "max_override"])
    return account


def crossing_key(clearing: Account, uuid) -> str:
    # Per clearing account: the same UUID from two linked banks is two crossings.
    return f"crossing-{clearing.pk}-{uuid}"


def post_crossing(*, clearing: Account, member: Membership, member_gains: int, performed_on: datetime.date,
                  description: str, keyed_by, uuid) -> Transfer:
    """Book one side of a crossing: ``member_gains`` minutes to the member (negative: they pay),
    the opposite to the clearing account. Idempotent by the crossing's UUID; refused with a
    ValidationError (nothing written) past either account's limits or for a member who left.

    The caller has saved its crossing, unique by UUID, first, so a repeat seldom reaches here; one
    that does meets the transfer's unique key in ``_post``, which returns the first transfer. No
    look-up first and no savepoint of its own (``_post`` has one): two round trips fewer on every
    crossing, on each bank (bench_federation)."""
    if clearing.kind != AccountKind.CLEARING:
        raise ValueError("a crossing is booked against a clearing account")
    community = clearing.community
    key = crossing_key(clearing, uuid)
    with transaction.atomic(savepoint=False):
        check_minutes(abs(member_gains) if member_gains else 0)
        check_date(community, performed_on)
        if member.community_id != community.pk:
            raise ValidationError(_("That person is not a member here."))
        account = account_for_membership(member)
        return _post(_Draft(community=community, kind=TransferKind.CROSSING,
                            lines={account.pk: member_gains, clearing.pk: -member_gains},
                            keyed_by=keyed_by, idempotency_key=key, performed_on=performed_on,
                            description=description[:500]))


def undo_crossing(transfer: Transfer, *, keyed_by, reason: str) -> Transfer:
    """Reverse this side of a crossing the other bank refused (once, keyed by the original). A
    refusal is not a coordinator's correction, so no coordinator is needed; the reversal moves
    both accounts back towards where they were, so limits do not stand in its way."""
    if transfer.kind != TransferKind.CROSSING:
        raise ValueError("only a crossing is undone this way")
    key = f"undo-{transfer.pk}"
    with transaction.atomic():
        existing = _existing(transfer.community, key)
        if existing is not None:
            return existing
        original = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if original.status != TransferStatus.POSTED:
            raise ValueError("only a posted crossing is undone")
        already = Transfer.objects.filter(reverses=original).first()
        if already is not None:
            return already
        lines = {entry.account_id: -entry.amount for entry in original.entries.all()}
        return _post(_Draft(community=original.community, kind=TransferKind.REVERSAL, lines=lines,
                            keyed_by=keyed_by, idempotency_key=key,
                            performed_on=community_today(original.community), reason=reason[:500],
                            description=original.description, reverses=original))
