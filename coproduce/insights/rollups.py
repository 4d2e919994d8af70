"""Monthly roll-ups of posted transfers (issue 6, point 9), so dashboards never scan the ledger.

Kept up to date in the SAME transaction as the posting: the ledger calls ``record_posted``
(or ``record_posted_lines`` on the bulk path) wherever a transfer becomes posted; a
reversal subtracts its original's rows, so the figures are net of reversals. ``rebuild``
recomputes them from the ledger with one aggregate query (``manage.py rebuild_rollups``);
a test checks both ways agree.

Row key: community, month (first day of ``performed_on``'s month), category, area, type.
The area is the GIVER's (product brief, "By area": each giver's minutes count in that
giver's own area, a member's or an organisation's; the pot has none), so one transfer
whose givers live in two areas makes two rows. Per row: ``minutes`` given by the givers in
that area, ``givers`` (how many of them: the "by area" count) and ``exchanges``, which is 1
on exactly one of the transfer's rows (its lowest giver area, "no area" first), so summing
``exchanges`` over any other key counts each exchange once. The type follows the brief's
"Exchange type" (``exchange_type``).

Beside them, ``MemberMonth`` keeps what each member gave and received in exchanges each
month (same transaction, same netting), which is what the per-member figures need, and
``PairMonth`` the exchanges between each pair of parties (the network's ties; a party paired
with the pot is a node without a tie).

Semantics changed in issue 11 (area per giver, the community type, pot pairs): migration
``insights.0010_rebuild_rollups`` rebuilds existing databases once.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction

from coproduce.insights.models import ExchangeType, MemberMonth, MonthlyRollup, PairMonth

EXCHANGE_TYPES = (ExchangeType.PERSON_TO_PERSON, ExchangeType.PERSON_TO_AGENCY,
                  ExchangeType.AGENCY_TO_AGENCY, ExchangeType.COMMUNITY, ExchangeType.GROUP)

Key = tuple[int, datetime.date, int | None, int | None, str]
Delta = list[int]  # [minutes, exchanges, givers]
MemberKey = tuple[int, int, datetime.date]  # community, member account, month
MEMBER_KINDS = ("exchange", "group")  # what counts for active members, reciprocity and ties
PairKey = tuple[int, int, int, datetime.date]  # community, lower account, higher account, month
# Parties paired in PairMonth: members and organisations are the network's nodes; a pair with
# the pot makes its other party a node (it exchanged) without a tie.
PARTY_KINDS = ("member", "organisation", "pot")
# An erased member's balance settled with the pot is no exchange, gift or grant: the figures leave
# it out, so they read the same before and after an erasure.
NOT_COUNTED = ("settlement",)


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def exchange_type(kind: str, parties: int, organisations: int, pots: int = 0) -> str:
    """The product brief's exchange type: the pot on one side makes it a community exchange
    (a session paid from the pot, whatever its size); otherwise more than two parties a group;
    otherwise by how many sides are organisations."""
    if kind in ("gift", "pot_grant", "crossing"):
        return kind
    if pots:
        return ExchangeType.COMMUNITY
    if parties > 2:
        return ExchangeType.GROUP
    if organisations == 0:
        return ExchangeType.PERSON_TO_PERSON
    if organisations == 1:
        return ExchangeType.PERSON_TO_AGENCY
    return ExchangeType.AGENCY_TO_AGENCY


def _accounts(account_ids: Iterable[int]) -> dict[int, tuple[str, int | None]]:
    """{account: (kind, area)}: a member's area, an organisation's area, none for the pot."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT a.id, a.kind, COALESCE(m.area_id, o.area_id) FROM ledger_account a "
                       "LEFT JOIN members_membership m ON m.id = a.membership_id "
                       "LEFT JOIN partners_organisation o ON o.id = a.organisation_id "
                       "WHERE a.id IN (" + ", ".join(["%s"] * len(ids)) + ")", ids)
        return {pk: (kind, area) for pk, kind, area in cursor.fetchall()}


