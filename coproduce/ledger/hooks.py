"""The ledger's extension points: what it publishes, and whom it asks.

The ledger is the foundation the other apps stand on, so it imports none of them. An app
that must know about postings (the roll-ups, marking an offer done, e-mailing a receiver) or
that has a say over them (safeguarding checks) registers here, in its ``AppConfig.ready()``:

- **posting observers** run inside the posting transaction, once per posted transfer, with
  the lines just posted and what the ledger knows of their accounts. An observer that raises
  rolls the whole posting back: use them for data that must agree with the ledger
  (``insights`` keeps its monthly roll-ups this way).
- **bulk observers** are the same for ``bulk_post_exchanges``: one call with every row.
- **after-commit observers** run once the posting's transaction has committed, with an
  ``Event``. One that raises is logged and the posting stands: use them for side effects
  (e-mails, marking a linked offer done).
- **credit policies** are asked before minutes are credited to members for help in a category;
  they refuse with a ``ValidationError`` naming the person (``safeguarding``: a category that
  needs a check is only for helpers who hold one). The bulk path asks them once per batch.
- **describers** say what transfers of a kind were for ("Carers' circle, session on 3 March"),
  with a link, for statement lines: the app that made them (``groups``, by the session whose
  register the transfer pays) answers for a whole page of transfer ids in one query.
- **parties** are the models whose objects own accounts besides members and the pot
  (``partners`` registers its organisations): the ledger finds their accounts by the account's
  foreign key named here, without importing the model.

The ledger's own money rules (limits, floors, who must approve what) stay in its services;
these hooks are for the rules and records of the apps above it.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from django.db import transaction

logger = logging.getLogger(__name__)


class AccountInfo(NamedTuple):
    """What the posting path knows of an account, read under its lock."""

    kind: str  # an ``AccountKind``
    user_id: int | None  # the member's person, for member accounts
    membership_id: int | None
    member_area_id: int | None  # the member's area, for member accounts


class BulkLine(NamedTuple):
    """One exchange of the bulk path: the giver account gains, the receiver account pays."""

    giver_id: int
    receiver_id: int
    minutes: int
    performed_on: datetime.date
    category_id: int | None


@dataclass(frozen=True)
class Posted:
    """A transfer as it was posted: its lines (account id → minutes, positive gains) and accounts."""

    transfer: Any  # ledger.models.Transfer
    lines: dict[int, int]
    accounts: dict[int, AccountInfo]


@dataclass(frozen=True)
class Event:
    """Something that happened to a transfer, told after commit.

    ``name`` is one of ``POSTED`` (the transfer's minutes moved), ``AWAITING_CONFIRMATION`` (an
    exchange waits for its receiver, ``person``) or ``HELD`` (it waits for a coordinator).
    ``actor`` is who made it happen. ``waited`` is true when a transfer is posted after waiting
    (confirmed by its receiver, settled, approved), false when it was posted as it was recorded:
    then whoever recorded it already knew, in the same transaction.
    """

    name: str
    transfer: Any
    actor: Any = None
    person: Any = None
    waited: bool = False


POSTED = "posted"
AWAITING_CONFIRMATION = "awaiting_confirmation"
HELD = "held"


class CreditPolicy(Protocol):
    def check(self, community, category, memberships: Sequence[Any]) -> None:
        """Refuse (ValidationError) if any of ``memberships`` may not be credited for help in ``category``."""

    def refused_rows(self, community, rows: Sequence[BulkLine], membership_of: dict[int, int]) -> dict[int, str]:
        """For the bulk path: {row index: message} for rows whose giver may not be credited.
        ``membership_of`` maps member account ids to membership ids."""


class About(NamedTuple):
    """What a transfer was for, in words for a statement line, and a page about it ("" for none)."""

    text: str
    url: str = ""


PostingObserver = Callable[[Posted], None]
TransferDescriber = Callable[[Sequence[int]], dict[int, About]]
BulkObserver = Callable[[int, Sequence[BulkLine], dict[int, AccountInfo]], None]
AfterCommitObserver = Callable[[Event], None]

_posting_observers: list[PostingObserver] = []
_bulk_observers: list[BulkObserver] = []
_after_commit_observers: list[AfterCommitObserver] = []
_credit_policies: list[CreditPolicy] = []
_parties: dict[type, tuple[str, str]] = {}
_describers: dict[str, list[TransferDescriber]] = {}


def _add(registry: list, item) -> None:
    if item not in registry:  # ready() may run twice in tests; register once
        registry.append(item)


def observe_postings(observer: PostingObserver) -> PostingObserver:
    _add(_posting_observers, observer)
    return observer


def observe_bulk_postings(observer: BulkObserver) -> BulkObserver:
    _add(_bulk_observers, observer)
    return observer


def observe_after_commit(observer: AfterCommitObserver) -> AfterCommitObserver:
    _add(_after_commit_observers, observer)
    return observer


def add_credit_policy(policy: CreditPolicy) -> CreditPolicy:
    _add(_credit_policies, policy)
    return policy


def describe_transfers(kind: str, describer: TransferDescriber) -> TransferDescriber:
    """``describer(transfer ids)`` returns {transfer id: About} for those of these transfers (all of
    ``kind``, a ``TransferKind``) it knows; it should cost one query however many ids it gets."""
    _add(_describers.setdefault(kind, []), describer)
    return describer


def register_party(model: type, account_field: str, kind: str) -> None:
    """Objects of ``model`` own ledger accounts of ``kind`` through ``Account.<account_field>``."""
    _parties[model] = (account_field, kind)


def party_of(obj) -> tuple[str, str] | None:
    """(account field, account kind) for an object of a registered party model, else None."""
    for model, found in _parties.items():
        if isinstance(obj, model):
            return found
    return None


# ---------------------------------------------------------------------------- used by the ledger


def posted(transfer, lines: dict[int, int], accounts: dict[int, AccountInfo]) -> None:
    """Tell the posting observers, in the posting's transaction."""
    if _posting_observers:
        record = Posted(transfer, lines, accounts)
        for observer in _posting_observers:
            observer(record)


