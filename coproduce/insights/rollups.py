"""Monthly roll-ups of posted transfers (issue 6, point 9), so dashboards never scan the ledger.

Kept up to date in the SAME transaction as the posting: the ledger service calls
``record_posted`` (or ``record_posted_lines`` on the bulk path) wherever a transfer becomes
posted; a reversal subtracts its original's minutes and count from the original's row,
so the figures are net of reversals. ``rebuild`` recomputes them from the ledger with one
aggregate query (``manage.py rebuild_rollups``); a test checks both ways agree.

Row key: community, month (first day of ``performed_on``'s month), category, area, type.
The area is the giving member's (the lowest area id among giving members; else the
receiving member's); the type follows the product brief's "Exchange type".

Beside them, ``MemberMonth`` keeps what each member gave and received in exchanges each
month (same transaction, same netting), which is what the per-member figures need.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction

from coproduce.insights.models import ExchangeType, MemberMonth, MonthlyRollup, PairMonth

EXCHANGE_TYPES = (ExchangeType.PERSON_TO_PERSON, ExchangeType.PERSON_TO_AGENCY,
                  ExchangeType.AGENCY_TO_AGENCY, ExchangeType.GROUP)

Key = tuple[int, datetime.date, int | None, int | None, str]
MemberKey = tuple[int, int, datetime.date]  # community, member account, month
MEMBER_KINDS = ("exchange", "group")  # what counts for active members, reciprocity and ties
PairKey = tuple[int, int, int, datetime.date]  # community, lower account, higher account, month
PARTY_KINDS = ("member", "organisation")


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def exchange_type(kind: str, parties: int, organisations: int) -> str:
    if kind in ("gift", "pot_grant"):
        return kind
    if parties > 2:
        return ExchangeType.GROUP
    if organisations == 0:
        return ExchangeType.PERSON_TO_PERSON
    if organisations == 1:
        return ExchangeType.PERSON_TO_AGENCY
    return ExchangeType.AGENCY_TO_AGENCY


def _accounts(account_ids: Iterable[int]) -> dict[int, tuple[str, int | None]]:
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT a.id, a.kind, m.area_id FROM ledger_account a "
                       "LEFT JOIN members_membership m ON m.id = a.membership_id "
                       "WHERE a.id IN (" + ", ".join(["%s"] * len(ids)) + ")", ids)
        return {pk: (kind, area) for pk, kind, area in cursor.fetchall()}


def _key(community_id, kind, performed_on, category_id, lines: dict[int, int], accounts) -> tuple[Key, int]:
    """(row key, minutes) of one non-reversal transfer with these lines."""
    givers = [accounts[pk][1] for pk, amount in lines.items() if amount > 0
              and accounts[pk][0] == "member" and accounts[pk][1] is not None]
    receivers = [accounts[pk][1] for pk, amount in lines.items() if amount < 0
                 and accounts[pk][0] == "member" and accounts[pk][1] is not None]
    area = min(givers) if givers else (min(receivers) if receivers else None)
    organisations = sum(1 for pk in lines if accounts[pk][0] == "organisation")
    kind_ = exchange_type(kind, len(lines), organisations)
    minutes = sum(amount for amount in lines.values() if amount > 0)
    return (community_id, month_of(performed_on), category_id, area, kind_), minutes


def _upsert(deltas: dict[Key, list[int]]) -> None:
    rows = [(key, d) for key, d in deltas.items() if d[0] or d[1]]
    if not rows:
        return
    params = []
    for (community_id, month, category_id, area_id, kind), (minutes, count) in rows:
        text = f"{community_id}:{month.isoformat()}:{category_id or '-'}:{area_id or '-'}:{kind}"
        params += [text, community_id, month, category_id, area_id, kind, minutes, count]
    table = MonthlyRollup._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, community_id, month, category_id, area_id, exchange_type, minutes, "
            "exchanges) VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
            + f" ON CONFLICT (key) DO UPDATE SET minutes = {table}.minutes + excluded.minutes, "
            f"exchanges = {table}.exchanges + excluded.exchanges", params)


def _member_deltas(community_id, kind, performed_on, lines: dict[int, int], accounts, sign: int
                   ) -> dict[MemberKey, list[int]]:
    """{(community, member account, month): [given, received]} for one transfer's lines."""
    deltas: dict[MemberKey, list[int]] = {}
    if kind not in MEMBER_KINDS:
        return deltas
    for pk, amount in lines.items():
        if accounts[pk][0] != "member":
            continue
        cell = deltas.setdefault((community_id, pk, month_of(performed_on)), [0, 0])
        if amount > 0:
            cell[0] += sign * amount
        else:
            cell[1] -= sign * amount
    return deltas


