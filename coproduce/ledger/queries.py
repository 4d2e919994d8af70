"""Read-side queries of the ledger: the verifier's checks, statements, pending lists.

The verifier's checks are aggregate SQL (GROUP BY / anti-joins), so they stay fast at
millions of transfers; only offenders come back to Python.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet

from coproduce.communities.models import Community
from coproduce.ledger import hooks, wording
from coproduce.ledger.models import (
    HIGH_LIMIT_SQL,
    LAST_EXCHANGE_SQL,
    LOW_LIMIT_SQL,
    Account,
    AccountKind,
    Entry,
    HoldReason,
    Transfer,
    TransferKind,
    TransferStatus,
)

_LAST_EXCHANGE = LAST_EXCHANGE_SQL.format(account="a.id")
_CHECKS = {
    "transfer_unbalanced": """
        SELECT e.transfer_id, SUM(e.amount)
        FROM ledger_entry e JOIN ledger_transfer t ON t.id = e.transfer_id
        WHERE {community_t}
        GROUP BY e.transfer_id HAVING SUM(e.amount) <> 0
        ORDER BY e.transfer_id
    """,
    "posted_without_entries": """
        SELECT t.id, 0 FROM ledger_transfer t
        WHERE t.status = 'posted' AND {community_t}
          AND NOT EXISTS (SELECT 1 FROM ledger_entry e WHERE e.transfer_id = t.id)
        ORDER BY t.id
    """,
    "entries_on_unposted": """
        SELECT t.id, COUNT(*) FROM ledger_transfer t JOIN ledger_entry e ON e.transfer_id = t.id
        WHERE t.status <> 'posted' AND {community_t}
        GROUP BY t.id ORDER BY t.id
    """,
    "entry_in_other_community": """
        SELECT e.transfer_id, e.account_id FROM ledger_entry e
        JOIN ledger_transfer t ON t.id = e.transfer_id
        JOIN ledger_account a ON a.id = e.account_id
        WHERE a.community_id <> t.community_id AND {community_t}
        ORDER BY e.transfer_id
    """,
    "balance_mismatch": """
        SELECT a.id, a.balance, COALESCE(s.total, 0) FROM ledger_account a
        LEFT JOIN (SELECT e.account_id, SUM(e.amount) AS total FROM ledger_entry e
                   GROUP BY e.account_id) s ON s.account_id = a.id
        WHERE a.balance <> COALESCE(s.total, 0) AND {community_a}
        ORDER BY a.id
    """,
    "last_exchange_mismatch": f"""
        SELECT a.id, a.last_exchange_on, ({_LAST_EXCHANGE}) FROM ledger_account a
        WHERE {{community_a}} AND COALESCE(a.last_exchange_on, '0001-01-01')
                                  <> COALESCE(({_LAST_EXCHANGE}), '0001-01-01')
        ORDER BY a.id
    """,
    "community_unbalanced": """
        SELECT a.community_id, SUM(a.balance) FROM ledger_account a
        WHERE {community_a}
        GROUP BY a.community_id HAVING SUM(a.balance) <> 0
        ORDER BY a.community_id
    """,
    "before_start": """
        SELECT t.id, t.performed_on FROM ledger_transfer t
        JOIN communities_community c ON c.id = t.community_id
        WHERE t.performed_on < c.started_on AND {community_t}
        ORDER BY t.id
    """,
    "past_limit": f"""
        SELECT a.id, a.balance, {LOW_LIMIT_SQL}, {HIGH_LIMIT_SQL}
        FROM ledger_account a JOIN communities_community c ON c.id = a.community_id
        WHERE {{community_a}} AND (a.balance < {LOW_LIMIT_SQL} OR a.balance > {HIGH_LIMIT_SQL})
        ORDER BY a.id
    """,
}


def _account_names(ids) -> dict[int, str]:
    accounts = Account.objects.filter(pk__in=ids).select_related("membership__user", "organisation", "community")
    return {a.pk: f"account #{a.pk} ({a.label}, {a.community.slug})" for a in accounts}


def check_ledger(community: Community | None = None) -> tuple[dict, list[str]]:
    """Run every ledger invariant; return (counts, problems). No problems means a sound ledger."""
    params = []
    community_t = community_a = "1 = 1"
    if community is not None:
        community_t, community_a = "t.community_id = %s", "a.community_id = %s"
        params = [community.pk]
    found = {}
    with connection.cursor() as cursor:
        for name, sql in _CHECKS.items():
            cursor.execute(sql.format(community_t=community_t, community_a=community_a), params)
            found[name] = cursor.fetchall()
        where = "WHERE community_id = %s" if community else ""
        cursor.execute(f"SELECT COUNT(*) FROM ledger_transfer {where}", params)
        transfers = cursor.fetchone()[0]
        cursor.execute(f"SELECT COUNT(*) FROM ledger_account {where}", params)
        accounts = cursor.fetchone()[0]
    names = _account_names({row[0] for key in ("balance_mismatch", "past_limit", "last_exchange_mismatch")
                            for row in found[key]}
                           | {row[1] for row in found["entry_in_other_community"]})
    problems = []
    for transfer_id, total in found["transfer_unbalanced"]:
        problems.append(f"transfer #{transfer_id}: entries sum to {total} minutes, not 0")
    for transfer_id, _zero in found["posted_without_entries"]:
        problems.append(f"transfer #{transfer_id}: posted but has no entries")
    for transfer_id, count in found["entries_on_unposted"]:
        problems.append(f"transfer #{transfer_id}: not posted but has {count} entries")
    for transfer_id, account_id in found["entry_in_other_community"]:
        problems.append(f"transfer #{transfer_id}: entry on {names.get(account_id)} of another community")
    for account_id, balance, total in found["balance_mismatch"]:
        problems.append(f"{names[account_id]}: cached balance {balance} but entries sum to {total}")
    for account_id, cached, actual in found["last_exchange_mismatch"]:
        problems.append(f"{names[account_id]}: last exchange cached as {cached} but the entries say {actual}")
    for community_id, total in found["community_unbalanced"]:
        problems.append(f"community #{community_id}: balances sum to {total} minutes, not 0")
    for transfer_id, performed_on in found["before_start"]:
        problems.append(f"transfer #{transfer_id}: dated {performed_on}, before the community started")
    for account_id, balance, low, high in found["past_limit"]:
        problems.append(f"{names[account_id]}: balance {balance} is outside its limits [{low}, {high}]")
    return {"transfers": transfers, "accounts": accounts}, problems


def statement(account: Account) -> QuerySet[Entry]:
    """An account's entries, newest first, each with its running balance (balance_after)."""
    return (Entry.objects.filter(account=account)
            .select_related("transfer__category", "transfer__keyed_by", "transfer__on_behalf_of")
            .order_by("-id"))


