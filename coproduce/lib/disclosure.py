"""Small-count protection for anything the public or partners see.

The rules (product brief, "Small-count protection"): a count below k is shown as
"fewer than k"; where a total is shown, a second cell is suppressed so the first cannot
be worked out by subtraction (here: until no hidden cell can be worked out from the total
and what the labels say, see ``pinned``); a rate whose denominator is below k is not
shown, nor one that would give a small count when multiplied out. A community may choose
rounding to the nearest 5 instead (as NHS statistics do); totals are then rounded too, so
they no longer reveal a cell exactly.

Only one-way lines (a split and its total) are published. Nothing publishes a two-way
table with both row and column totals: protecting one needs more than this module does.

Pure functions, no Django: the reports build plain numbers and pass them through here
last, so nothing public is rendered from an unprotected figure.
"""

from collections.abc import Mapping
from dataclasses import dataclass

SUPPRESS = "suppress"
ROUND = "round"


@dataclass(frozen=True)
class Cell:
    """One published figure: a number, a small count, or a count hidden to protect another."""

    value: int | None  # None when hidden
    k: int
    secondary: bool = False  # hidden only so that the total cannot reveal a small count

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        if self.value is not None:
            return f"{self.value:,}"
        # A secondary cell is k or more: calling it "fewer than k" would be untrue.
        return "not shown" if self.secondary else f"fewer than {self.k}"


def round5(n: int) -> int:
    """Round half up to the nearest 5 (2 → 0, 3 → 5, 12 → 10, 13 → 15)."""
    return 5 * ((n + 2) // 5)


def protect_count(n: int, k: int, rule: str = SUPPRESS) -> Cell:
    if rule == ROUND:
        return Cell(round5(n), k)
    return Cell(None if n < k else n, k)


def protect_rate(numerator: int, denominator: int, k: int) -> float | None:
    """A rate, or None when it would tell something about fewer than k people: its denominator is
    below k, or the people it counts (or those it leaves out) number between 1 and k - 1, so that
    rate × denominator would give a small count."""
    if denominator < k or denominator == 0:
        return None
    if 0 < numerator < k or 0 < denominator - numerator < k:
        return None
    return numerator / denominator


Bounds = tuple[int, int | None]  # what a reader knows of a hidden cell: low, high (None: no upper bound)


def pinned(hidden: Mapping[int, Bounds], hidden_sum: int) -> set[int]:
    """Hidden cells whose value a reader can work out from the bounds their labels give and
    the sum of the hidden cells (the total shown minus the cells shown).

    For whole numbers in boxes that must add up to a known sum, each cell can take every value
    from max(low, sum - others' highs) to min(high, sum - others' lows); a cell is pinned
    when that range is a single value other than 0. (A cell that can only be 0 says nobody
    did that thing, which points at no one; hiding a large cell to blur it would only cost
    readers a real figure.)
    """
    found = set()
    for i, (low, high) in hidden.items():
        others = [bounds for j, bounds in hidden.items() if j != i]
        others_low = sum(b[0] for b in others)
        others_high = None if any(b[1] is None for b in others) else sum(b[1] for b in others)
        least = low if others_high is None else max(low, hidden_sum - others_high)
        most = hidden_sum - others_low if high is None else min(high, hidden_sum - others_low)
        if least >= most and most > 0:
            found.add(i)
    return found


def protect_series(values: Mapping[str, int], k: int, rule: str = SUPPRESS, *, with_total: bool = True
                   ) -> tuple[dict[str, Cell], Cell | None]:
    """Protect one line of counts (e.g. exchanges by category) and its total.

    Counts below k are hidden and read "fewer than k" (a reader knows they are 0 to k - 1).
    With the total shown, a reader also knows what the hidden cells add up to; while that
    pins any hidden cell to a count above 0 (one hidden cell alone, or small cells that must
    all be k - 1), the smallest shown cell is hidden as well ("not shown": a reader knows
    only that it is k or more). If every cell is hidden and one is still pinned, the total
    is hidden.
    A total below k is itself hidden.
    """
    keys = list(values)
    numbers = [int(values[key]) for key in keys]
    total = sum(numbers)
    if rule == ROUND:
        cells = {key: protect_count(n, k, ROUND) for key, n in zip(keys, numbers, strict=True)}
        return cells, protect_count(total, k, ROUND) if with_total else None
    primary = {i for i, n in enumerate(numbers) if n < k}
    secondary: set[int] = set()
    total_shown = with_total and total >= k
    while total_shown and (primary or secondary):
        hidden = dict.fromkeys(primary, (0, k - 1)) | dict.fromkeys(secondary, (k, None))
        if not pinned(hidden, sum(numbers[i] for i in hidden)):
            break
        visible = [i for i in range(len(numbers)) if i not in hidden]
        if not visible:
            total_shown = False
            break
        secondary.add(min(visible, key=lambda i: (numbers[i], i)))
    cells = {key: Cell(None if i in primary or i in secondary else numbers[i], k, secondary=i in secondary)
             for i, key in enumerate(keys)}
    total_cell = (Cell(total if total_shown else None, k, secondary=total >= k and not total_shown)
                  if with_total else None)
    return cells, total_cell
