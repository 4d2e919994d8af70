from hypothesis import given
from hypothesis import strategies as st

from coproduce.lib.disclosure import (
    ROUND,
    adds_up,
    at_most,
    bounds,
    controlled_round,
    protect_count,
    protect_jointly,
    protect_rate,
    protect_series,
    round_to,
)
from coproduce.testing import narrowed_cells

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


def test_hidden_zeros_must_still_possibly_be_k_minus_1():
    # With only the zeros hidden, the total would show they hold nothing: a count known to be 0
    # is a count like any other (issue 11), so 9 is hidden too and each zero could be 0 to 4.
    cells, total = protect_series({"a": 0, "b": 0, "c": 9, "d": 30}, k=5)
    assert [str(cells[key]) for key in "abcd"] == ["fewer than 5", "fewer than 5", "not shown", "30"]
    assert total.value == 39


def test_small_cells_that_add_up_to_a_small_count_are_blurred():
    # a and b would share 3 between them: each could be 0 to 3, but together they would be a
    # count of 3. Hiding 9 as well leaves 12 for three cells: a could be 0 or 4.
    cells, _total = protect_series({"a": 0, "b": 3, "c": 9, "d": 30}, k=5)
    assert [str(cells[key]) for key in "abcd"] == ["fewer than 5", "fewer than 5", "not shown", "30"]
    # With only b hidden, the total would give it away: 9 is hidden too.
    cells, _total = protect_series({"b": 3, "c": 9, "d": 30}, k=5)
    assert [str(cells[key]) for key in "bcd"] == ["fewer than 5", "not shown", "30"]


def test_a_cell_of_exactly_k_would_not_be_enough():
    # Hiding c (5) beside b (3) would leave 8 for the two: c is at least 5, so b at most 3,
    # never 4. The smallest cell that is enough on its own is hidden instead: 9.
    cells, _total = protect_series({"b": 3, "c": 5, "d": 9, "e": 30}, k=5)
    assert [str(cells[key]) for key in "bcde"] == ["fewer than 5", "5", "not shown", "30"]


def test_whole_small_line_hides_its_total():
    cells, total = protect_series({"a": 1, "b": 2}, k=5)
    assert all(cell.suppressed for cell in cells.values())
    assert total.suppressed


def test_rounding_rule_rounds_cells_and_totals_to_fives():
    cells, total = protect_series({"a": 3, "b": 12, "c": 13}, k=5, rule=ROUND)
    assert [cells[key].value for key in "abc"] == [5, 10, 15]
    assert total.value == 30


def test_rounding_keeps_a_line_adding_up_so_no_cell_is_pinned():
    # Rounded on their own, four cells of 3 (5, 5, 5, 5) and their total 12 (10) would say every
    # cell is exactly 3. Controlled rounding rounds two of them down: a reader knows only that
    # each is within 4 of what is shown.
    cells, total = protect_series({"a": 3, "b": 3, "c": 3, "d": 3}, k=5, rule=ROUND)
    assert total.value == 10
    assert sum(cell.value for cell in cells.values()) == 10
    assert sorted(cell.value for cell in cells.values()) == [0, 0, 5, 5]
    assert controlled_round({"a": 7, "b": 7}, 14) == {"a": 10, "b": 5}  # equal remainders: the first up
    assert round_to(2) == 0 and round_to(3) == 5 and round_to(149, 300) == 0 and round_to(150, 300) == 300


def test_rates_with_small_denominators_are_not_shown():
    assert protect_rate(2, 4, k=5) is None
    assert protect_rate(6, 12, k=5) == 0.5


def test_rates_that_would_give_a_small_count_are_not_shown():
    assert protect_rate(2, 10, k=5) is None  # 20% of 10 is 2 people
    assert protect_rate(8, 10, k=5) is None  # 80% of 10 leaves 2 people out
    assert protect_rate(5, 10, k=5) == 0.5


def test_zero_and_hundred_percent_are_counts_too():
    # 0% of 12 says nobody; 100% of 12 says nobody was left out (issue 11).
    assert protect_rate(0, 12, k=5) is None
    assert protect_rate(12, 12, k=5) is None
    assert protect_rate(7, 12, k=5) == 7 / 12


def test_hidden_cells_the_labels_would_pin_are_widened():
    # 4 and 4 under "fewer than 5" with a total: a reader knows both are at most 4, and the
    # total leaves 8 for them, so both must be 4. The next smallest cell (9) is hidden too and
    # reads "not shown" (it is not fewer than 5).
    cells, total = protect_series({"a": 4, "b": 4, "c": 9, "d": 30}, k=5)
    assert [str(cells[key]) for key in "abcd"] == ["fewer than 5", "fewer than 5", "not shown", "30"]
    assert total.value == 47


def test_a_line_that_cannot_be_protected_hides_everything():
    cells, total = protect_series({"a": 4, "b": 4}, k=5)  # 8 left for two cells of at most 4
    assert all(cell.suppressed for cell in cells.values())
    assert total.suppressed and str(total) == "not shown"


def _published(cell):
    return cell.value if cell.value is not None else str(cell)


@given(st.lists(st.integers(0, 14), min_size=1, max_size=6), st.integers(2, 7))
def test_series_never_shows_small_counts_nor_narrows_a_hidden_one(numbers, k):
    values = {f"c{i}": n for i, n in enumerate(numbers)}
    cells, total = protect_series(values, k)
    labels = [_published(cells[key]) for key in values]
    assert all(not isinstance(label, int) or label >= k for label in labels)
    assert total.value is None or total.value >= k
    assert narrowed_cells(labels, _published(total), k) == set()
    # What the labels say is true: "fewer than k" cells are below k, "not shown" ones are not.
    for key, n in values.items():
        assert str(cells[key]) != f"fewer than {k}" or n < k
        assert str(cells[key]) != "not shown" or n >= k


def test_joint_protection_of_lines_sharing_a_total():
    """Issue 11's example: July to September each 4, hidden, and the per-month total hidden, but
    the by-type line shows all 12 in one row: that total pins every month at 4. Protected
    jointly, the shared total and the large by-type row are hidden too."""
    values = {"m1": 4, "m2": 4, "m3": 4, "T": 12, "p2p": 12, "p2a": 0, "group": 0}
    lines = [adds_up(["m1", "m2", "m3"], "T"), adds_up(["p2p", "p2a", "group"], "T")]
    result = protect_jointly(values, lines, 5, counts=list(values), prefer_last=["T"])
    assert result.hidden == set(values)
    assert all(result.ranges[m] == [0, 4] for m in ("m1", "m2", "m3"))
    # Alone, each line would have been "protected" with T shown: together they are not.
    assert protect_jointly(values, lines[:1], 5, counts=["m1", "m2", "m3", "T"]).ranges["m1"] == [0, 4]


def test_bounds_propagate_through_inequalities():
    box = bounds([adds_up(["a", "b"], "t"), at_most("a", "h", 15)], {"t": (10, 10), "b": (0, 4), "h": (0, 90)})
    assert box["a"] == [6, 6] and box["h"] == [90, 90]