def _upsert_members(deltas: dict[MemberKey, list[int]]) -> None:
    items = list(deltas.items())
    table = MemberMonth._meta.db_table
    for start in range(0, len(items), 500):
        chunk = items[start:start + 500]
        params = []
        for (community_id, account_id, month), (given, received) in chunk:
            params += [f"{account_id}:{month.isoformat()}", community_id, account_id, month, given, received]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (key, community_id, account_id, month, given, received) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
                + f" ON CONFLICT (key) DO UPDATE SET given = {table}.given + excluded.given, "
                f"received = {table}.received + excluded.received", params)


def _pair_deltas(community_id, kind, performed_on, lines: dict[int, int], accounts, sign: int
                 ) -> dict[PairKey, int]:
    """{(community, low, high, month): exchanges}: each receiving party paired with each giving one."""
    if kind not in MEMBER_KINDS:
        return {}
    parties = [pk for pk in lines if accounts[pk][0] in PARTY_KINDS]
    givers = [pk for pk in parties if lines[pk] > 0]
    receivers = [pk for pk in parties if lines[pk] < 0]
    month = month_of(performed_on)
    return {(community_id, min(g, r), max(g, r), month): sign for g in givers for r in receivers if g != r}


def _upsert_pairs(deltas: dict[PairKey, int]) -> None:
    items = [(key, n) for key, n in deltas.items() if n]
    table = PairMonth._meta.db_table
    for start in range(0, len(items), 500):
        chunk = items[start:start + 500]
        params = []
        for (community_id, low, high, month), count in chunk:
            params += [f"{low}:{high}:{month.isoformat()}", community_id, low, high, month, count]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (key, community_id, low_id, high_id, month, exchanges) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
                + f" ON CONFLICT (key) DO UPDATE SET exchanges = {table}.exchanges + excluded.exchanges", params)


def record_posted(transfer, lines: dict[int, int] | None = None) -> None:
    """Add a just-posted transfer to its month (a reversal: subtract its original). Same transaction."""
    if lines is None:
        lines = {e.account_id: e.amount for e in transfer.entries.all()}
    sign = 1
    source = transfer
    if transfer.kind == "reversal":
        source = transfer.reverses
        sign = -1
        lines = {pk: -amount for pk, amount in lines.items()}  # the original's lines
    accounts = _accounts(lines)
    key, minutes = _key(source.community_id, source.kind, source.performed_on, source.category_id, lines, accounts)
    _upsert({key: [sign * minutes, sign]})
    _upsert_members(_member_deltas(source.community_id, source.kind, source.performed_on, lines, accounts, sign))
    _upsert_pairs(_pair_deltas(source.community_id, source.kind, source.performed_on, lines, accounts, sign))


def record_reversed(reversal, lines: dict[int, int] | None = None) -> None:
    """A reversal subtracts from its original's month: an alias of record_posted, for clarity."""
    record_posted(reversal, lines)


def record_posted_lines(community_id: int, rows: Iterable[tuple[int, int, int, datetime.date, int | None]]
                        ) -> None:
    """Bulk path: rows of (giver account, receiver account, minutes, performed_on, category);
    aggregated in Python, one upsert per key."""
    rows = list(rows)
    accounts = _accounts(pk for row in rows for pk in row[:2])
    deltas: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    members: dict[MemberKey, list[int]] = defaultdict(lambda: [0, 0])
    pairs: dict[PairKey, int] = defaultdict(int)
    for giver, receiver, minutes, performed_on, category_id in rows:
        lines = {giver: minutes, receiver: -minutes}
        key, _m = _key(community_id, "exchange", performed_on, category_id, lines, accounts)
        deltas[key][0] += minutes
        deltas[key][1] += 1
        for member_key, (given, received) in _member_deltas(community_id, "exchange", performed_on, lines,
                                                            accounts, 1).items():
            members[member_key][0] += given
            members[member_key][1] += received
        for pair_key, count in _pair_deltas(community_id, "exchange", performed_on, lines, accounts, 1).items():
            pairs[pair_key] += count
    keys = list(deltas)
    for start in range(0, len(keys), 500):
        _upsert({key: deltas[key] for key in keys[start:start + 500]})
    _upsert_members(members)
    _upsert_pairs(pairs)


# One row per posted transfer with what ``_key`` needs to classify it; ``where`` narrows it.
PER_TRANSFER_SQL = """
    SELECT t.id, t.community_id, t.kind, t.performed_on, t.category_id, t.reverses_id,
           COUNT(*) AS parties,
           SUM(CASE WHEN a.kind = 'organisation' THEN 1 ELSE 0 END) AS organisations,
           SUM(CASE WHEN e.amount > 0 THEN e.amount ELSE 0 END) AS minutes,
           MIN(CASE WHEN e.amount > 0 AND a.kind = 'member' THEN m.area_id END) AS giver_area,
           MIN(CASE WHEN e.amount < 0 AND a.kind = 'member' THEN m.area_id END) AS receiver_area
    FROM ledger_transfer t
    JOIN ledger_entry e ON e.transfer_id = t.id
    JOIN ledger_account a ON a.id = e.account_id
    LEFT JOIN members_membership m ON m.id = a.membership_id
    WHERE t.status = 'posted' {where}
    GROUP BY t.id, t.community_id, t.kind, t.performed_on, t.category_id, t.reverses_id
"""

