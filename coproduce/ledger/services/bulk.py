"""Many exchanges at once, all or none: ``bulk_post_exchanges`` (importers, the demo seeder;
checked row by row under one lock, written with bulk inserts) and
``record_exchanges_all_or_none`` (a coordinator's stack of paper timesheets, each row a
``record_exchange``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.communities.models import Community
from coproduce.insights import rollups  # issue 6: monthly roll-ups kept in the posting transaction
from coproduce.ledger.models import (
    MAX_LINE_MINUTES,
    MINUTE_STEP,
    AccountKind,
    Transfer,
    TransferKind,
    TransferStatus,
)
from coproduce.ledger.services.exchanges import record_exchange
from coproduce.ledger.services.posting import _LOCK_SQL, LockedAccount, _label, _limit_error
from coproduce.ledger.services.validation import community_today, is_coordinator
from coproduce.members.models import MembershipStatus


@dataclass(frozen=True)
class BulkRow:
    """One posted exchange for ``bulk_post_exchanges``: giver account gains, receiver pays."""

    giver_id: int
    receiver_id: int
    minutes: int
    performed_on: datetime.date
    idempotency_key: str
    category_id: int | None = None
    description: str = ""


def bulk_post_exchanges(community: Community, rows: Sequence[BulkRow], *, keyed_by,
                        batch_size: int = 5000) -> int:
    """Post many exchanges at once (importers, the demo seeder), keeping every invariant.

    All rows post or none. Under a lock on every account of the community, each row is checked
    (amount, step, date, different accounts of this community, limits simulated in row
    order), then transfers and entries are written with bulk inserts and the balances set
    once. Returns the number of transfers written.
    """
    if not rows:
        return 0
    today = community_today(community)
    with transaction.atomic():
        # Lock every account of the community (sorted pk order, like single postings).
        lock = " FOR UPDATE OF a" if connection.vendor == "postgresql" else ""
        with connection.cursor() as cursor:
            cursor.execute(_LOCK_SQL.format(where="a.community_id = %s", lock=lock), [community.pk])
            locked = {row[0]: LockedAccount(*row) for row in cursor.fetchall()}
        balances = {pk: row.balance for pk, row in locked.items()}
        inactive = {pk for pk, row in locked.items()
                    if row.membership_status is not None and row.membership_status != MembershipStatus.ACTIVE}
        start_balances = dict(balances)
        needs_check, holds_check = _bulk_safeguarding(community, rows)
        keyer_is_coordinator = None
        after: list[tuple[int, int]] = []
        for number, row in enumerate(rows, start=1):
            minutes = row.minutes
            check_type = needs_check.get(row.category_id)
            if check_type and (row.giver_id, check_type) not in holds_check:
                raise ValidationError(_("Row %(n)s: help in this category needs a valid safeguarding check, "
                                        "and the helper has none on record.") % {"n": number})
            if row.giver_id not in balances or row.receiver_id not in balances:
                raise ValidationError(_("Row %(n)s: that account belongs to another community.")
                                      % {"n": number})
            if row.giver_id in inactive or row.receiver_id in inactive:
                raise ValidationError(_("Row %(n)s: one of them is no longer a member here.") % {"n": number})
            if (not isinstance(minutes, int) or minutes <= 0 or minutes % MINUTE_STEP
                    or minutes > MAX_LINE_MINUTES or row.giver_id == row.receiver_id
                    or not community.started_on <= row.performed_on <= today or not row.idempotency_key):
                raise ValidationError(_("Row %(n)s is not a valid exchange.") % {"n": number})
            if locked[row.receiver_id].kind != AccountKind.MEMBER:
                # Credits issued by the pot or an organisation: the approval rules of single postings,
                # which the bulk path cannot hold for later, so such rows are refused instead.
                if locked[row.giver_id].user_id == keyed_by.pk:
                    raise ValidationError(_("Row %(n)s credits the person importing it from the pot or an "
                                            "organisation; record it on its own for a coordinator to approve.")
                                          % {"n": number})
                if minutes > community.approval_ceiling_minutes:
                    if keyer_is_coordinator is None:
                        keyer_is_coordinator = is_coordinator(keyed_by, community)
                    if not keyer_is_coordinator:
                        raise ValidationError(_("Row %(n)s is over the community's ceiling for one posting; "
                                                "record it on its own for a coordinator to approve.")
                                              % {"n": number})
            g = balances[row.giver_id] + minutes
            r = balances[row.receiver_id] - minutes
            for pk, old, new in ((row.giver_id, balances[row.giver_id], g),
                                 (row.receiver_id, balances[row.receiver_id], r)):
                low, high = locked[pk].low, locked[pk].high
                if (low is not None and new < low and new < old) or (high is not None and new > high and new > old):
                    error = _limit_error(_label(pk), low, high, old, new)
                    raise ValidationError(_("Row %(n)s: %(error)s") % {"n": number, "error": error.messages[0]})
            balances[row.giver_id], balances[row.receiver_id] = g, r
            after.append((g, r))
        now = timezone.now()
        transfer_ids = _allocate_transfer_ids(len(rows))
        transfers = (
            (tid, community.pk, TransferKind.EXCHANGE, TransferStatus.POSTED, row.performed_on,
             row.category_id, row.description, "", keyed_by.pk, row.idempotency_key, "[]", now, now)
            for tid, row in zip(transfer_ids, rows, strict=True))
        entries = (
            line
            for tid, row, (g, r) in zip(transfer_ids, rows, after, strict=True)
            for line in ((tid, row.giver_id, row.minutes, g), (tid, row.receiver_id, -row.minutes, r)))
        _insert_many("ledger_transfer", _BULK_TRANSFER_COLUMNS, transfers)
        _insert_many("ledger_entry", ("transfer_id", "account_id", "amount", "balance_after"), entries)
        # insights roll-ups, same transaction: aggregated per key, one upsert per key
        rollups.record_posted_lines(community.pk, ((row.giver_id, row.receiver_id, row.minutes, row.performed_on,
                                                    row.category_id) for row in rows))
        changed = [(pk, balance) for pk, balance in balances.items() if balance != start_balances[pk]]
        with connection.cursor() as cursor:
            for start in range(0, len(changed), 1000):
                chunk = changed[start:start + 1000]
                cursor.execute(
                    "UPDATE ledger_account SET balance = CASE id " + " ".join(["WHEN %s THEN %s"] * len(chunk))
                    + " END WHERE id IN (" + ", ".join(["%s"] * len(chunk)) + ")",
                    [v for pair in chunk for v in pair] + [pk for pk, _b in chunk])
        written = len(rows)
    return written


_BULK_TRANSFER_COLUMNS = (
    "id", "community_id", "kind", "status", "performed_on", "category_id", "description", "reason",
    "keyed_by_id", "idempotency_key", "proposed", "created_at", "posted_at")


def _bulk_safeguarding(community: Community, rows: Sequence[BulkRow]) -> tuple[dict, set]:
    """For the bulk path: which categories need which check, and which accounts' owners hold one.

    Two queries however many rows; the same rule as ``_check_givers_may_help``.
    """
    from coproduce.safeguarding.models import CategoryCheckRequirement, Check

    used = {row.category_id for row in rows if row.category_id}
    needs = dict(CategoryCheckRequirement.objects.filter(category_id__in=used)
                 .values_list("category_id", "check_type")) if used else {}
    if not needs:
        return {}, set()
    holds = set(Check.objects.valid().filter(membership__community=community, check_type__in=needs.values())
                .values_list("membership__ledger_accounts__pk", "check_type"))
    return needs, holds


def _allocate_transfer_ids(count: int) -> list[int]:
    """Reserve transfer ids so entries can point at transfers written in bulk."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence('ledger_transfer', 'id')) "
                           "FROM generate_series(1, %s)", [count])
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the IMMEDIATE transaction holds the write lock, so nobody else inserts.
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM ledger_transfer")
        first = cursor.fetchone()[0] + 1
        return list(range(first, first + count))


