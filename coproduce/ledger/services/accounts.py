"""Which account: members', organisations' and the pot's accounts, found or created on first
use, and the owner behind an account."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from coproduce.communities.models import Community
from coproduce.ledger import hooks
from coproduce.ledger.models import Account, AccountKind
from coproduce.members.models import Membership

# A member, an account, or an object of a model registered with ``hooks.register_party``
# (an organisation, later a business or another time bank).
Party = Membership | Account | object


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


def account_for_party(party) -> Account:
    """The account of an organisation (or another registered party), created on first use."""
    found = hooks.party_of(party)
    if found is None:
        raise TypeError(f"{type(party).__name__} owns no ledger account: register it with hooks.register_party")
    field, kind = found
    return _get_or_create_account(community_id=party.community_id, kind=kind, **{field: party})


def account_for_organisation(organisation) -> Account:
    return account_for_party(organisation)


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
    elif hooks.party_of(party) is not None:
        if party.community_id != community.pk:
            raise ValidationError(_("%(name)s does not take part in %(community)s.")
                                  % {"name": str(party), "community": community.name})
        account = account_for_party(party)
        setattr(account, hooks.party_of(party)[0], party)
    else:
        raise ValidationError(_("Choose a member, an organisation or the pot."))
    if account.community_id != community.pk:
        raise ValidationError(_("That account belongs to another community."))
    return account


def _prefetch(community: Community, key: str, parties: Sequence[Party]) -> tuple[int | None, dict]:
    """In one round trip: the transfer already posted with this key, and the account ids of the
    members and registered parties (organisations) among ``parties`` that have one. The found ids
    are keyed by membership id, or by (account field, party id) for other parties."""
    conditions, params = [], []
    members = [p.pk for p in parties if isinstance(p, Membership) and p.community_id == community.pk]
    if members:
        conditions.append("a.membership_id IN (" + ", ".join(["%s"] * len(members)) + ")")
        params.extend(members)
    fields = []
    for party in parties:
        registered = hooks.party_of(party)
        if registered is not None and party.community_id == community.pk:
            field = Account._meta.get_field(registered[0])  # a real column, never text from outside
            conditions.append(f"a.{connection.ops.quote_name(field.column)} = %s")
            params.append(party.pk)
            fields.append(field)
    columns = "".join(f", a.{connection.ops.quote_name(f.column)}" for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT k.id, a.id, a.membership_id{columns} FROM (SELECT 1 AS one) x"
            " LEFT JOIN ledger_transfer k ON k.community_id = %s AND k.idempotency_key = %s"
            f" LEFT JOIN ledger_account a ON a.community_id = %s AND ({' OR '.join(conditions) or 'FALSE'})",
            [community.pk, key, community.pk, *params])
        rows = cursor.fetchall()
    found = {}
    for _k, account, membership, *owners in rows:
        if membership:
            found[membership] = account
        for field, owner in zip(fields, owners, strict=True):
            if owner:
                found[(field.name, owner)] = account
    return rows[0][0], found


def _accounts_of(community: Community, parties: Sequence[Party], *, found: dict | None = None) -> list[Account]:
    """``account_of`` for several parties, for internal use: accounts found by ``_prefetch`` are
    unsaved stand-ins carrying only pk, community, kind and owner (never save them)."""
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
        registered = None if isinstance(party, (Membership, Account)) else hooks.party_of(party)
        if isinstance(party, Membership) and party.pk in found:
            result.append(Account(pk=found[party.pk], community_id=community.pk,
                                  kind=AccountKind.MEMBER, membership=party))
        elif registered is not None and (registered[0], party.pk) in found:
            result.append(Account(pk=found[(registered[0], party.pk)], community_id=community.pk,
                                  kind=registered[1], **{registered[0]: party}))
        else:
            result.append(account_of(party, community))
    return result


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


def _owner_id(account: Account) -> int | None:
    return account.membership.user_id if account.kind == AccountKind.MEMBER else None


def _owner_user(account: Account):
    return account.membership.user if account.kind == AccountKind.MEMBER else None