def with_other_side(entries, account: Account) -> list[Entry]:
    """These statement lines of ``account`` as a list, each with ``other_side`` in words ("Gave to
    Joan Green"): the accounts on the opposite side of its transfer, read in one query for all lines.
    Only accounts of the statement's community are named. Where an app describes a line's transfer
    (``hooks.describe_transfers``: a group session) ``other_side`` says so and ``about_url`` links
    to its page ("" otherwise); that costs one query per describer, and none without such lines.
    The pages linked to are open to everyone who may read a statement of the community."""
    entries = list(entries)
    lines: dict[int, list[tuple[int, str]]] = {}  # transfer id -> (amount, who) of the other lines
    for transfer_id, amount, kind, member_name, organisation_name, name in (
            Entry.objects.filter(transfer_id__in={e.transfer_id for e in entries},
                                 account__community_id=account.community_id)
            .exclude(account_id=account.pk).order_by("id")
            .values_list("transfer_id", "amount", "account__kind", "account__membership__user__name",
                         "account__organisation__name", "account__name")):
        who = wording.party_name(kind, member_name=member_name or "", organisation_name=organisation_name or "",
                                 name=name or "")
        lines.setdefault(transfer_id, []).append((amount, who))
    about = hooks.about_transfers({e.transfer_id: e.transfer.kind for e in entries})
    for entry in entries:
        others = [who for amount, who in lines.get(entry.transfer_id, ()) if (amount > 0) != (entry.amount > 0)]
        found = about.get(entry.transfer_id)
        entry.other_side = wording.other_side(entry.transfer.kind, entry.amount, others,
                                              found.text if found else "")
        entry.about_url = found.url if found else ""
    return entries


