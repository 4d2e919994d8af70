"""Every rule of the ledger, and the only code that writes transfers, entries or balances.

Locking (after pretix): inside ``transaction.atomic`` the affected Account rows are locked
with ``select_for_update`` in ascending primary-key order, balances are re-read under the
lock, limits are checked, then entries are written and the cached balances set. Sorted
order means two postings touching the same accounts queue rather than deadlock. On
SQLite, transactions start IMMEDIATE (settings), so writers are serialised anyway.

Idempotency: every posting carries a key, unique per community. A repeat with the same key
returns the first transfer and posts nothing; a concurrent repeat loses the race on the
unique constraint, its savepoint is rolled back and the winner's transfer returned.

Who may record what:
- an exchange keyed by its receiver is posted at once;
- keyed by its giver it waits for the receiver (``confirm_exchange`` / ``decline_exchange``;
  ``settle_pending`` applies the community's confirmation window);
- keyed by a coordinator (for either side) it is posted at once and audited;
- group exchanges are keyed by a coordinator, or by the single receiver when many givers
  credit one receiver; they are posted at once.

Limits hold at every moment: a posting that would take an account below its lowest or
above its highest balance is refused, unless it moves the account back towards its
limit. Reversals respect limits too; a coordinator who must reverse past a limit first
sets a limit exception for that account (``set_limit_exception``, with a reason, audited),
so ``verify_ledger``'s "no balance past its limit" stays true.
"""

from __future__ import annotations

import datetime
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.communities.models import AfterWindow, Category, Community
from coproduce.insights import rollups  # issue 6: monthly roll-ups kept in the posting transaction
from coproduce.ledger.models import (
    MAX_LINE_MINUTES,
    MINUTE_STEP,
    Account,
    AccountKind,
    Transfer,
    TransferKind,
    TransferStatus,
)
from coproduce.members.models import Membership, MembershipStatus
from coproduce.partners.models import Organisation

Party = Membership | Organisation | Account


def new_key() -> str:
    """A fresh idempotency key, for forms (rendered into a hidden field) and scripts."""
    return secrets.token_urlsafe(24)


def format_minutes(minutes: int) -> str:
    sign = "−" if minutes < 0 else ""
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{mins:02d}"


# ---------------------------------------------------------------------------- accounts


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Ledger locks are taken only inside transaction.atomic().")


def _get_or_create_account(**lookup) -> Account:
    account = Account.objects.filter(**lookup).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(**lookup)
    except IntegrityError:
        # Another transaction created it first.
        return Account.objects.get(**lookup)


def account_for_membership(membership: Membership) -> Account:
    """The member's account in their community, created on first use."""
    return _get_or_create_account(community_id=membership.community_id, kind=AccountKind.MEMBER,
                                  membership=membership)


def account_for_organisation(organisation: Organisation) -> Account:
    return _get_or_create_account(community_id=organisation.community_id,
                                  kind=AccountKind.ORGANISATION, organisation=organisation)


def pot_for(community: Community) -> Account:
    """The community pot, created on first use."""
    return _get_or_create_account(community_id=community.pk, kind=AccountKind.POT)


def account_of(party: Party, community: Community) -> Account:
    """The ledger account of a member, organisation or account, checked to be in this community."""
    if isinstance(party, Account):
        account = party
    elif isinstance(party, Membership):
        if party.community_id != community.pk:
            raise ValidationError(_("%(name)s is not a member of %(community)s.")
                                  % {"name": party.user.name, "community": community.name})
        account = account_for_membership(party)
        account.membership = party
    elif isinstance(party, Organisation):
        if party.community_id != community.pk:
            raise ValidationError(_("%(name)s does not take part in %(community)s.")
                                  % {"name": party.name, "community": community.name})
        account = account_for_organisation(party)
        account.organisation = party
    else:
        raise ValidationError(_("Choose a member, an organisation or the pot."))
    if account.community_id != community.pk:
        raise ValidationError(_("That account belongs to another community."))
    return account


