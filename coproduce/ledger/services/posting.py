"""Writing one transfer: locks in sorted order, limits (and a coordinator's limit exceptions),
idempotency keys, and the plain-SQL writes of transfers, entries and balances.

Every other module of the package posts through ``_post`` (or, for a pending exchange being
confirmed, ``_apply_lines`` and ``_write_entries``); the bulk path reuses the lock query.
"""

from __future__ import annotations

import datetime
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.communities.models import Category, Community
from coproduce.ledger import hooks
from coproduce.ledger.models import (
    HIGH_LIMIT_SQL,
    LAST_EXCHANGE_SQL,
    LOW_LIMIT_SQL,
    Account,
    AccountKind,
    HoldReason,
    Transfer,
    TransferKind,
    TransferStatus,
)
from coproduce.ledger.services.validation import _is_coordinator, format_minutes
from coproduce.members.models import MembershipStatus


def new_key() -> str:
    """A fresh idempotency key, for forms (rendered into a hidden field) and scripts."""
    return secrets.token_urlsafe(24)


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Ledger locks are taken only inside transaction.atomic().")


def _lock(account_ids: Iterable[int]) -> dict[int, Account]:
    """Lock accounts in ascending pk order and return them with fresh balances."""
    _require_transaction()
    locked = (
        Account.objects.select_for_update(of=("self",))
        .select_related("membership__user", "organisation", "community")
        .filter(pk__in=sorted(set(account_ids)))
        .order_by("pk")
    )
    return {account.pk: account for account in locked}


def _limit_error(label: str, low: int | None, high: int | None, balance: int,
                 new_balance: int) -> ValidationError | None:
    """The error for a move past a limit; a move back towards the limit is allowed."""
    if low is not None and new_balance < low and new_balance < balance:
        return ValidationError(
            _("This would take %(account)s below their lowest balance of %(limit)s "
              "(balance now %(balance)s)."),
            code="limit", params={"account": label, "limit": format_minutes(low),
                                  "balance": format_minutes(balance)})
    if high is not None and new_balance > high and new_balance > balance:
        return ValidationError(
            _("This would take %(account)s above their highest balance of %(limit)s "
              "(balance now %(balance)s)."),
            code="limit", params={"account": label, "limit": format_minutes(high),
                                  "balance": format_minutes(balance)})
    return None


def _label(account_id: int) -> str:
    return Account.objects.select_related("membership__user", "organisation").get(pk=account_id).label


@transaction.atomic
def set_limit_exception(account: Account, *, actor, min_minutes: int | None, max_minutes: int | None,
                        reason: str) -> Account:
    """A coordinator's per-account limit exception (None restores the community limit)."""
    if min_minutes is not None and min_minutes > 0:
        raise ValidationError(_("The lowest balance must be zero or below."))
    if max_minutes is not None and max_minutes < 0:
        raise ValidationError(_("The highest balance must be zero or above."))
    reason = reason.strip()
    if (min_minutes is not None or max_minutes is not None) and not reason:
        raise ValidationError({"reason": _("Give a reason for the exception.")})
    account = _lock([account.pk])[account.pk]
    before = [account.min_override, account.max_override]
    account.min_override, account.max_override = min_minutes, max_minutes
    account.limit_reason = reason if (min_minutes is not None or max_minutes is not None) else ""
    account.save(update_fields=["min_override", "max_override", "limit_reason"])
    record_audit(actor=actor, action=AuditAction.LIMIT_EXCEPTION, community=account.community,
                 on_behalf_of=account.membership.user if account.membership_id else None,
                 subject=account.label, before=before, after=[min_minutes, max_minutes], reason=reason)
    return account


def _check_key(key: str) -> str:
    if not key or len(key) > 64:
        raise ValidationError(_("This form has expired; please fill it in again."))
    return key


def _existing(community: Community, key: str) -> Transfer | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM ledger_transfer WHERE community_id = %s AND idempotency_key = %s",
                       [community.pk, key])
        row = cursor.fetchone()
    return None if row is None else Transfer.objects.get(pk=row[0])


