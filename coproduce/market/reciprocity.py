"""Reciprocity standing for matching, read from the ledger.

"Received more than gave" is a negative member balance (the ledger caches each
account's balance). "Newcomer" is a member with no ledger account yet: the ledger opens
one lazily at a member's first posting, so no account means no first exchange.
"""

from dataclasses import dataclass

from coproduce.ledger.models import Account, AccountKind


@dataclass(frozen=True)
class Standing:
    balance_minutes: int | None  # None: unknown (neutral)
    newcomer: bool = False


def standings(membership_ids: list[int]) -> dict[int, Standing]:
    """Standing per membership id, in one query."""
    balances = dict(Account.objects.filter(kind=AccountKind.MEMBER, membership_id__in=membership_ids)
                    .values_list("membership_id", "balance"))
    return {pk: Standing(balance_minutes=balances[pk]) if pk in balances
            else Standing(balance_minutes=None, newcomer=True) for pk in membership_ids}