def _rows(community_id, kind, performed_on, category_id, lines: dict[int, int], accounts) -> dict[Key, Delta]:
    """{row key: [minutes, exchanges, givers]} of one non-reversal transfer with these lines."""
    organisations = sum(1 for pk in lines if accounts[pk][0] == "organisation")
    pots = sum(1 for pk in lines if accounts[pk][0] == "pot")
    kind_ = exchange_type(kind, len(lines), organisations, pots)
    month = month_of(performed_on)
    rows: dict[Key, Delta] = {}
    for pk, amount in lines.items():
        if amount > 0:
            cell = rows.setdefault((community_id, month, category_id, accounts[pk][1], kind_), [0, 0, 0])
            cell[0] += amount
            cell[2] += 1
    first = min(rows, key=lambda key: key[3] or 0)  # the lowest giver area, "no area" first (as in SQL)
    rows[first][1] = 1
    return rows


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


Statement = tuple[str, list]


def _rollup_statement(rows: list[tuple[Key, Delta]]) -> Statement:
    params = []
    for (community_id, month, category_id, area_id, kind), (minutes, count, givers) in rows:
        text = f"{community_id}:{month.isoformat()}:{category_id or '-'}:{area_id or '-'}:{kind}"
        params += [text, community_id, month, category_id, area_id, kind, minutes, count, givers]
    table = MonthlyRollup._meta.db_table
    return (f"INSERT INTO {table} (key, community_id, month, category_id, area_id, exchange_type, minutes, "
            "exchanges, givers) VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
            + f" ON CONFLICT (key) DO UPDATE SET minutes = {table}.minutes + excluded.minutes, "
            f"exchanges = {table}.exchanges + excluded.exchanges, givers = {table}.givers + excluded.givers",
            params)


def _member_statement(rows: list[tuple[MemberKey, list[int]]]) -> Statement:
    params = []
    for (community_id, account_id, month), (given, received) in rows:
        params += [f"{account_id}:{month.isoformat()}", community_id, account_id, month, given, received]
    table = MemberMonth._meta.db_table
    return (f"INSERT INTO {table} (key, community_id, account_id, month, given, received) VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
            + f" ON CONFLICT (key) DO UPDATE SET given = {table}.given + excluded.given, "
            f"received = {table}.received + excluded.received", params)


def _pair_statement(rows: list[tuple[PairKey, int]]) -> Statement:
    params = []
    for (community_id, low, high, month), count in rows:
        params += [f"{low}:{high}:{month.isoformat()}", community_id, low, high, month, count]
    table = PairMonth._meta.db_table
    return (f"INSERT INTO {table} (key, community_id, low_id, high_id, month, exchanges) VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
            + f" ON CONFLICT (key) DO UPDATE SET exchanges = {table}.exchanges + excluded.exchanges", params)


CHUNK = 500  # rows per statement on the bulk path and in rebuilds
MAX_PARAMS = 30_000  # joined into one statement up to this many parameters (PostgreSQL allows 65,535)


def _statements(deltas: dict[Key, Delta], members: dict[MemberKey, list[int]],
                pairs: dict[PairKey, int]) -> list[Statement]:
    """The upserts that add these deltas, skipping rows that change nothing."""
    statements = []
    for build, items in ((_rollup_statement, [(k, d) for k, d in deltas.items() if any(d)]),
                         (_member_statement, [(k, d) for k, d in members.items() if any(d)]),
                         (_pair_statement, [(k, n) for k, n in pairs.items() if n])):
        statements += [build(items[i:i + CHUNK]) for i in range(0, len(items), CHUNK)]
    return statements


def _execute(statements: list[Statement]) -> None:
    """Run the upserts. On PostgreSQL a posting's few upserts go as one statement (data-modifying
    WITH clauses), so the roll-ups cost one round trip per posting instead of three."""
    if not statements:
        return
    with connection.cursor() as cursor:
        if (connection.vendor == "postgresql" and len(statements) > 1
                and sum(len(params) for _text, params in statements) <= MAX_PARAMS):
            *first, last = statements
            sql = "WITH " + ", ".join(f"u{i} AS ({text})" for i, (text, _p) in enumerate(first)) + " " + last[0]
            cursor.execute(sql, [param for _text, params in statements for param in params])
            return
        for text, params in statements:
            cursor.execute(text, params)


