"""What erasing a person does to the ledger (issue 20): every entry and every balance stays.

- ``decline_open_for_erasure``: exchanges still waiting for a confirmation or a coordinator's
  approval that would move an erased member's minutes are declined first: nothing can reach their
  account after it is settled.
- ``settle_for_erasure``: the documented rule for an erased member's balance. Credits they hold
  are given to the community's pot; minutes they owe are written off by the pot. Either way one
  transfer of kind ``settlement`` (no hours: the figures leave it out), so the account ends at
  zero and the pot's balance says where the minutes went. Limits hold as for any posting: a pot
  at its floor refuses a write-off until a coordinator sets a limit exception for it.
- ``mask_texts``: the one change a posted transfer may undergo. The words of the descriptions and
  reasons an erased person wrote become ``REDACTED``, and their name in anyone's words becomes
  their pseudonym; amounts, dates, accounts and balances are untouched, so every statement still
  adds up. Written in plain SQL on purpose: the ORM refuses to change ledger rows.
"""

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from coproduce.ledger.models import Account, AccountKind, Transfer, TransferKind, TransferStatus
from coproduce.ledger.services.accounts import pot_for
from coproduce.ledger.services.posting import _Draft, _existing, _post
from coproduce.ledger.services.validation import community_today

REDACTED = "[erased]"
ERASED_PARTY = "A person in this exchange was erased."
TEXT_FIELDS = ("description", "reason", "hold_detail", "decline_reason")


def decline_open_for_erasure(account: Account, *, settled_by) -> int:
    """Decline the pending and held transfers whose lines touch ``account``; how many."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Decline inside the erasure's transaction.")
    waiting = (Transfer.objects.select_for_update()
               .filter(community_id=account.community_id, status__in=[TransferStatus.PENDING, TransferStatus.HELD])
               .order_by("pk"))
    declined = 0
    for transfer in waiting:
        if account.pk not in {pk for pk, _minutes in transfer.proposed}:
            continue
        transfer.status, transfer.settled_at, transfer.settled_by = TransferStatus.DECLINED, timezone.now(), settled_by
        transfer.decline_reason = ERASED_PARTY
        transfer.save(update_fields=["status", "settled_at", "settled_by", "decline_reason"])
        declined += 1
    return declined


def settle_for_erasure(account: Account, *, keyed_by) -> Transfer | None:
    """Bring an erased member's account to zero against the pot (None when it is at zero)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Settle inside the erasure's transaction.")
    account = Account.objects.select_for_update().get(pk=account.pk)
    if account.kind != AccountKind.MEMBER:
        raise ValueError("Only a member's account is settled on erasure.")
    key = f"erasure-settlement-{account.pk}"
    existing = _existing(account.community, key)
    if existing is not None or account.balance == 0:
        return existing
    pot = pot_for(account.community)
    return _post(_Draft(community=account.community, kind=TransferKind.SETTLEMENT,
                        lines={account.pk: -account.balance, pot.pk: account.balance}, keyed_by=keyed_by,
                        idempotency_key=key, performed_on=community_today(account.community)))


def mask_texts(*, written_by, name: str, pseudonym: str) -> int:
    """Redact the texts of the transfers ``written_by`` keyed, and put ``pseudonym`` for ``name`` in
    every other transfer's texts. Returns how many transfers changed."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Mask inside the erasure's transaction.")
    table = Transfer._meta.db_table
    changed = 0
    with connection.cursor() as cursor:
        sets = ", ".join(f"{field} = CASE WHEN {field} = '' THEN '' ELSE %s END" for field in TEXT_FIELDS)
        cursor.execute(f"UPDATE {table} SET {sets} WHERE keyed_by_id = %s",
                       [REDACTED] * len(TEXT_FIELDS) + [written_by.pk])
        changed += cursor.rowcount
        if name:
            mentions = Q()
            for field in TEXT_FIELDS:
                mentions |= Q(**{f"{field}__contains": name})
            ids = list(Transfer.objects.filter(mentions).exclude(keyed_by=written_by).values_list("pk", flat=True))
            sets = ", ".join(f"{field} = REPLACE({field}, %s, %s)" for field in TEXT_FIELDS)
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                cursor.execute(f"UPDATE {table} SET {sets} WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                               [value for _field in TEXT_FIELDS for value in (name, pseudonym)] + chunk)
                changed += cursor.rowcount
    return changed