def _prefetch(community: Community, key: str, parties: Sequence[Party]) -> tuple[int | None, dict]:
    """In one round trip: the transfer already posted with this key, and members' account ids."""
    members = [p.pk for p in parties if isinstance(p, Membership) and p.community_id == community.pk]
    in_list = ", ".join(["%s"] * len(members)) if members else "NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT k.id, a.membership_id, a.id FROM (SELECT 1 AS one) x"
            " LEFT JOIN ledger_transfer k ON k.community_id = %s AND k.idempotency_key = %s"
            f" LEFT JOIN ledger_account a ON a.membership_id IN ({in_list})",
            [community.pk, key, *members])
        rows = cursor.fetchall()
    return rows[0][0], {membership: account for _k, membership, account in rows if membership}


def _accounts_of(community: Community, parties: Sequence[Party], *, found: dict | None = None) -> list[Account]:
    """``account_of`` for several parties, for internal use: members' accounts are unsaved
    stand-ins carrying only pk, kind and owner (never save them)."""
    members = [p for p in parties if isinstance(p, Membership) and p.community_id == community.pk]
    if found is None:
        found = {}
        if members:
            with connection.cursor() as cursor:
                cursor.execute("SELECT membership_id, id FROM ledger_account WHERE membership_id IN ("
                               + ", ".join(["%s"] * len(members)) + ")", [m.pk for m in members])
                found = dict(cursor.fetchall())
    result = []
    for party in parties:
        if isinstance(party, Membership) and party.pk in found:
            result.append(Account(pk=found[party.pk], community_id=community.pk,
                                  kind=AccountKind.MEMBER, membership=party))
        else:
            result.append(account_of(party, community))
    return result


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
            _("This would take %(account)s below their lowest balance of %(limit)s hours "
              "(balance now %(balance)s hours)."),
            code="limit", params={"account": label, "limit": format_minutes(low),
                                  "balance": format_minutes(balance)})
    if high is not None and new_balance > high and new_balance > balance:
        return ValidationError(
            _("This would take %(account)s above their highest balance of %(limit)s hours "
              "(balance now %(balance)s hours)."),
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


# ---------------------------------------------------------------------------- validation


def check_minutes(minutes, *, cap: int | None = MAX_LINE_MINUTES, field: str = "minutes") -> int:
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise ValidationError({field: _("Enter a number of minutes above zero.")})
    if minutes % MINUTE_STEP:
        raise ValidationError({field: _("Record time in steps of 15 minutes.")})
    if cap is not None and minutes > cap:
        raise ValidationError({field: _("One line can be at most 24 hours.")})
    return minutes


def community_today(community: Community) -> datetime.date:
    return timezone.localdate(timezone=_zone(community))


def _zone(community: Community):
    import zoneinfo

    return zoneinfo.ZoneInfo(community.time_zone)


def check_date(community: Community, performed_on: datetime.date) -> datetime.date:
    if not isinstance(performed_on, datetime.date):
        raise ValidationError({"performed_on": _("Enter the date it happened.")})
    if performed_on > community_today(community):
        raise ValidationError({"performed_on": _("The date cannot be in the future.")})
    return performed_on


def _check_category(community: Community, category: Category | None) -> None:
    if category is not None and category.community_id != community.pk:
        raise ValidationError({"category": _("Choose one of this community's categories.")})


def _check_givers_may_help(category: Category | None, giver_accounts: Iterable[Account]) -> None:
    """A category that needs a safeguarding check is only for helpers who hold a valid one."""
    if category is None:
        return
    from coproduce.safeguarding.services import require_valid_check

    for account in giver_accounts:
        if account.kind == AccountKind.MEMBER:
            require_valid_check(account.membership, category)


def _check_key(key: str) -> str:
    if not key or len(key) > 64:
        raise ValidationError(_("This form has expired; please fill it in again."))
    return key


def _check_active(account: Account) -> None:
    if account.kind == AccountKind.MEMBER and account.membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("%(name)s is no longer a member here.") % {"name": account.label})


def _is_coordinator(user, community: Community) -> bool:
    if user.is_superuser:
        return True
    return Membership.objects.coordinators().filter(community=community, user=user).exists()


