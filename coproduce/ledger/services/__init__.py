"""Every rule of the ledger, and the only code that writes transfers, entries or balances.

What lives where (import from ``coproduce.ledger.services``; every name below is re-exported):

- ``validation``: the rules a line must pass (``check_minutes``, ``check_date``,
  ``community_today``, categories, safeguarding checks for helpers, active membership,
  ``is_coordinator``) and ``format_minutes``;
- ``accounts``: members', organisations' and the pot's accounts (``account_for_membership``,
  ``account_for_organisation``, ``pot_for``, ``account_of``, ``member_accounts``);
- ``posting``: writing one transfer: locks, limits (``set_limit_exception``), idempotency
  keys (``new_key``) and the plain-SQL writes every other module posts through;
- ``exchanges``: ``record_exchange``, ``confirm_exchange``, ``decline_exchange``,
  ``settle_pending``, ``give_credits``, ``claim_from_pot``, ``grant_from_pot``, ``reverse_transfer``;
- ``groups``: ``record_group_exchange`` and its ``split_shares`` rule;
- ``bulk``: ``bulk_post_exchanges`` with ``BulkRow`` (importers, the demo seeder) and
  ``record_exchanges_all_or_none`` with ``RowErrors`` (paper timesheets);
- ``approvals``: ``approve_transfer`` and ``decline_held_transfer``, the coordinators' queue;
- ``clearing``: crossings with members of a linked time bank, booked against that bank's
  clearing account (``open_clearing_account``, ``post_crossing``, ``undo_crossing``);
- ``erasure``: what erasing a person does to the ledger (``decline_open_for_erasure``,
  ``settle_for_erasure``, ``mask_texts``).

Each module imports only the ones above it in this list. A test that replaces a function
patches it where it is used (``coproduce.ledger.services.exchanges._post``), not here.

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

Credits issued by the pot or an organisation (its account pays, a member gains) are the only
way minutes reach someone without another member paying, so a finance officer's controls
guard them. The pot and organisations have floors (community settings, default 0 for the
pot). A posting waits for a coordinator's approval (status "held", with a ``HoldReason``)
when it credits the person who keyed it (self-dealing), when it credits one person more than
the community's ceiling and was not keyed by a coordinator, when the calling service names a
rule of its own (a facilitator no coordinator or host appointed), or when an exchange's
receiver could not confirm it (an assisted member, or someone who has not logged in since).
The bulk path cannot hold, so it refuses such rows. Another coordinator approves; approval
posts through the same locked path, with limits checked again.

Limits hold at every moment: a posting that would take an account below its lowest or
above its highest balance is refused, unless it moves the account back towards its
limit. Reversals respect limits too; a coordinator who must reverse past a limit first
sets a limit exception for that account (``set_limit_exception``, with a reason, audited),
so ``verify_ledger``'s "no balance past its limit" stays true.
"""

from coproduce.ledger.services.accounts import (
    Party,
    account_for_membership,
    account_for_organisation,
    account_for_party,
    account_of,
    member_accounts,
    pot_for,
)
from coproduce.ledger.services.approvals import approve_transfer, decline_held_transfer
from coproduce.ledger.services.bulk import (
    BulkRow,
    RowErrors,
    bulk_post_exchanges,
    record_exchanges_all_or_none,
)
from coproduce.ledger.services.clearing import (
    open_clearing_account,
    post_crossing,
    set_clearing_limits,
    undo_crossing,
)
from coproduce.ledger.services.erasure import (
    decline_open_for_erasure,
    mask_texts,
    settle_for_erasure,
)
from coproduce.ledger.services.exchanges import (
    can_confirm_online,
    claim_from_pot,
    confirm_exchange,
    decline_exchange,
    give_credits,
    grant_from_pot,
    record_exchange,
    reverse_transfer,
    settle_pending,
)
from coproduce.ledger.services.groups import record_group_exchange, split_shares
from coproduce.ledger.services.posting import _lock, new_key, set_limit_exception
from coproduce.ledger.services.validation import (
    check_date,
    check_minutes,
    community_today,
    community_zone,
    format_minutes,
    is_coordinator,
)

__all__ = [
    "BulkRow",
    "Party",
    "RowErrors",
    "_lock",
    "account_for_membership",
    "account_for_organisation",
    "account_for_party",
    "account_of",
    "approve_transfer",
    "bulk_post_exchanges",
    "can_confirm_online",
    "check_date",
    "check_minutes",
    "claim_from_pot",
    "community_today",
    "community_zone",
    "confirm_exchange",
    "decline_exchange",
    "decline_held_transfer",
    "decline_open_for_erasure",
    "format_minutes",
    "give_credits",
    "grant_from_pot",
    "is_coordinator",
    "mask_texts",
    "member_accounts",
    "new_key",
    "open_clearing_account",
    "post_crossing",
    "pot_for",
    "record_exchange",
    "record_exchanges_all_or_none",
    "record_group_exchange",
    "reverse_transfer",
    "set_clearing_limits",
    "set_limit_exception",
    "settle_for_erasure",
    "settle_pending",
    "split_shares",
    "undo_crossing",
]
