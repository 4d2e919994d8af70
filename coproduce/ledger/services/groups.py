"""Group exchanges: a class (one giver, many receivers sharing the cost) or an event (many
givers, one receiver), posted as one transfer."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.communities.models import Category, Community
from coproduce.ledger.models import MINUTE_STEP, Transfer, TransferKind
from coproduce.ledger.services.accounts import Party, _owner_user, account_of, pot_for
from coproduce.ledger.services.posting import _Draft, _existing, _post
from coproduce.ledger.services.validation import (
    _check_active,
    _check_category,
    _is_coordinator,
    check_date,
    check_givers_may_help,
    check_minutes,
)


def split_shares(minutes: int, parties: int) -> list[int]:
    """Split ``minutes`` into ``parties`` shares in 15-minute steps, summing exactly.

    Rule: every share is ``minutes / parties`` rounded down to a 15-minute step; the
    remaining 15-minute steps go one each to the first parties in the order given (for a
    group exchange, the order the receivers were listed). A share may be 0 when there are
    more parties than steps; such a party pays nothing and gets no entry.
    """
    steps = minutes // MINUTE_STEP
    base, extra = divmod(steps, parties)
    return [(base + (1 if i < extra else 0)) * MINUTE_STEP for i in range(parties)]


@transaction.atomic
def record_group_exchange(*, community: Community, givers: Sequence[tuple[Party, int]],
                          receivers: Sequence[Party], performed_on: datetime.date, keyed_by,
                          idempotency_key: str, paid_by_pot: bool = False,
                          category: Category | None = None, description: str = "",
                          authority: str = "", hold_reason: str = "", hold_detail: str = "") -> Transfer:
    """A class (one giver, many receivers) or an event (many givers, one receiver).

    One giver: the giver gains their minutes; each receiver pays a share
    (``split_shares``), or the pot pays it all when ``paid_by_pot``. Many givers: each giver
    gains their own minutes and the single receiver pays the total. Posted at once; keyed by a
    coordinator, or by the single receiver of an event.

    ``authority`` names a rule the calling service has checked that lets ``keyed_by`` record
    it without being a coordinator (for example "staff of Riverside Surgery" confirming an
    opportunity's attendance, or "facilitator of Carers' circle"); it is audited.
    ``hold_reason`` (a ``HoldReason``, with ``hold_detail`` in words) is a rule of the calling
    service that sends it to the coordinators' approval queue instead of posting it at once;
    the ledger's own approval rules apply as well (``posting._approval_needed``).
    """
    existing = _existing(community, idempotency_key)
    if existing is not None:
        return existing
    check_date(community, performed_on)
    _check_category(community, category)
    if not givers or not receivers or (len(givers) > 1 and len(receivers) > 1):
        raise ValidationError(_("A group exchange has one giver and several receivers, or several "
                                "givers and one receiver."))
    giver_lines = []
    for party, minutes in givers:
        check_minutes(minutes)
        giver_lines.append((account_of(party, community), minutes))
    receiver_accounts = [account_of(party, community) for party in receivers]
    ids = [a.pk for a, _m in giver_lines] + [a.pk for a in receiver_accounts]
    if len(set(ids)) != len(ids):
        raise ValidationError(_("Each person can appear only once, and not on both sides."))
    for account in [a for a, _m in giver_lines] + receiver_accounts:
        _check_active(account)
    check_givers_may_help(community, category, [a for a, _m in giver_lines])
    lines = {account.pk: minutes for account, minutes in giver_lines}
    total = sum(lines.values())
    if len(receiver_accounts) == 1:
        lines[receiver_accounts[0].pk] = -total
    elif paid_by_pot:
        lines[pot_for(community).pk] = -total
    else:
        for account, share in zip(receiver_accounts, split_shares(total, len(receiver_accounts)),
                                  strict=True):
            lines[account.pk] = -share
    single_receiver_user = _owner_user(receiver_accounts[0]) if len(receiver_accounts) == 1 else None
    keyed_by_receiver = single_receiver_user is not None and single_receiver_user.pk == keyed_by.pk
    authority = authority.strip()
    if not keyed_by_receiver and not authority and not _is_coordinator(keyed_by, community):
        raise ValidationError(_("Ask a coordinator to record a group exchange."))
    draft = _Draft(community=community, kind=TransferKind.GROUP, lines=lines, keyed_by=keyed_by,
                   idempotency_key=idempotency_key, performed_on=performed_on, category=category,
                   description=description, hold_reason=hold_reason, hold_detail=hold_detail)
    transfer = _post(draft)
    if not keyed_by_receiver:
        record_audit(actor=keyed_by, action=AuditAction.EXCHANGE_RECORDED_FOR, community=community,
                     subject=str(transfer), transfer=transfer.pk, minutes=total,
                     **({"authority": authority} if authority else {}))
    return transfer
