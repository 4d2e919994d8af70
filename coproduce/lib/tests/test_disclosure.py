from hypothesis import given
from hypothesis import strategies as st

from coproduce.lib.disclosure import (
    ROUND,
    protect_count,
    protect_rate,
    protect_series,
    protect_table,
)

counts = st.integers(min_value=0, max_value=60)


def test_counts_below_k_read_fewer_than_k():
    assert str(protect_count(3, 5)) == "fewer than 5"
    assert str(protect_count(0, 5)) == "fewer than 5"
    assert str(protect_count(5, 5)) == "5"
    assert str(protect_count(1234, 5)) == "1,234"


def test_a_total_never_reveals_a_lone_suppressed_cell():
    cells, total = protect_series({"gardening": 12, "lifts": 3, "company": 40}, k=5)
    # 3 is hidden; with the total shown, the smallest other cell (12) is hidden too.
    assert cells["lifts"].suppressed and cells["gardening"].suppressed
    assert cells["company"].value == 40
    assert total.value == 55


def test_hidden_zeros_are_widened_until_they_hold_k():
    cells, _total = protect_series({"a": 0, "b": 0, "c": 9, "d": 30}, k=5)
    # Two hidden zeros would be recoverable (their sum, 0, is shown by subtraction).
    assert [cells[key].suppressed for key in "abcd"] == [True, True, True, False]


def test_whole_small_line_hides_its_total():
    cells, total = protect_series({"a": 1, "b": 2}, k=5)
    assert all(cell.suppressed for cell in cells.values())
    assert total.suppressed


def test_rounding_rule_rounds_cells_and_totals_to_fives():
    cells, total = protect_series({"a": 3, "b": 12, "c": 13}, k=5, rule=ROUND)
    assert [cells[key].value for key in "abc"] == [5, 10, 15]
    assert total.value == 30


def test_rates_with_small_denominators_are_not_shown():
    assert protect_rate(2, 4, k=5) is None
    assert protect_rate(3, 6, k=5) == 0.5


def test_two_way_table_worked_example():
    # Givers by age band and gender; two small cells in different rows and columns.
    rows = {"65-79": {"woman": 20, "man": 3}, "80+": {"woman": 2, "man": 11}}
    cells, row_totals, col_totals, grand = protect_table(rows, k=5)
    hidden = {(r, c) for r in rows for c in rows[r] if cells[r][c].suppressed}
    # Both small cells hidden; each row and column then has two hidden cells.
    assert hidden == {("65-79", "woman"), ("65-79", "man"), ("80+", "woman"), ("80+", "man")}
    assert row_totals["65-79"].value == 23 and col_totals["man"].value == 14 and grand.value == 36


def _line_is_safe(values, shown, total_shown, k):
    """No hidden cell of the line can be worked out from the line's shown total."""
    hidden = [v for v, s in zip(values, shown, strict=True) if s is None]
    if not total_shown or not hidden or len(values) == 1:
        return True
    return len(hidden) >= 2 and sum(hidden) >= k


@given(st.dictionaries(st.sampled_from("abcdefgh"), counts, min_size=1), st.integers(2, 10))
def test_series_never_shows_small_counts_nor_a_recoverable_cell(values, k):
    cells, total = protect_series(values, k)
    shown = [cells[key].value for key in values]
    assert all(v is None or v >= k for v in shown)
    assert total.value is None or total.value >= k
    assert _line_is_safe(list(values.values()), shown, total.value is not None, k)


@given(st.lists(st.lists(counts, min_size=1, max_size=5), min_size=1, max_size=5).filter(
    lambda grid: len({len(row) for row in grid}) == 1), st.integers(2, 10))
def test_table_never_shows_small_counts_nor_a_recoverable_cell(grid, k):
    rows = {f"r{i}": {f"c{j}": n for j, n in enumerate(line)} for i, line in enumerate(grid)}
    cells, row_totals, col_totals, grand = protect_table(rows, k)
    for r, line in rows.items():
        shown = [cells[r][c].value for c in line]
        assert all(v is None or v >= k for v in shown)
        assert _line_is_safe(list(line.values()), shown, row_totals[r].value is not None, k)
    for c in col_totals:
        column = [rows[r][c] for r in rows]
        shown = [cells[r][c].value for r in rows]
        assert _line_is_safe(column, shown, col_totals[c].value is not None, k)
    published_totals = [t.value for t in [*row_totals.values(), *col_totals.values(), grand]]
    assert all(v is None or v >= k for v in published_totals)
    assert _line_is_safe([sum(line.values()) for line in rows.values()],
                         [row_totals[r].value for r in rows], grand.value is not None, k)
