import math

import pytest

from coproduce.lib.stats import least_squares, pearson


def test_pearson_hand_worked():
    # x̄ = 3, ȳ = 4; Σdxdy = 4+0+0+0+2 = 6; Σdx² = 10; Σdy² = 6 → r = 6/√60
    result = pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])
    assert result.n == 5
    assert result.r == pytest.approx(6 / math.sqrt(60))
    assert result.r == pytest.approx(0.7746, abs=1e-4)


def test_pearson_perfect_and_inverse():
    assert pearson([1, 2, 3], [10, 20, 30]).r == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]).r == pytest.approx(-1.0)


def test_pearson_undefined():
    assert pearson([], []).r is None
    assert pearson([1], [2]).r is None
    assert pearson([1, 2, 3], [4, 4, 4]) .r is None  # no spread in y
    assert pearson([1, 2, 3], [4, 4, 4]).n == 3
    with pytest.raises(ValueError):
        pearson([1, 2], [1])


def test_least_squares_hand_worked():
    slope, intercept = least_squares([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])
    assert slope == pytest.approx(0.6)  # 6 / 10
    assert intercept == pytest.approx(2.2)  # 4 − 0.6 × 3
    assert least_squares([1, 1], [2, 3]) is None
