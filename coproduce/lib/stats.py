"""Small statistics for reports: pure Python, no Django."""

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Correlation:
    r: float | None  # None when undefined (fewer than 2 points, or no spread)
    n: int


def pearson(xs: Sequence[float], ys: Sequence[float]) -> Correlation:
    """Pearson's r of paired values, with the number of pairs it rests on."""
    if len(xs) != len(ys):
        raise ValueError("xs and ys must be paired")
    n = len(xs)
    if n < 2:
        return Correlation(None, n)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return Correlation(None, n)
    return Correlation(sxy / math.sqrt(sxx * syy), n)


def least_squares(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float] | None:
    """(slope, intercept) of the ordinary least-squares line, for a scatter plot's trend line."""
    n = len(xs)
    if n < 2 or len(ys) != n:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    return slope, mean_y - slope * mean_x