def _upsert_chunked(deltas: dict[Key, Delta]) -> None:
    _execute(_statements(deltas, {}, {}))


def _upsert_members(deltas: dict[MemberKey, list[int]]) -> None:
    _execute(_statements({}, deltas, {}))


def _upsert_pairs(deltas: dict[PairKey, int]) -> None:
    _execute(_statements({}, {}, deltas))


def record_posted(transfer, lines: dict[int, int] | None = None,
                  accounts: dict[int, tuple[str, int | None]] | None = None) -> None:
    """Add a just-posted transfer to its month (a reversal: subtract its original). Same transaction.
    ``accounts`` ({account: (kind, area)}) saves a query when the caller knows them."""
    if lines is None:
        lines = {e.account_id: e.amount for e in transfer.entries.all()}
    sign = 1
    source = transfer
    if transfer.kind in NOT_COUNTED:
        return
    if transfer.kind == "reversal":
        source = transfer.reverses
        sign = -1
        lines = {pk: -amount for pk, amount in lines.items()}  # the original's lines
    if accounts is None:
        accounts = _accounts(lines)
    rows = _rows(source.community_id, source.kind, source.performed_on, source.category_id, lines, accounts)
    _execute(_statements(
        {key: [sign * n for n in delta] for key, delta in rows.items()},
        _member_deltas(source.community_id, source.kind, source.performed_on, lines, accounts, sign),
        _pair_deltas(source.community_id, source.kind, source.performed_on, lines, accounts, sign)))


def record_reversed(reversal, lines: dict[int, int] | None = None) -> None:
    """A reversal subtracts from its original's month: an alias of record_posted, for clarity."""
    record_posted(reversal, lines)


def record_posted_lines(community_id: int, rows: Iterable[tuple[int, int, int, datetime.date, int | None]],
                        accounts: dict[int, tuple[str, int | None]] | None = None) -> None:
    """Bulk path: rows of (giver account, receiver account, minutes, performed_on, category).

    Rows of the same pair, month and category make the same roll-up keys, so they are grouped
    first (a 50,000-row import between a few hundred members is a few thousand groups), and each
    group adds its minutes and its number of exchanges at once."""
    groups: dict[tuple[int, int, datetime.date, int | None], list[int]] = defaultdict(lambda: [0, 0])
    months: dict[datetime.date, datetime.date] = {}
    for giver, receiver, minutes, performed_on, category_id in rows:
        month = months.get(performed_on)
        if month is None:
            month = months[performed_on] = month_of(performed_on)
        cell = groups[(giver, receiver, month, category_id)]
        cell[0] += minutes
        cell[1] += 1
    if accounts is None:
        accounts = _accounts(pk for key in groups for pk in key[:2])
    deltas: dict[Key, Delta] = defaultdict(lambda: [0, 0, 0])
    members: dict[MemberKey, list[int]] = defaultdict(lambda: [0, 0])
    pairs: dict[PairKey, int] = defaultdict(int)
    for (giver, receiver, month, category_id), (minutes, count) in groups.items():
        # One exchange of ``minutes`` between the two stands for the group: scale its deltas.
        lines = {giver: minutes, receiver: -minutes}
        for key, (total, _first, _givers) in _rows(community_id, "exchange", month, category_id, lines,
                                                   accounts).items():
            cell = deltas[key]
            cell[0] += total
            cell[1] += count  # one giver, one area: the row that counts each exchange
            cell[2] += count
        for member_key, (given, received) in _member_deltas(community_id, "exchange", month, lines,
                                                            accounts, 1).items():
            members[member_key][0] += given
            members[member_key][1] += received
        for pair_key in _pair_deltas(community_id, "exchange", month, lines, accounts, 1):
            pairs[pair_key] += count
    _execute(_statements(deltas, members, pairs))