@dataclass
class _Draft:
    community: Community
    kind: str
    lines: dict[int, int]  # account id → minutes (positive: gains)
    keyed_by: object
    idempotency_key: str
    performed_on: datetime.date
    category: Category | None = None
    description: str = ""
    reason: str = ""
    on_behalf_of: object = None
    reverses: Transfer | None = None
    # A rule the calling service checked that needs a coordinator's approval (``HoldReason``),
    # with the words shown in the queue.
    hold_reason: str = ""
    hold_detail: str = ""
    # Each account's kind, when the caller has them at hand: lets ``_post`` see that nothing can
    # be held and keep the accounts locked for less time.
    kinds: dict[int, str] = field(default_factory=dict)


# The posting hot path uses plain SQL for the lock and the entry/balance writes: the ORM's
# query compilation cost more than the database work (bench_ledger measures the difference).
_LOCK_SQL = f"""
    SELECT a.id, a.balance, a.community_id, m.status, {LOW_LIMIT_SQL}, {HIGH_LIMIT_SQL}, a.kind, m.user_id,
           a.membership_id, m.area_id
    FROM ledger_account a
    JOIN communities_community c ON c.id = a.community_id
    LEFT JOIN members_membership m ON m.id = a.membership_id
    WHERE {{where}} ORDER BY a.id{{lock}}
"""


class LockedAccount(NamedTuple):
    """One row of ``_LOCK_SQL``: an account as it stands under the lock."""

    pk: int
    balance: int
    community_id: int
    membership_status: str | None
    low: int | None
    high: int | None
    kind: str
    user_id: int | None
    membership_id: int | None
    area_id: int | None

    @property
    def info(self) -> hooks.AccountInfo:
        return hooks.AccountInfo(self.kind, self.user_id, self.membership_id, self.area_id)


def _lock_lines(lines: dict[int, int]) -> dict[int, LockedAccount]:
    """Lock the accounts of a transfer's lines in sorted pk order and read them afresh."""
    if sum(lines.values()) != 0:
        raise ValueError("a transfer's lines must sum to zero")
    _require_transaction()
    ids = sorted(lines)
    lock = " FOR UPDATE OF a" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_SQL.format(where="a.id IN (" + ", ".join(["%s"] * len(ids)) + ")", lock=lock),
                       ids)
        rows = [LockedAccount(*row) for row in cursor.fetchall()]
    if len(rows) != len(ids) or len({row.community_id for row in rows}) != 1:
        raise ValidationError(_("One of the accounts does not exist."))
    for row in rows:
        if row.membership_status is not None and row.membership_status != MembershipStatus.ACTIVE:
            raise ValidationError(_("%(name)s is no longer a member here.") % {"name": _label(row.pk)})
    return {row.pk: row for row in rows}


def _new_balances(lines: dict[int, int], locked: dict[int, LockedAccount]) -> dict[int, int]:
    """The balances after the lines, or a ValidationError naming every limit they would cross."""
    errors, balances = [], {}
    for pk, row in locked.items():
        new_balance = row.balance + lines[pk]
        if (row.low is not None and new_balance < row.low) or (row.high is not None and new_balance > row.high):
            error = _limit_error(_label(pk), row.low, row.high, row.balance, new_balance)
            if error:
                errors.append(error)
        balances[pk] = new_balance
    if errors:
        raise ValidationError(errors)
    return balances


def _publish_posted(transfer: Transfer, lines: dict[int, int], locked: dict[int, LockedAccount], *,
                    actor, waited: bool = False) -> None:
    """Tell the apps above that ``transfer`` is posted: now, inside the transaction (the roll-ups),
    and after commit (side effects). Every path that posts a transfer ends here."""
    hooks.posted(transfer, lines, {pk: row.info for pk, row in locked.items()})
    hooks.after_commit(hooks.Event(hooks.POSTED, transfer, actor=actor, waited=waited))


def _post_lines(transfer: Transfer, lines: dict[int, int], *, actor, now) -> None:
    """Post a pending or held transfer's lines now: locks, limits, entries, its status."""
    locked = _lock_lines(lines)
    balances = _new_balances(lines, locked)
    transfer.status = TransferStatus.POSTED
    transfer.posted_at = transfer.settled_at = now
    transfer.save(update_fields=["status", "posted_at", "settled_at", "settled_by"])
    _write_entries(transfer, lines, balances)
    _publish_posted(transfer, lines, locked, actor=actor, waited=True)