def _existing(community: Community, key: str) -> Transfer | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM ledger_transfer WHERE community_id = %s AND idempotency_key = %s",
                       [community.pk, key])
        row = cursor.fetchone()
    return None if row is None else Transfer.objects.get(pk=row[0])


def _owner_id(account: Account) -> int | None:
    return account.membership.user_id if account.kind == AccountKind.MEMBER else None


def _owner_user(account: Account):
    return account.membership.user if account.kind == AccountKind.MEMBER else None


# ---------------------------------------------------------------------------- posting


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


# The posting hot path uses plain SQL for the lock and the entry/balance writes: the ORM's
# query compilation cost more than the database work (bench_ledger measures the difference).
_LOCK_SQL = """
    SELECT a.id, a.balance, a.community_id, m.status,
           COALESCE(a.min_override, CASE WHEN a.kind = 'member' THEN c.min_balance_minutes END),
           COALESCE(a.max_override, CASE WHEN a.kind = 'member' THEN c.max_balance_minutes END)
    FROM ledger_account a
    JOIN communities_community c ON c.id = a.community_id
    LEFT JOIN members_membership m ON m.id = a.membership_id
    WHERE {where} ORDER BY a.id{lock}
"""


def _apply_lines(lines: dict[int, int]) -> dict[int, int]:
    """Lock the accounts (sorted pk order), re-check membership and limits; return new balances."""
    if sum(lines.values()) != 0:
        raise ValueError("a transfer's lines must sum to zero")
    _require_transaction()
    ids = sorted(lines)
    lock = " FOR UPDATE OF a" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_SQL.format(where="a.id IN (" + ", ".join(["%s"] * len(ids)) + ")", lock=lock),
                       ids)
        rows = cursor.fetchall()
    if len(rows) != len(ids) or len({row[2] for row in rows}) != 1:
        raise ValidationError(_("One of the accounts does not exist."))
    errors, balances = [], {}
    for pk, balance, _community, status, low, high in rows:
        if status is not None and status != MembershipStatus.ACTIVE:
            raise ValidationError(_("%(name)s is no longer a member here.") % {"name": _label(pk)})
        new_balance = balance + lines[pk]
        if (low is not None and new_balance < low) or (high is not None and new_balance > high):
            error = _limit_error(_label(pk), low, high, balance, new_balance)
            if error:
                errors.append(error)
        balances[pk] = new_balance
    if errors:
        raise ValidationError(errors)
    return balances


def _write_entries(transfer_id: int, lines: dict[int, int], balances: dict[int, int]) -> None:
    ids = sorted(lines)
    entry_params, case_params = [], []
    for pk in ids:
        entry_params += [transfer_id, pk, lines[pk], balances[pk]]
        case_params += [pk, balances[pk]]
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO ledger_entry (transfer_id, account_id, amount, balance_after) VALUES "
                       + ", ".join(["(%s, %s, %s, %s)"] * len(ids)), entry_params)
        cursor.execute("UPDATE ledger_account SET balance = CASE id "
                       + " ".join(["WHEN %s THEN %s"] * len(ids))
                       + " END WHERE id IN (" + ", ".join(["%s"] * len(ids)) + ")", case_params + ids)


_TRANSFER_COLUMNS = (
    "community_id", "kind", "status", "performed_on", "category_id", "description", "reason",
    "keyed_by_id", "on_behalf_of_id", "idempotency_key", "reverses_id", "proposed", "awaiting_id",
    "created_at", "posted_at")


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