# One row per posted non-reversal transfer and giver area, with what ``_rows`` needs to classify
# it and how often the transfer was reversed (0 or 1); ``where`` narrows it. ``first`` marks the
# row that counts the exchange (its lowest giver area, "no area" first, as ``_rows`` does).
PER_GIVER_AREA_SQL = """
    WITH lines AS (
        SELECT t.id, t.community_id, t.kind, t.performed_on, t.category_id, a.kind AS account_kind,
               e.amount, COALESCE(m.area_id, o.area_id) AS area
        FROM ledger_transfer t
        JOIN ledger_entry e ON e.transfer_id = t.id
        JOIN ledger_account a ON a.id = e.account_id
        LEFT JOIN members_membership m ON m.id = a.membership_id
        LEFT JOIN partners_organisation o ON o.id = a.organisation_id
        WHERE t.status = 'posted' AND t.kind <> 'reversal' {where}
    ), per_transfer AS (
        SELECT id, COUNT(*) AS parties,
               SUM(CASE WHEN account_kind = 'organisation' THEN 1 ELSE 0 END) AS organisations,
               SUM(CASE WHEN account_kind = 'pot' THEN 1 ELSE 0 END) AS pots,
               MIN(CASE WHEN amount > 0 THEN COALESCE(area, 0) END) AS first_area
        FROM lines GROUP BY id
    )
    SELECT l.id, l.community_id, l.kind, l.performed_on, l.category_id, p.parties, p.organisations, p.pots,
           l.area, SUM(l.amount) AS minutes, COUNT(*) AS givers,
           CASE WHEN COALESCE(l.area, 0) = p.first_area THEN 1 ELSE 0 END AS first,
           (SELECT COUNT(*) FROM ledger_transfer r WHERE r.reverses_id = l.id AND r.status = 'posted') AS reversals
    FROM lines l
    JOIN per_transfer p ON p.id = l.id
    WHERE l.amount > 0
    GROUP BY l.id, l.community_id, l.kind, l.performed_on, l.category_id, p.parties, p.organisations, p.pots,
             l.area, p.first_area
"""

# Net of reversals: a reversed transfer's rows count 1 - 1 = 0 times.
_REBUILD_SQL = """
WITH per_area AS (""" + PER_GIVER_AREA_SQL + """)
SELECT community_id, performed_on, category_id, area, kind, parties, organisations, pots,
       SUM((1 - reversals) * minutes), SUM((1 - reversals) * first), SUM((1 - reversals) * givers)
FROM per_area
GROUP BY community_id, performed_on, category_id, area, kind, parties, organisations, pots
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
    deltas: dict[Key, Delta] = defaultdict(lambda: [0, 0, 0])
    for (community_id, performed_on, category_id, area_id, kind, parties, organisations, pots,
         minutes, count, givers) in found:
        if kind in NOT_COUNTED:
            continue
        if isinstance(performed_on, str):
            performed_on = datetime.date.fromisoformat(performed_on[:10])
        key = (community_id, month_of(performed_on), category_id, area_id,
               exchange_type(kind, parties, organisations, pots))
        for i, n in enumerate((minutes, count, givers)):
            deltas[key][i] += int(n)
    _upsert_chunked(deltas)
    _rebuild_members(community)
    _rebuild_pairs(community)
    return sum(1 for d in deltas.values() if any(d))


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


def on_posted(record) -> None:
    """The ledger's posting observer (``ledger.hooks``): a transfer was just posted, same transaction.
    The ledger read each member's area under the lock; only an organisation's needs a query (the
    pot and a linked bank's clearing account have no area)."""
    accounts = None
    if all(info.kind in ("member", "pot", "clearing") for info in record.accounts.values()):
        accounts = {pk: (info.kind, info.member_area_id) for pk, info in record.accounts.items()}
    record_posted(record.transfer, record.lines, accounts)


def on_posted_in_bulk(community_id: int, rows, accounts) -> None:
    """The ledger's bulk observer: many exchanges were just posted, same transaction."""
    known = None
    if all(info.kind in ("member", "pot") for info in accounts.values()):
        known = {pk: (info.kind, info.member_area_id) for pk, info in accounts.items()}
    record_posted_lines(community_id, ((row.giver_id, row.receiver_id, row.minutes, row.performed_on,
                                        row.category_id) for row in rows), known)
