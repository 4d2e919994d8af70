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
from coproduce.ledger import hooks
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
        lines = [hooks.BulkLine(row.giver_id, row.receiver_id, row.minutes, row.performed_on, row.category_id)
                 for row in rows]
        refused = hooks.refused_bulk_rows(community, lines, {pk: row.membership_id for pk, row in locked.items()
                                                             if row.membership_id is not None})
        keyer_is_coordinator = None
        after: list[tuple[int, int]] = []
        for number, row in enumerate(rows, start=1):
            minutes = row.minutes
            if number - 1 in refused:
                raise ValidationError(_("Row %(n)s: %(error)s") % {"n": number, "error": refused[number - 1]})
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
        _write_transfers(community, rows, after, keyed_by)
        hooks.posted_in_bulk(community.pk, lines, {pk: row.info for pk, row in locked.items()})
        # Every account that took part: its new balance and its latest exchange day.
        last_day: dict[int, datetime.date] = {}
        for row in rows:
            for pk in (row.giver_id, row.receiver_id):
                if pk not in last_day or last_day[pk] < row.performed_on:
                    last_day[pk] = row.performed_on
        touched = sorted(last_day)
        with connection.cursor() as cursor:
            for start in range(0, len(touched), 1000):
                chunk = touched[start:start + 1000]
                cursor.execute(
                    "UPDATE ledger_account SET balance = CASE id " + " ".join(["WHEN %s THEN %s"] * len(chunk))
                    + " END, last_exchange_on = CASE WHEN last_exchange_on IS NULL OR last_exchange_on < (CASE id "
                    + " ".join(["WHEN %s THEN %s"] * len(chunk)) + " END) THEN (CASE id "
                    + " ".join(["WHEN %s THEN %s"] * len(chunk)) + " END) ELSE last_exchange_on END"
                    + " WHERE id IN (" + ", ".join(["%s"] * len(chunk)) + ")",
                    [v for pk in chunk for v in (pk, balances[pk])]
                    + [v for pk in chunk for v in (pk, last_day[pk])] * 2 + chunk)
        written = len(rows)
    return written


_BULK_TRANSFER_COLUMNS = (
    "id", "community_id", "kind", "status", "performed_on", "category_id", "description", "reason",
    "keyed_by_id", "idempotency_key", "proposed", "created_at", "posted_at")


_ENTRY_COLUMNS = ("transfer_id", "account_id", "amount", "balance_after")


def _write_transfers(community: Community, rows: Sequence[BulkRow], after: list[tuple[int, int]],
                     keyed_by) -> None:
    """Insert the transfers and their entries (``after``: each row's two balances after it)."""
    now = timezone.now()
    transfer_ids = _allocate_transfer_ids(len(rows))
    if connection.vendor != "postgresql":
        _insert_many("ledger_transfer", _BULK_TRANSFER_COLUMNS, (
            (tid, community.pk, TransferKind.EXCHANGE, TransferStatus.POSTED, row.performed_on,
             row.category_id, row.description, "", keyed_by.pk, row.idempotency_key, "[]", now, now)
            for tid, row in zip(transfer_ids, rows, strict=True)))
        _insert_many("ledger_entry", _ENTRY_COLUMNS, (
            line for tid, row, (g, r) in zip(transfer_ids, rows, after, strict=True)
            for line in ((tid, row.giver_id, row.minutes, g), (tid, row.receiver_id, -row.minutes, r))))
        return
    # PostgreSQL: COPY lines in its text format, written here with what every row shares worked
    # out once (formatting field by field cost more than the COPY itself).
    head = f"{community.pk}\t{TransferKind.EXCHANGE}\t{TransferStatus.POSTED}"
    tail = f"\t{keyed_by.pk}\t%s\t[]\t{now.isoformat()}\t{now.isoformat()}"
    days: dict[datetime.date, str] = {}
    transfers = []
    for tid, row in zip(transfer_ids, rows, strict=True):
        day = days.get(row.performed_on) or days.setdefault(row.performed_on, row.performed_on.isoformat())
        category = "\\N" if row.category_id is None else row.category_id
        transfers.append(f"{tid}\t{head}\t{day}\t{category}\t{row.description.translate(_COPY_ESCAPES)}\t"
                         + tail % row.idempotency_key.translate(_COPY_ESCAPES))
    _copy_lines("ledger_transfer", _BULK_TRANSFER_COLUMNS, transfers)
    _copy_lines("ledger_entry", _ENTRY_COLUMNS, [
        f"{tid}\t{row.giver_id}\t{row.minutes}\t{g}\n{tid}\t{row.receiver_id}\t{-row.minutes}\t{r}"
        for tid, row, (g, r) in zip(transfer_ids, rows, after, strict=True)])


def _allocate_transfer_ids(count: int) -> list[int]:
    """Reserve transfer ids so entries can point at transfers written in bulk."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array rather than a row per id: the driver reads it in one go.
            cursor.execute("SELECT array_agg(nextval(pg_get_serial_sequence('ledger_transfer', 'id'))) "
                           "FROM generate_series(1, %s)", [count])
            return cursor.fetchone()[0]
        # SQLite: the IMMEDIATE transaction holds the write lock, so nobody else inserts.
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM ledger_transfer")
        first = cursor.fetchone()[0] + 1
        return list(range(first, first + count))


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_lines(table: str, columns: Sequence[str], lines: list[str]) -> None:
    """COPY already formatted lines (PostgreSQL's text format) in blocks."""
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for start in range(0, len(lines), 10_000):
            copy.write("\n".join(lines[start:start + 10_000]) + "\n")


def _insert_many(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """executemany: SQLite's fastest way in (PostgreSQL uses ``_copy_lines``)."""
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", list(rows))


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