def _insert_many(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """COPY on PostgreSQL (the fastest path in), executemany elsewhere."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
                               list(rows))


class RowErrors(ValidationError):
    """A batch was refused; ``rows`` maps each bad row's index to its messages."""

    def __init__(self, rows: dict[int, list[str]]):
        self.rows = rows
        super().__init__(_("Nothing was posted: %(count)s row(s) need correcting.") % {"count": len(rows)})


def record_exchanges_all_or_none(*, community: Community, rows: Sequence[dict], keyed_by,
                                 idempotency_key: str) -> list[Transfer]:
    """A stack of paper timesheets keyed by a coordinator: every row posts, or none does.

    Each row is a ``record_exchange`` (so audited, limit-checked in order); row *i* uses the
    key ``<idempotency_key>-<i>``, so resubmitting the same batch posts nothing twice.
    """
    errors: dict[int, list[str]] = {}
    results: list[Transfer] = []

    class _Refused(Exception):
        pass

    try:
        with transaction.atomic():
            for i, row in enumerate(rows):
                try:
                    with transaction.atomic():
                        results.append(record_exchange(community=community, keyed_by=keyed_by,
                                                       idempotency_key=f"{idempotency_key}-{i}", **row))
                except ValidationError as error:
                    errors[i] = error.messages
            if errors:
                raise _Refused
    except _Refused:
        raise RowErrors(errors) from None
    return results