# Kinds that count as an exchange for ``Account.last_exchange_on`` (and the insights' outreach).
EXCHANGE_KINDS = (TransferKind.EXCHANGE, TransferKind.GROUP)
LATER_DAY_SQL = "CASE WHEN last_exchange_on IS NULL OR last_exchange_on < %s THEN %s ELSE last_exchange_on END"


def _write_entries(transfer: Transfer, lines: dict[int, int], balances: dict[int, int]) -> None:
    """Write a posted transfer's entries and set its accounts' cached balances and last exchange
    day (in the same UPDATE, so an exchange costs no extra statement)."""
    ids = sorted(lines)
    entry_params, case_params = [], []
    for pk in ids:
        entry_params += [transfer.pk, pk, lines[pk], balances[pk]]
        case_params += [pk, balances[pk]]
    exchanged = transfer.kind in EXCHANGE_KINDS
    day = transfer.performed_on
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO ledger_entry (transfer_id, account_id, amount, balance_after) VALUES "
                       + ", ".join(["(%s, %s, %s, %s)"] * len(ids)), entry_params)
        cursor.execute("UPDATE ledger_account SET balance = CASE id "
                       + " ".join(["WHEN %s THEN %s"] * len(ids))
                       + (" END, last_exchange_on = " + LATER_DAY_SQL if exchanged else " END")
                       + " WHERE id IN (" + ", ".join(["%s"] * len(ids)) + ")",
                       case_params + ([day, day] if exchanged else []) + ids)
        if transfer.kind == TransferKind.REVERSAL:
            # The reversed exchange no longer counts: work the day out again from what is left.
            cursor.execute("UPDATE ledger_account SET last_exchange_on = ("
                           + LAST_EXCHANGE_SQL.format(account="ledger_account.id")
                           + ") WHERE id IN (" + ", ".join(["%s"] * len(ids)) + ")", ids)


_TRANSFER_COLUMNS = (
    "community_id", "kind", "status", "performed_on", "category_id", "description", "reason",
    "keyed_by_id", "on_behalf_of_id", "idempotency_key", "reverses_id", "proposed", "awaiting_id",
    "created_at", "posted_at", "hold_reason", "hold_detail", "decline_reason")


def _insert_transfer(transfer: Transfer) -> Transfer:
    """INSERT one transfer with plain SQL (the ORM's save() costs more than the insert)."""
    transfer.created_at = timezone.now()
    values = [getattr(transfer, column) for column in _TRANSFER_COLUMNS]
    values[_TRANSFER_COLUMNS.index("proposed")] = json.dumps(transfer.proposed)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO ledger_transfer ({', '.join(_TRANSFER_COLUMNS)}) VALUES "
                       f"({', '.join(['%s'] * len(_TRANSFER_COLUMNS))}) RETURNING id", values)
        transfer.pk = cursor.fetchone()[0]
    transfer._state.adding = False
    transfer._state.db = connection.alias
    transfer._loaded_status = transfer.status
    return transfer


def _approval_needed(draft: _Draft, lines: dict[int, int],
                     locked: dict[int, LockedAccount]) -> tuple[str, str] | None:
    """Why a posting from the pot or an organisation must wait for a coordinator, if it must.

    Credits issued by the pot or an organisation are the only way minutes enter a member's
    hands without another member paying, so two rules guard them: nobody credits themselves
    (self-dealing), and nobody but a coordinator credits one person more than the community's
    ceiling in one posting. A reversal only undoes a posted transfer, so it issues nothing new.
    """
    if draft.kind == TransferKind.REVERSAL:
        return None
    # A linked bank's clearing account issues nothing: a member of that bank paid.
    issuers = [row for pk, row in locked.items()
               if lines[pk] < 0 and row.kind not in (AccountKind.MEMBER, AccountKind.CLEARING)]
    if not issuers:
        return None
    credited = {row.user_id: pk for pk, row in locked.items() if lines[pk] > 0 and row.user_id is not None}
    if draft.keyed_by.pk in credited:
        return HoldReason.SELF_DEALING, _("%(name)s recorded credits for themselves.") % {
            "name": _label(credited[draft.keyed_by.pk])}
    ceiling = draft.community.approval_ceiling_minutes
    over = [pk for pk in credited.values() if lines[pk] > ceiling]
    if over and not _is_coordinator(draft.keyed_by, draft.community):
        return HoldReason.OVER_CEILING, _("%(name)s would be credited %(minutes)s; the ceiling is "
                                          "%(ceiling)s.") % {
            "name": _label(over[0]), "minutes": format_minutes(lines[over[0]]),
            "ceiling": format_minutes(ceiling)}
    return None