def _post(draft: _Draft, *, status: str = TransferStatus.POSTED, awaiting: Account | None = None,
          then=None) -> Transfer:
    """Write one transfer (posted with entries, or pending with proposed lines), idempotently.

    Callers have already looked the key up; a concurrent twin is caught by the unique
    constraint. ``then(transfer)`` runs in the same transaction (for the audit entry).
    """
    _check_key(draft.idempotency_key)
    lines = {pk: amount for pk, amount in draft.lines.items() if amount}
    if len(lines) < 2:
        raise ValidationError(_("A transfer needs two different accounts."))
    try:
        with transaction.atomic():
            posted = status == TransferStatus.POSTED
            if posted:
                balances = _apply_lines(lines)
            else:
                for account in _lock(lines).values():
                    _check_active(account)
            transfer = _insert_transfer(Transfer(
                community=draft.community, kind=draft.kind, status=status,
                performed_on=draft.performed_on, category=draft.category,
                description=draft.description.strip(), reason=draft.reason.strip(),
                keyed_by=draft.keyed_by, on_behalf_of=draft.on_behalf_of,
                idempotency_key=draft.idempotency_key, reverses=draft.reverses,
                proposed=[] if posted else sorted([pk, amount] for pk, amount in lines.items()),
                awaiting=awaiting, posted_at=timezone.now() if posted else None,
            ))
            if posted:
                _write_entries(transfer.pk, lines, balances)
                rollups.record_posted(transfer, lines)  # insights roll-ups, same transaction (reversals subtract)
            if then is not None:
                then(transfer)
    except IntegrityError:
        # Lost a race with the same key: show the first result.
        existing = _existing(draft.community, draft.idempotency_key)
        if existing is None:
            raise
        return existing
    return transfer


def record_exchange(*, community: Community, giver: Party, receiver: Party, minutes: int,
                    performed_on: datetime.date, keyed_by, idempotency_key: str,
                    category: Category | None = None, description: str = "",
                    authority: str = "", post=None) -> Transfer:
    """Record one exchange (see ``_record_exchange``), optionally about an offer or request.

    With ``post``, the exchange and the link are written together or not at all, and the
    post is done as soon as the exchange is posted (at once, or when it is confirmed).
    """
    if post is None:
        return _record_exchange(community=community, giver=giver, receiver=receiver, minutes=minutes,
                                performed_on=performed_on, keyed_by=keyed_by,
                                idempotency_key=idempotency_key, category=category,
                                description=description, authority=authority)
    from coproduce.market.services import link_exchange

    with transaction.atomic():
        already = _existing(community, idempotency_key)
        transfer = _record_exchange(community=community, giver=giver, receiver=receiver, minutes=minutes,
                                    performed_on=performed_on, keyed_by=keyed_by,
                                    idempotency_key=idempotency_key, category=category,
                                    description=description, authority=authority)
        if already is None:
            link_exchange(post, transfer, actor=keyed_by)
    return transfer


def _posts_done(transfer: Transfer, *, actor) -> None:
    """Offers and requests linked to an exchange are done once it is posted."""
    from coproduce.market.services import exchange_posted

    exchange_posted(transfer, actor=actor)


def _record_exchange(*, community: Community, giver: Party, receiver: Party, minutes: int,
                     performed_on: datetime.date, keyed_by, idempotency_key: str,
                     category: Category | None = None, description: str = "",
                     authority: str = "") -> Transfer:
    """One person helped another: the giver gains ``minutes``, the receiver pays them.

    Keyed by the receiver or a coordinator: posted at once (a coordinator's is audited with
    the member they acted for). Keyed by the giver: pending until the receiver confirms.
    ``authority`` (as in ``record_group_exchange``) posts it at once, audited: for example
    staff of the receiving organisation recording an agency-to-agency exchange.
    """
    existing_id, found = _prefetch(community, idempotency_key, [giver, receiver])
    if existing_id is not None:
        return Transfer.objects.get(pk=existing_id)
    check_minutes(minutes)
    check_date(community, performed_on)
    _check_category(community, category)
    giver_account, receiver_account = _accounts_of(community, [giver, receiver], found=found)
    if giver_account.pk == receiver_account.pk:
        raise ValidationError(_("The giver and the receiver must be different."))
    for account in (giver_account, receiver_account):
        _check_active(account)
    _check_givers_may_help(category, [giver_account])
    giver_uid, receiver_uid = _owner_id(giver_account), _owner_id(receiver_account)
    draft = _Draft(community=community, kind=TransferKind.EXCHANGE,
                   lines={giver_account.pk: minutes, receiver_account.pk: -minutes},
                   keyed_by=keyed_by, idempotency_key=idempotency_key, performed_on=performed_on,
                   category=category, description=description)
    if receiver_uid is not None and keyed_by.pk == receiver_uid:
        return _post(draft)
    if giver_uid is not None and keyed_by.pk == giver_uid:
        if receiver_uid is None:
            raise ValidationError(_("Ask a coordinator to record help given to an organisation "
                                    "or the pot."))
        return _post(draft, status=TransferStatus.PENDING, awaiting=receiver_account,
                     then=lambda transfer: _ask_to_confirm(transfer, receiver_account))
    authority = authority.strip()
    if not authority and not _is_coordinator(keyed_by, community):
        raise ValidationError(_("You can only record exchanges you took part in."))
    draft.on_behalf_of = _owner_user(receiver_account) or _owner_user(giver_account)
    return _post(draft, then=lambda transfer: record_audit(
        actor=keyed_by, action=AuditAction.EXCHANGE_RECORDED_FOR, community=community,
        on_behalf_of=draft.on_behalf_of, subject=str(transfer), transfer=transfer.pk, minutes=minutes,
        **({"authority": authority} if authority else {})))


