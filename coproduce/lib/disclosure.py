"""Small-count protection for anything the public or partners see.

The rules (product brief, "Small-count protection"): a count below k is shown as
"fewer than k"; where a total is shown, a second cell is suppressed so the first cannot
be worked out by subtraction; a rate whose denominator is below k is not shown. A
community may choose rounding to the nearest 5 instead (as NHS statistics do); totals
are then rounded too, so they no longer reveal a cell exactly.

Pure functions, no Django: the reports build plain numbers and pass them through here
last, so nothing public is rendered from an unprotected figure.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SUPPRESS = "suppress"
ROUND = "round"


@dataclass(frozen=True)
class Cell:
    """One published figure: either a number or a suppressed count."""

    value: int | None  # None when suppressed
    k: int

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return f"fewer than {self.k}" if self.value is None else f"{self.value:,}"


def round5(n: int) -> int:
    """Round half up to the nearest 5 (2 → 0, 3 → 5, 12 → 10, 13 → 15)."""
    return 5 * ((n + 2) // 5)


def protect_count(n: int, k: int, rule: str = SUPPRESS) -> Cell:
    if rule == ROUND:
        return Cell(round5(n), k)
    return Cell(None if n < k else n, k)


def protect_rate(numerator: int, denominator: int, k: int) -> float | None:
    """A rate, or None when its denominator is too small to publish."""
    if denominator < k or denominator == 0:
        return None
    return numerator / denominator


def _complement(values: Sequence[int], hidden: set[int], k: int) -> set[int]:
    """Widen a line's suppression until its hidden cells can't be worked out from its total.

    A lone hidden cell equals total minus the rest, and hidden cells whose sum is below k
    (all zeros, say) can still be pinned down, so keep hiding the smallest visible cell
    until at least two are hidden and together they hold at least k.
    """
    hidden = set(hidden)
    while hidden and len(hidden) < len(values) and (
        len(hidden) == 1 or sum(values[i] for i in hidden) < k
    ):
        visible = [i for i in range(len(values)) if i not in hidden]
        hidden.add(min(visible, key=lambda i: (values[i], i)))
    return hidden


def protect_series(values: Mapping[str, int], k: int, rule: str = SUPPRESS, *, with_total: bool = True
                   ) -> tuple[dict[str, Cell], Cell | None]:
    """Protect one line of counts (e.g. hours by category) and its total.

    With a total shown, one suppressed cell is never left alone: the smallest other cell
    is suppressed too. If the whole line is small, the total is itself a count below k and
    is suppressed by the same rule.
    """
    keys = list(values)
    numbers = [int(values[key]) for key in keys]
    total = sum(numbers)
    if rule == ROUND:
        cells = {key: protect_count(n, k, ROUND) for key, n in zip(keys, numbers, strict=True)}
        return cells, protect_count(total, k, ROUND) if with_total else None
    hidden = {i for i, n in enumerate(numbers) if n < k}
    if with_total:
        hidden = _complement(numbers, hidden, k)
    cells = {key: Cell(None if i in hidden else numbers[i], k) for i, key in enumerate(keys)}
    total_cell = Cell(None if total < k else total, k) if with_total else None
    return cells, total_cell


def protect_table(rows: Mapping[str, Mapping[str, int]], k: int, rule: str = SUPPRESS
                  ) -> tuple[dict[str, dict[str, Cell]], dict[str, Cell], dict[str, Cell], Cell]:
    """Protect a two-way table with row totals, column totals and a grand total.

    Primary suppression hides counts below k; then, until nothing changes, every row,
    every column and each line of totals is widened by `_complement`, so no hidden cell
    can be worked out from the totals shown. A row or column total below k is hidden,
    and the totals line is protected against the grand total in the same way.
    Returns (cells, row totals, column totals, grand total).
    """
    row_keys = list(rows)
    col_keys = list(dict.fromkeys(c for r in rows.values() for c in r))
    grid = [[int(rows[r].get(c, 0)) for c in col_keys] for r in row_keys]
    row_totals = [sum(line) for line in grid]
    col_totals = [sum(grid[i][j] for i in range(len(row_keys))) for j in range(len(col_keys))]
    grand = sum(row_totals)
    if rule == ROUND:
        return (
            {r: {c: protect_count(grid[i][j], k, ROUND) for j, c in enumerate(col_keys)}
             for i, r in enumerate(row_keys)},
            {r: protect_count(row_totals[i], k, ROUND) for i, r in enumerate(row_keys)},
            {c: protect_count(col_totals[j], k, ROUND) for j, c in enumerate(col_keys)},
            protect_count(grand, k, ROUND),
        )
    hidden = {(i, j) for i, line in enumerate(grid) for j, n in enumerate(line) if n < k}
    hidden_row_totals = {i for i, t in enumerate(row_totals) if t < k}
    hidden_col_totals = {j for j, t in enumerate(col_totals) if t < k}
    changed = True
    while changed:
        changed = False
        for i in range(len(row_keys)):
            line_hidden = {j for j in range(len(col_keys)) if (i, j) in hidden}
            for j in _complement(grid[i], line_hidden, k) - line_hidden:
                hidden.add((i, j))
                changed = True
        for j in range(len(col_keys)):
            column = [grid[i][j] for i in range(len(row_keys))]
            line_hidden = {i for i in range(len(row_keys)) if (i, j) in hidden}
            for i in _complement(column, line_hidden, k) - line_hidden:
                hidden.add((i, j))
                changed = True
        # The totals are a line of their own, summing to the grand total.
        for totals, hidden_totals in ((row_totals, hidden_row_totals), (col_totals, hidden_col_totals)):
            extra = _complement(totals, hidden_totals, k) - hidden_totals
            if extra:
                hidden_totals |= extra
                changed = True
    return (
        {r: {c: Cell(None if (i, j) in hidden else grid[i][j], k) for j, c in enumerate(col_keys)}
         for i, r in enumerate(row_keys)},
        {r: Cell(None if i in hidden_row_totals else row_totals[i], k) for i, r in enumerate(row_keys)},
        {c: Cell(None if j in hidden_col_totals else col_totals[j], k) for j, c in enumerate(col_keys)},
        Cell(None if grand < k else grand, k),
    )
