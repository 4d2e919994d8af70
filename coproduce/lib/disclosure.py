"""Small-count protection for anything the public or partners see.

The rules (product brief, "Small-count protection"): a count below k is shown as
"fewer than k"; further cells are hidden ("not shown") wherever the published figures
together would narrow a hidden count, across every table of a release at once
(``protect_jointly``: linked tables, below); a rate is not shown when the people it counts,
or those it leaves out, are fewer than k. A community may choose rounding to multiples of 5
instead (as NHS statistics do); lines are then rounded so that they still add up to their
rounded totals (``controlled_round``), and hours are rounded too.

Only one-way lines (splits and their totals, several sharing one total) are published;
nothing publishes a two-way table with both row and column totals.

Pure functions, no Django: the reports build plain numbers and pass them through here
last, so nothing public is rendered from an unprotected figure.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
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
    """A rate, or None when it would tell something about fewer than k people: the people it
    counts, or those it leaves out, number fewer than k (including none: a rate of 0% or 100%
    says exactly how many, which is a count like any other)."""
    if numerator < k or denominator - numerator < k:
        return None
    return numerator / denominator


def protect_series(values: Mapping[str, int], k: int, rule: str = SUPPRESS, *, with_total: bool = True
                   ) -> tuple[dict[str, Cell], Cell | None]:
    """Protect one line of counts (e.g. exchanges by category) and its total.

    Suppression: counts below k are hidden and read "fewer than k"; with the total shown,
    further cells are hidden ("not shown": k or more) until every hidden small count could
    still be 0 and could still be k - 1 (``protect_jointly`` on one line); if that takes every
    cell, the total is hidden too. A total below k is itself hidden. Rounding: cells are
    rounded to a multiple of 5 next to them so that they add up to the total rounded to the
    nearest 5 (``controlled_round``).
    """
    keys = list(values)
    numbers = {key: int(values[key]) for key in keys}
    total = sum(numbers.values())
    if rule == ROUND:
        if not with_total:
            return {key: Cell(round5(n), k) for key, n in numbers.items()}, None
        rounded = controlled_round(numbers, total, order=keys)
        return {key: Cell(rounded[key], k) for key in keys}, Cell(round5(total), k)
    names = {key: f"cell:{i}" for i, key in enumerate(keys)}
    named = {names[key]: n for key, n in numbers.items()}
    constraints = []
    if with_total:
        named["total"] = total
        constraints.append(adds_up(list(names.values()), "total"))
    result = protect_jointly(named, constraints, k, counts=list(named), prefer_last=["total"])
    cells = {key: Cell(None if names[key] in result.hidden else numbers[key], k,
                       secondary=names[key] in result.hidden and names[key] not in result.primary)
             for key in keys}
    total_cell = None
    if with_total:
        hidden = "total" in result.hidden
        total_cell = Cell(None if hidden else total, k, secondary=hidden and total >= k)
    return cells, total_cell


# --- Linked tables: joint complementary suppression (issue 11) -------------------------------
#
# A release publishes several tables about the same exchanges: per month, by type, by activity
# (each adding up to the same total), by the givers' area (its own total, never below that
# one), hours beside every count (adding up to one total of hours), and network figures (ties
# per month adding up to the ties, people, bridging ties). A reader may combine all of them, so
# they are protected jointly, as statistical offices protect linked tables (τ-ARGUS's linked
# tables, sdcTable's ``protectLinkedTables``): every published figure is a variable, everything
# a reader knows about them (each line adds up to its total, hours are at least 15 minutes per
# exchange, one count is never above another, what the labels say) is a ``Constraint``, and
# cells are hidden until, for every hidden small count, the range of values the constraints
# still allow is as wide as its label: it may still be 0, and it may still be k - 1 (a
# "fewer than k" cell cannot be k or more; that much the label itself says).
#
# Why this rather than publishing fewer totals (the other way offices unlink tables): one-way
# tables of the same exchanges stay linked without their Total rows, because a table whose
# rows are all shown publishes its total by adding up; every table would still need hidden
# cells chosen together. Joint suppression keeps each total wherever it is safe. Where even
# hiding everything around a cell leaves it narrowed (two "fewer than 5" cells whose total is
# "not shown", so 5 or more, are each at least 1), the labels alone say so and nothing more is
# hidden (``Protection.unavoidable``).
#
# The ranges are worked out by bounds propagation over the constraints (``bounds``), which is
# exact for lines that share only their totals (each pair of lines shares at most one
# variable, with no cycles) and an outer bound otherwise; the test suite checks every release
# with a separate linear-programming auditor (scipy), which must agree.

INF = math.inf


@dataclass(frozen=True)
class Constraint:
    """Σ coefficient × variable = 0 (``equal``), or ≤ 0: something a reader knows about the
    published figures. Integer coefficients; variables are whole numbers (counts, minutes)."""

    terms: tuple[tuple[str, int], ...]
    equal: bool = True


def adds_up(cells: Sequence[str], total: str) -> Constraint:
    """The cells of a line add up to its total."""
    return Constraint((*((cell, 1) for cell in cells), (total, -1)))


def at_most(smaller: str, larger: str, factor: int = 1) -> Constraint:
    """factor × smaller ≤ larger (for example 15 minutes per exchange at least)."""
    return Constraint(((smaller, factor), (larger, -1)), equal=False)


def _floor_div(a, b):
    if a in (INF, -INF):
        return a if b > 0 else -a
    return a // b


def _ceil_div(a, b):
    if a in (INF, -INF):
        return a if b > 0 else -a
    return -((-a) // b)


class Infeasible(ValueError):
    """The constraints and the published figures contradict each other (a bug: the figures are true)."""


def bounds(constraints: Sequence[Constraint], known: Mapping[str, tuple[float, float]],
           max_sweeps: int = 500) -> dict[str, list]:
    """The range [low, high] each variable can still take given what is ``known`` of each (what a
    reader sees: an exact value, a label's range, or (0, INF)) and the ``constraints``."""
    box = {name: [low, high] for name, (low, high) in known.items()}
    for constraint in constraints:
        for name, _c in constraint.terms:
            box.setdefault(name, [0, INF])
    for _sweep in range(max_sweeps):
        changed = False
        for constraint in constraints:
            passes = [(1, constraint.terms)]
            if constraint.equal:
                passes.append((-1, constraint.terms))
            for sign, terms in passes:
                # sign × Σ c x ≤ 0: each term is at most minus the least the others can add up to
                lows = []
                for name, c in terms:
                    c = sign * c
                    low, high = box[name]
                    lows.append(c * low if c > 0 else c * high)
                finite = sum(v for v in lows if v != -INF)
                unbounded = sum(1 for v in lows if v == -INF)
                for (name, c), least in zip(terms, lows, strict=True):
                    c = sign * c
                    if unbounded - (least == -INF) > 0:
                        continue
                    rest = finite - (least if least != -INF else 0)
                    cell = box[name]
                    if c > 0:
                        new = _floor_div(-rest, c)
                        if new < cell[1]:
                            cell[1], changed = new, True
                    else:
                        new = _ceil_div(-rest, c)
                        if new > cell[0]:
                            cell[0], changed = new, True
                    if cell[0] > cell[1]:
                        raise Infeasible(name)
        if not changed:
            break
    return box


@dataclass
class Protection:
    """What ``protect_jointly`` decided: the hidden variables and the ranges a reader is left with."""

    hidden: set[str]
    primary: set[str]
    ranges: dict[str, list]
    unavoidable: set[str]  # narrowed by the labels alone, with everything around them hidden


def protect_jointly(values: Mapping[str, int], constraints: Sequence[Constraint], k: int, *,
                    counts: Sequence[str], together: Mapping[str, str] | None = None,
                    shown_range=None, unpublished: Mapping[str, tuple[float, float]] | None = None,
                    forced: Mapping[str, tuple[float, float]] | None = None,
                    prefer_last: Iterable[str] = ()) -> Protection:
    """Joint complementary suppression of linked tables (see the notes above).

    ``values``: every published variable's true value. ``counts``: the counts among them, in
    the order to prefer when a further one must be hidden (ties go to the earlier); a count
    below k is hidden and reads "fewer than k" (0 to k - 1), one hidden only to protect
    another reads "not shown" (k or more). ``together``: {count: its hours}, hidden with it.
    ``shown_range(name, value)``: what a reader knows of a shown value (hours are rounded to
    0.1 h, so a range of minutes); default the value itself. ``unpublished``: variables that
    appear in the constraints but are never printed, with what a reader knows of them.
    ``forced``: variables that must be hidden however large (a correction's changed cells), each
    with a range its remaining range must overlap. ``prefer_last``: counts to hide only when
    nothing else helps (totals shared by several tables).
    """
    together = dict(together or {})
    unpublished = dict(unpublished or {})
    forced = dict(forced or {})
    shown_range = shown_range or (lambda _name, value: (value, value))
    last = set(prefer_last)
    order = {name: i for i, name in enumerate(counts)}
    primary = {name for name in counts if values[name] < k}
    hidden = set(primary) | set(forced)
    hidden |= {together[name] for name in hidden if name in together}
    involved = [{name for name, _c in c.terms} for c in constraints]
    given_up: set[str] = set()
    count_of = {hours: count for count, hours in together.items()}

    def known(hidden_now):
        out = {name: (low, high) for name, (low, high) in unpublished.items()}
        for name, value in values.items():
            if name not in hidden_now:
                out[name] = shown_range(name, value)
            elif name in order:
                out[name] = (0, k - 1) if name in primary else (k, INF)
            else:
                out[name] = (0, INF)
        return out

    def violations(box):
        found = []
        for name in sorted(primary - given_up, key=order.get):
            low, high = box[name]
            if low > 0 or high < k - 1:
                found.append(name)
            hours = together.get(name)
            if hours is not None and box[hours][0] > 0:
                found.append(name)
        for name, (a, b) in forced.items():
            if name in given_up:
                continue
            low, high = box[name]
            if low > b or high < a:
                found.append(name)
        return found

    def score(box, name):
        """How far the box is from protecting ``name`` (0: protected)."""
        low, high = box[name]
        gap = max(0, low) + (max(0, k - 1 - high) if name in primary else 0)
        hours = together.get(name)
        if hours is not None and name in primary:
            gap += 1 if box[hours][0] > 0 else 0
        if name in forced:
            a, b = forced[name]
            gap += max(0, low - b) + max(0, a - high)
        return gap

    while True:
        box = bounds(constraints, known(hidden))
        bad = violations(box)
        if not bad:
            return Protection(hidden, primary, box, given_up)
        target = bad[0]
        # Candidates: shown counts in the constraints around the target, nearest first.
        reached = {target} | ({together[target]} if target in together else set())
        frontier, candidates = set(reached), []
        while frontier and not candidates:
            nearby = {name for names in involved if frontier & set(names) for name in names}
            candidates = {count_of.get(name, name) for name in nearby}
            candidates = [name for name in candidates if name in order and name not in hidden]
            candidates = [name for name in candidates if name not in last] or candidates
            frontier = nearby - reached
            reached |= frontier
        if not candidates:
            # Everything that could blur it is hidden already: what is left is what the labels
            # themselves say (two cells "fewer than 5" and their total "not shown", so 5 or
            # more, are both at least 1). Nothing more can be done without untrue labels.
            given_up.add(target)
            continue
        best = None
        for name in sorted(candidates, key=lambda n: (values[n], order[n])):
            trial = hidden | {name} | ({together[name]} if name in together else set())
            gap = score(bounds(constraints, known(trial)), target)
            if gap == 0:
                best = name
                break
            if best is None or gap < best[0]:
                best = (gap, name)
        name = best if isinstance(best, str) else best[1]
        hidden.add(name)
        if name in together:
            hidden.add(together[name])


# --- Rounding: controlled rounding to multiples of a base (issue 11, point 6) ----------------


def round_to(n: int, base: int = 5) -> int:
    """Round half up to a multiple of ``base`` (round_to(2) = 0, round_to(3) = 5)."""
    return base * ((n + base // 2) // base)


def controlled_round(cells: Mapping[str, int], total: int, base: int = 5, *,
                     fixed: Mapping[str, int] | None = None, order: Sequence[str] | None = None) -> dict[str, int]:
    """Round each cell to a multiple of ``base`` next to it (down or up), so that the rounded
    cells add up to the total rounded to the nearest multiple (controlled rounding, as
    τ-ARGUS does for published tables). Rounding each cell and the total on its own would let a
    reader subtract: four cells of 3 rounded to 5 and their total 12 rounded to 10 say every
    cell is exactly 3. ``fixed`` cells are already rounded (shared with another line); the
    others round up in order of their remainder, largest first, ties in ``order``."""
    fixed = dict(fixed or {})
    target = round_to(total, base) - sum(fixed.values())
    free = [name for name in (order or list(cells)) if name not in fixed]
    rounded = {name: base * (cells[name] // base) for name in free}
    need = (target - sum(rounded.values())) // base
    by_remainder = sorted((name for name in free if cells[name] % base),
                          key=lambda name: -(cells[name] % base))
    if not 0 <= need <= len(by_remainder):  # cannot happen for true figures; round on their own
        return {name: round_to(cells[name], base) for name in cells} | fixed
    for name in by_remainder[:need]:
        rounded[name] += base
    return rounded | fixed