def _ask_to_confirm(transfer: Transfer, receiver_account: Account) -> None:
    """E-mail the receiver (per their preferences) once the pending exchange is committed."""
    from django.conf import settings
    from django.urls import reverse

    from coproduce.notifications.services import notify_exchange_awaiting_confirmation

    receiver = _owner_user(receiver_account)
    if receiver is None:
        return
    community = transfer.community
    notify_exchange_awaiting_confirmation(
        receiver, community=community,
        description=f"{transfer.keyed_by} · {format_minutes(_proposed_minutes(transfer))} · {transfer.description}".strip(" ·"),
        confirm_url=settings.SITE_URL + reverse("ledger:pending", args=[community.slug]))


def _proposed_minutes(transfer: Transfer) -> int:
    return max((amount for _account, amount in transfer.proposed), default=0)


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
                          authority: str = "") -> Transfer:
    """A class (one giver, many receivers) or an event (many givers, one receiver).

    One giver: the giver gains their minutes; each receiver pays a share
    (``split_shares``), or the pot pays it all when ``paid_by_pot``. Many givers: each giver
    gains their own minutes and the single receiver pays the total. Posted at once; keyed by a
    coordinator, or by the single receiver of an event.

    ``authority`` names a rule the calling service has checked that lets ``keyed_by`` record
    it without being a coordinator (for example "staff of Riverside Surgery" confirming an
    opportunity's attendance, or "facilitator of Carers' circle"); it is audited.
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
    _check_givers_may_help(category, [a for a, _m in giver_lines])
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
                   description=description)
    transfer = _post(draft)
    if not keyed_by_receiver:
        record_audit(actor=keyed_by, action=AuditAction.EXCHANGE_RECORDED_FOR, community=community,
                     subject=str(transfer), transfer=transfer.pk, minutes=total,
                     **({"authority": authority} if authority else {}))
    return transfer


def _pending_for_update(transfer: Transfer) -> Transfer:
    _require_transaction()
    return Transfer.objects.select_for_update().get(pk=transfer.pk)


@transaction.atomic
def confirm_exchange(transfer: Transfer, *, user) -> Transfer:
    """The receiver confirms an exchange the giver recorded: it is posted now."""
    transfer = _pending_for_update(transfer)
    _check_may_settle(transfer, user)
    lines = dict(transfer.proposed)
    balances = _apply_lines(lines)
    transfer.status = TransferStatus.POSTED
    transfer.posted_at = transfer.settled_at = timezone.now()
    transfer.settled_by = user
    transfer.save(update_fields=["status", "posted_at", "settled_at", "settled_by"])
    _write_entries(transfer.pk, lines, balances)
    rollups.record_posted(transfer, lines)  # insights roll-ups, same transaction
    _posts_done(transfer, actor=user)
    return transfer


@transaction.atomic
def decline_exchange(transfer: Transfer, *, user) -> Transfer:
    """The receiver says it did not happen (or not like that): nothing is posted."""
    transfer = _pending_for_update(transfer)
    _check_may_settle(transfer, user)
    transfer.status = TransferStatus.DECLINED
    transfer.settled_at = timezone.now()
    transfer.settled_by = user
    transfer.save(update_fields=["status", "settled_at", "settled_by"])
    return transfer


def _check_may_settle(transfer: Transfer, user) -> None:
    if transfer.status != TransferStatus.PENDING:
        raise ValidationError(_("This exchange is no longer waiting for confirmation."))
    awaiting = transfer.awaiting
    if awaiting is None or awaiting.kind != AccountKind.MEMBER or awaiting.membership.user_id != user.pk:
        raise ValidationError(_("Only the person who received the help can confirm or decline it."))


def settle_pending(*, community: Community | None = None, now: datetime.datetime | None = None) -> dict:
    """Apply each community's confirmation window to exchanges still waiting.

    Past the window an exchange is confirmed automatically or expires, per the community's
    setting; one that would now break a limit expires. Each settles in its own transaction.
    """
    now = now or timezone.now()
    waiting = Transfer.objects.filter(status=TransferStatus.PENDING).select_related("community")
    if community is not None:
        waiting = waiting.filter(community=community)
    counts = {"confirmed": 0, "expired": 0}
    for transfer in waiting.order_by("pk").iterator():
        window = datetime.timedelta(days=transfer.community.confirmation_window_days)
        if transfer.created_at + window > now:
            continue
        with transaction.atomic():
            transfer = _pending_for_update(transfer)
            if transfer.status != TransferStatus.PENDING:
                continue
            outcome = TransferStatus.EXPIRED
            if transfer.community.after_confirmation_window == AfterWindow.CONFIRM:
                lines = dict(transfer.proposed)
                try:
                    with transaction.atomic():
                        balances = _apply_lines(lines)
                        transfer.status = TransferStatus.POSTED
                        transfer.posted_at = now
                        transfer.settled_at = now
                        transfer.save(update_fields=["status", "posted_at", "settled_at"])
                        _write_entries(transfer.pk, lines, balances)
                        rollups.record_posted(transfer, lines)  # insights roll-ups, same transaction
                        _posts_done(transfer, actor=transfer.keyed_by)
                    outcome = TransferStatus.POSTED
                except ValidationError:
                    transfer.status = TransferStatus.PENDING  # the savepoint rolled back
            if outcome == TransferStatus.EXPIRED:
                transfer.status = TransferStatus.EXPIRED
                transfer.settled_at = now
                transfer.save(update_fields=["status", "settled_at"])
            counts["confirmed" if outcome == TransferStatus.POSTED else "expired"] += 1
    return counts


def give_credits(*, community: Community, giver: Membership, to: Party | None, minutes: int,
                 keyed_by, idempotency_key: str, description: str = "") -> Transfer:
    """A member gives credits to another member, or to the pot when ``to`` is None."""
    existing = _existing(community, idempotency_key)
    if existing is not None:
        return existing
    check_minutes(minutes, cap=None)
    giver_account = account_of(giver, community)
    target = pot_for(community) if to is None else account_of(to, community)
    if giver_account.pk == target.pk:
        raise ValidationError(_("The giver and the receiver must be different."))
    if keyed_by.pk != giver.user_id:
        raise ValidationError(_("Only members can give their own credits."))
    return _post(_Draft(community=community, kind=TransferKind.GIFT,
                        lines={giver_account.pk: -minutes, target.pk: minutes}, keyed_by=keyed_by,
                        idempotency_key=idempotency_key, performed_on=community_today(community),
                        description=description))


@transaction.atomic
def grant_from_pot(*, community: Community, to: Party, minutes: int, reason: str, keyed_by,
                   idempotency_key: str) -> Transfer:
    """A coordinator grants credits from the pot to someone who needs help and cannot give back."""
    existing = _existing(community, idempotency_key)
    if existing is not None:
        return existing
    check_minutes(minutes, cap=None)
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the grant.")})
    if not _is_coordinator(keyed_by, community):
        raise ValidationError(_("Only a coordinator can grant credits from the pot."))
    target = account_of(to, community)
    pot = pot_for(community)
    if target.pk == pot.pk:
        raise ValidationError(_("The giver and the receiver must be different."))
    transfer = _post(_Draft(community=community, kind=TransferKind.POT_GRANT,
                            lines={pot.pk: -minutes, target.pk: minutes}, keyed_by=keyed_by,
                            idempotency_key=idempotency_key,
                            performed_on=community_today(community), reason=reason))
    record_audit(actor=keyed_by, action=AuditAction.POT_GRANT, community=community,
                 on_behalf_of=_owner_user(target), subject=str(transfer), transfer=transfer.pk,
                 minutes=minutes, reason=reason.strip())
    return transfer


@transaction.atomic
def reverse_transfer(transfer: Transfer, *, keyed_by, reason: str, idempotency_key: str) -> Transfer:
    """A coordinator's correction: a new transfer mirroring a posted one, linked to it.

    A transfer is reversed at most once and a reversal is not itself reversed (record the
    exchange again instead). Limits apply (see the module docstring).
    """
    community = transfer.community
    existing = _existing(community, idempotency_key)
    if existing is not None:
        return existing
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the reversal.")})
    if not _is_coordinator(keyed_by, community):
        raise ValidationError(_("Only a coordinator can reverse a transfer."))
    original = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if original.status != TransferStatus.POSTED:
        raise ValidationError(_("Only a posted transfer can be reversed."))
    if original.kind == TransferKind.REVERSAL:
        raise ValidationError(_("A reversal cannot be reversed; record the exchange again instead."))
    if Transfer.objects.filter(reverses=original).exists():
        raise ValidationError(_("This transfer has already been reversed."))
    lines = {e.account_id: -e.amount for e in original.entries.all()}
    reversal = _post(_Draft(community=community, kind=TransferKind.REVERSAL, lines=lines,
                            keyed_by=keyed_by, idempotency_key=idempotency_key,
                            performed_on=community_today(community), reason=reason,
                            category=original.category, description=original.description,
                            reverses=original))
    record_audit(actor=keyed_by, action=AuditAction.TRANSFER_REVERSED, community=community,
                 subject=str(original), transfer=original.pk, reversal=reversal.pk,
                 reason=reason.strip())
    return reversal


# ---------------------------------------------------------------------------- bulk path


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
            locked = cursor.fetchall()
        balances = {pk: balance for pk, balance, _c, _s, _low, _high in locked}
        limits = {pk: (low, high) for pk, _b, _c, _s, low, high in locked}
        inactive = {pk for pk, _b, _c, status, _low, _high in locked
                    if status is not None and status != MembershipStatus.ACTIVE}
        start_balances = dict(balances)
        needs_check, holds_check = _bulk_safeguarding(community, rows)
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
                    or row.performed_on > today or not row.idempotency_key):
                raise ValidationError(_("Row %(n)s is not a valid exchange.") % {"n": number})
            g = balances[row.giver_id] + minutes
            r = balances[row.receiver_id] - minutes
            for pk, old, new in ((row.giver_id, balances[row.giver_id], g),
                                 (row.receiver_id, balances[row.receiver_id], r)):
                low, high = limits[pk]
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


def member_accounts(community: Community, memberships: Sequence[Membership]) -> list[Account]:
    """Accounts for many members at once (creating the missing ones), in the order given."""
    def existing():
        return {a.membership_id: a for a in Account.objects.filter(community=community, kind=AccountKind.MEMBER)}

    have = existing()
    missing = [Account(community=community, kind=AccountKind.MEMBER, membership=m)
               for m in memberships if m.pk not in have]
    if missing:
        Account.objects.bulk_create(missing, ignore_conflicts=True, batch_size=2000)
        have = existing()
    return [have[m.pk] for m in memberships]


def is_coordinator(user, community: Community) -> bool:
    return _is_coordinator(user, community)



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