_REBUILD_SQL = """
WITH per_transfer AS (""" + PER_TRANSFER_SQL + """)
SELECT o.community_id, o.performed_on, o.category_id, COALESCE(o.giver_area, o.receiver_area),
       o.kind, o.parties, o.organisations,
       SUM(CASE WHEN p.reverses_id IS NULL THEN o.minutes ELSE -o.minutes END),
       SUM(CASE WHEN p.reverses_id IS NULL THEN 1 ELSE -1 END)
FROM per_transfer p
JOIN per_transfer o ON o.id = COALESCE(p.reverses_id, p.id)
GROUP BY o.community_id, o.performed_on, o.category_id, COALESCE(o.giver_area, o.receiver_area),
         o.kind, o.parties, o.organisations
"""


@transaction.atomic
def rebuild(community=None) -> int:
    """Recompute the roll-ups (one community, or all) from the ledger; returns rows written."""
    where, params = "", []
    if community is not None:
        where, params = "AND t.community_id = %s", [community.pk]
    rollups = MonthlyRollup.objects.all() if community is None else MonthlyRollup.objects.filter(community=community)
    rollups.delete()
    with connection.cursor() as cursor:
        cursor.execute(_REBUILD_SQL.format(where=where), params)
        found = cursor.fetchall()
    deltas: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for community_id, performed_on, category_id, area_id, kind, parties, organisations, minutes, count in found:
        if isinstance(performed_on, str):
            performed_on = datetime.date.fromisoformat(performed_on)
        key = (community_id, month_of(performed_on), category_id, area_id, exchange_type(kind, parties, organisations))
        deltas[key][0] += int(minutes)
        deltas[key][1] += int(count)
    keys = [key for key, d in deltas.items() if d[0] or d[1]]
    for start in range(0, len(keys), 500):
        _upsert({key: deltas[key] for key in keys[start:start + 500]})
    _rebuild_members(community)
    _rebuild_pairs(community)
    return len(keys)


def _rebuild_members(community=None) -> None:
    """Recompute ``MemberMonth`` from the ledger: exchanges' member entries by month, less the
    entries of their reversals (which carry the opposite amounts)."""
    from django.db.models import Case, F, Sum, When
    from django.db.models.functions import TruncMonth

    from coproduce.ledger.models import Entry

    rows = MemberMonth.objects.all() if community is None else MemberMonth.objects.filter(community=community)
    rows.delete()
    entries = Entry.objects.filter(transfer__status="posted", account__kind="member")
    if community is not None:
        entries = entries.filter(transfer__community=community)
    positive = Sum(Case(When(amount__gt=0, then=F("amount")), default=0))
    negative = Sum(Case(When(amount__lt=0, then=-F("amount")), default=0))
    deltas: dict[MemberKey, list[int]] = defaultdict(lambda: [0, 0])
    originals = (entries.filter(transfer__kind__in=MEMBER_KINDS)
                 .values("account_id", "transfer__community_id", month=TruncMonth("transfer__performed_on"))
                 .annotate(given=positive, received=negative))
    reversals = (entries.filter(transfer__kind="reversal", transfer__reverses__kind__in=MEMBER_KINDS)
                 .values("account_id", "transfer__community_id",
                         month=TruncMonth("transfer__reverses__performed_on"))
                 .annotate(given=negative, received=positive))  # a reversal's amounts are the original's, negated
    for sign, found in ((1, originals), (-1, reversals)):
        for row in found:
            month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
            cell = deltas[(row["transfer__community_id"], row["account_id"], month)]
            cell[0] += sign * row["given"]
            cell[1] += sign * row["received"]
    _upsert_members({key: d for key, d in deltas.items() if d[0] or d[1]})


def _rebuild_pairs(community=None) -> None:
    """Recompute ``PairMonth`` from the ledger: every posted exchange that was not reversed, each
    receiving party paired with each giving one, by month."""
    from coproduce.insights.network import ledger_pairs

    rows = PairMonth.objects.all() if community is None else PairMonth.objects.filter(community=community)
    rows.delete()
    deltas: dict[PairKey, int] = defaultdict(int)
    for community_id, low, high, day, count in ledger_pairs(community):
        deltas[(community_id, low, high, month_of(day))] += count
    _upsert_pairs(deltas)