def waiting_for_answer() -> Q:
    """Pending exchanges, and those a coordinator now holds because the receiver did not answer
    in time (the receiver may still answer them)."""
    return Q(status=TransferStatus.PENDING) | Q(status=TransferStatus.HELD, hold_reason=HoldReason.UNCONFIRMED)


def waiting_for_answer_from(user) -> QuerySet[Transfer]:
    """Exchanges recorded by others that wait for this person's answer, in all their communities."""
    return Transfer.objects.filter(waiting_for_answer(), awaiting__kind=AccountKind.MEMBER,
                                   awaiting__membership__user=user)


def pending_for(user, community: Community) -> QuerySet[Transfer]:
    """Exchanges other people recorded as help given to this user, waiting for their answer."""
    return (waiting_for_answer_from(user).filter(community=community)
            .select_related("keyed_by", "category").order_by("created_at"))


def balances(membership_ids) -> dict[int, int]:
    """Each member's balance in minutes by membership id, without creating accounts (a member
    with no account yet has 0). One query."""
    return dict(Account.objects.filter(kind=AccountKind.MEMBER, membership_id__in=list(membership_ids))
                .values_list("membership_id", "balance"))


def members_who_exchanged(membership_ids) -> set[int]:
    """Those of these memberships with at least one posted exchange (given or received). One query."""
    found = (Entry.objects.filter(account__membership_id__in=list(membership_ids),
                                  transfer__kind__in=[TransferKind.EXCHANGE, TransferKind.GROUP])
             .order_by().values_list("account__membership_id", flat=True).distinct())
    return set(found)


def accounts_of_organisations(organisation_ids) -> dict[int, Account]:
    """Organisations' accounts by organisation id, without creating any. One query."""
    return {a.organisation_id: a for a in Account.objects.filter(kind=AccountKind.ORGANISATION,
                                                               organisation_id__in=list(organisation_ids))}


def recent_movements(account: Account, *, limit: int = 5) -> list[Entry]:
    """An account's latest entries, in date order (the newest day first). One query."""
    return list(statement(account).order_by("-transfer__performed_on", "-id")[:limit])


def held(community: Community) -> QuerySet[Transfer]:
    """Transfers waiting for a coordinator's approval, oldest first."""
    return (Transfer.objects.filter(community=community, status=TransferStatus.HELD)
            .select_related("keyed_by", "category", "awaiting__membership__user").order_by("created_at", "pk"))


def counterparties(transfers) -> dict[int, list[tuple[str, int]]]:
    """For each transfer, its lines as (account label, minutes), in two queries: the posted
    transfers' entries, then every account's label, read as values (a page of a hundred lines
    built five model instances a line)."""
    transfers = list(transfers)
    posted = [t.pk for t in transfers if t.status == TransferStatus.POSTED]
    entries = list(Entry.objects.filter(transfer_id__in=posted).order_by("id")
                   .values_list("transfer_id", "account_id", "amount")) if posted else []
    account_ids = {account_id for _t, account_id, _m in entries}
    account_ids |= {pk for t in transfers if t.status != TransferStatus.POSTED for pk, _m in t.proposed}
    labels = {pk: Account.label_of(kind, member_name=member_name or "", organisation_name=organisation_name or "",
                                   name=name)
              for pk, kind, member_name, organisation_name, name in Account.objects.filter(pk__in=account_ids)
              .values_list("pk", "kind", "membership__user__name", "organisation__name", "name")}
    lines: dict[int, list] = {t.pk: [] for t in transfers}
    for t in transfers:
        if t.status != TransferStatus.POSTED:
            lines[t.pk] = [(labels.get(pk, "?"), amount) for pk, amount in t.proposed]
    for transfer_id, account_id, amount in entries:
        lines[transfer_id].append((labels[account_id], amount))
    return lines
