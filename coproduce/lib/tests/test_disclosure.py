from hypothesis import given
from hypothesis import strategies as st

from coproduce.lib.disclosure import (
    ROUND,
    protect_count,
    protect_rate,
    protect_series,
)
from coproduce.testing import recoverable_cells

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


def test_hidden_zeros_may_be_known_to_be_zero():
    # The total shows the two hidden cells hold nothing: that says nobody did a or b, which
    # points at no one, so 9 stays shown rather than being hidden to blur a zero.
    cells, total = protect_series({"a": 0, "b": 0, "c": 9, "d": 30}, k=5)
    assert [cells[key].suppressed for key in "abcd"] == [True, True, False, False]
    assert total.value == 39


def test_a_lone_small_count_beside_zeros_is_not_pinned():
    # a and b share 3 between them: a could be 0 to 3, and so could b.
    cells, _total = protect_series({"a": 0, "b": 3, "c": 9, "d": 30}, k=5)
    assert [cells[key].suppressed for key in "abcd"] == [True, True, False, False]
    # With only b hidden, the total would give it away: 9 is hidden too.
    cells, _total = protect_series({"b": 3, "c": 9, "d": 30}, k=5)
    assert [str(cells[key]) for key in "bcd"] == ["fewer than 5", "not shown", "30"]


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
    assert protect_rate(6, 12, k=5) == 0.5


def test_rates_that_would_give_a_small_count_are_not_shown():
    assert protect_rate(2, 10, k=5) is None  # 20% of 10 is 2 people
    assert protect_rate(8, 10, k=5) is None  # 80% of 10 leaves 2 people out
    assert protect_rate(10, 10, k=5) == 1.0
    assert protect_rate(5, 10, k=5) == 0.5


def test_hidden_cells_the_labels_would_pin_are_widened():
    # 4 and 4 under "fewer than 5" with a total: a reader knows both are at most 4, and the
    # total leaves 8 for them, so both must be 4. The next smallest cell (9) is hidden too and
    # reads "not shown" (it is not fewer than 5).
    cells, total = protect_series({"a": 4, "b": 4, "c": 9, "d": 30}, k=5)
    assert [str(cells[key]) for key in "abcd"] == ["fewer than 5", "fewer than 5", "not shown", "30"]
    assert total.value == 47


def test_a_line_that_cannot_be_protected_hides_its_total():
    cells, total = protect_series({"a": 4, "b": 4}, k=5)  # 8 left for two cells of at most 4
    assert all(cell.suppressed for cell in cells.values())
    assert total.suppressed and str(total) == "not shown"


def _published(cell):
    return cell.value if cell.value is not None else str(cell)


@given(st.lists(st.integers(0, 14), min_size=1, max_size=6), st.integers(2, 7))
def test_series_never_shows_small_counts_nor_a_recoverable_cell(numbers, k):
    values = {f"c{i}": n for i, n in enumerate(numbers)}
    cells, total = protect_series(values, k)
    labels = [_published(cells[key]) for key in values]
    assert all(not isinstance(label, int) or label >= k for label in labels)
    assert total.value is None or total.value >= k
    assert recoverable_cells(labels, total.value, k) == set()
    # What the labels say is true: "fewer than k" cells are below k, "not shown" ones are not.
    for key, n in values.items():
        assert str(cells[key]) != f"fewer than {k}" or n < k
        assert str(cells[key]) != "not shown" or n >= k
