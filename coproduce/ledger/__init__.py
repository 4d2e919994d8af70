"""The time-credit ledger: append-only, double-entry, in integer minutes. The foundation the other
apps stand on, so it imports none of them (``lint-imports`` checks it in CI).

Every movement of minutes is a ``Transfer`` with ``Entry`` lines that sum to zero, written by
``ledger.services`` only (views, the API, imports and the admin all call it): limits and floors,
backdating, approvals and reversals are decided there, under row locks, in one transaction.

The apps above learn of postings and have a say over them through ``ledger.hooks``, registered in
their ``AppConfig.ready()``:

- posting observers, in the posting's transaction (``insights`` keeps its roll-ups): one that
  raises rolls the posting back;
- bulk observers, the same for ``bulk_post_exchanges``;
- after-commit observers (``market`` marks a linked post done, ``notifications`` asks a receiver
  to confirm): one that raises is logged and the posting stands;
- credit policies that refuse to credit someone with a clear error (``safeguarding``);
- parties that own accounts besides members and the pot (``partners``' organisations).
"""