def posted_in_bulk(community_id: int, rows: Sequence[BulkLine], accounts: dict[int, AccountInfo]) -> None:
    for observer in _bulk_observers:
        observer(community_id, rows, accounts)


def after_commit(event: Event) -> None:
    """Tell the after-commit observers once the current transaction commits (at once outside one)."""
    if _after_commit_observers:
        transaction.on_commit(lambda: _tell(event))


def _tell(event: Event) -> None:
    for observer in _after_commit_observers:
        try:
            observer(event)
        except Exception:  # the posting stands; its side effect is logged for someone to redo
            logger.exception("after-commit observer %r failed for %s of transfer %s",
                             observer, event.name, getattr(event.transfer, "pk", None))


def about_transfers(kinds: dict[int, str]) -> dict[int, About]:
    """What these transfers ({transfer id: kind}) were for, where an app knows: one call per
    describer of a kind present, none at all when no registered kind is among them."""
    found: dict[int, About] = {}
    for kind, describers in _describers.items():
        ids = sorted(pk for pk, k in kinds.items() if k == kind)
        if ids:
            for describer in describers:
                for pk, about in describer(ids).items():
                    found.setdefault(pk, about)
    return found


def check_credits(community, category, memberships: Iterable[Any]) -> None:
    memberships = list(memberships)
    if category is None or not memberships:
        return
    for policy in _credit_policies:
        policy.check(community, category, memberships)


def refused_bulk_rows(community, rows: Sequence[BulkLine], membership_of: dict[int, int]) -> dict[int, str]:
    refused: dict[int, str] = {}
    for policy in _credit_policies:
        for index, message in policy.refused_rows(community, rows, membership_of).items():
            refused.setdefault(index, message)
    return refused