def _issues_nothing(draft: _Draft, lines: dict[int, int]) -> bool:
    """Whether the caller says (``draft.kinds``) that only members' accounts pay in this transfer,
    so ``_approval_needed`` has nothing to hold whatever the accounts' balances."""
    return bool(draft.kinds) and all(draft.kinds.get(pk) == AccountKind.MEMBER
                                     for pk, amount in lines.items() if amount < 0)


def _new_transfer(draft: _Draft, status: str, lines: dict[int, int], awaiting, *, hold) -> Transfer:
    posted = status == TransferStatus.POSTED
    return Transfer(
        community=draft.community, kind=draft.kind, status=status,
        performed_on=draft.performed_on, category=draft.category,
        description=draft.description.strip(), reason=draft.reason.strip(),
        keyed_by=draft.keyed_by, on_behalf_of=draft.on_behalf_of,
        idempotency_key=draft.idempotency_key, reverses=draft.reverses,
        proposed=[] if posted else sorted([pk, amount] for pk, amount in lines.items()),
        awaiting=awaiting, posted_at=timezone.now() if posted else None,
        hold_reason=hold[0] if hold else "", hold_detail=hold[1][:500] if hold else "",
    )


def _post(draft: _Draft, *, status: str = TransferStatus.POSTED, awaiting: Account | None = None,
          then=None) -> Transfer:
    """Write one transfer, idempotently: posted with entries, pending with proposed lines, or held
    for a coordinator's approval (``_approval_needed``, or a rule the caller named in the draft).

    Callers have already looked the key up; a concurrent twin is caught by the unique
    constraint. ``then(transfer)`` runs in the same transaction (for the audit entry).
    """
    _check_key(draft.idempotency_key)
    lines = {pk: amount for pk, amount in draft.lines.items() if amount}
    if len(lines) < 2:
        raise ValidationError(_("A transfer needs two different accounts."))
    try:
        with transaction.atomic():
            if status == TransferStatus.POSTED and not draft.hold_reason and _issues_nothing(draft, lines):
                # Nothing here can wait for a coordinator, so the transfer and the caller's audit
                # entry are written before the accounts are locked: the locks (on rows that every
                # posting at a busy venue shares) are held only for the entries, the balances and
                # the roll-ups, and a venue's tills queue for less time (bench_rewards).
                transfer = _insert_transfer(_new_transfer(draft, status, lines, awaiting, hold=None))
                if then is not None:
                    then(transfer)
                locked = _lock_lines(lines)
                _write_entries(transfer, lines, _new_balances(lines, locked))
                _publish_posted(transfer, lines, locked, actor=draft.keyed_by)
                return transfer
            locked = _lock_lines(lines)
            hold = ((draft.hold_reason, draft.hold_detail) if draft.hold_reason
                    else _approval_needed(draft, lines, locked) if status == TransferStatus.POSTED else None)
            if hold:
                status = TransferStatus.HELD
            posted = status == TransferStatus.POSTED
            if posted:
                balances = _new_balances(lines, locked)
            transfer = _insert_transfer(_new_transfer(draft, status, lines, awaiting, hold=hold))
            if posted:
                _write_entries(transfer, lines, balances)
                _publish_posted(transfer, lines, locked, actor=draft.keyed_by)
            elif status == TransferStatus.HELD:
                hooks.after_commit(hooks.Event(hooks.HELD, transfer, actor=draft.keyed_by))
            if then is not None:
                then(transfer)
    except IntegrityError:
        # Lost a race with the same key: show the first result.
        existing = _existing(draft.community, draft.idempotency_key)
        if existing is None:
            raise
        return existing
    return transfer
