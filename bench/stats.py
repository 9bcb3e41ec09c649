"""Small statistics shared by the benchmarks."""

import math


def percentile(values: list[float], q: float) -> float:
    """The `q` quantile (0..1) by nearest rank: no interpolation, so it is always a measured value."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def p50_p99(values: list[float]) -> tuple[float, float]:
    """The median and the 99th percentile (nearest rank); NaN for no values, so that a row whose requests all
    failed still prints (as `nan`) instead of ending the run."""
    if not values:
        return math.nan, math.nan
    return percentile(values, 0.5), percentile(values, 0.99)


def ratio(numerator: float, denominator: float) -> float:
    """`numerator / denominator`, NaN when the denominator is not positive or either side is NaN: a ratio of an
    added cost to a baseline that added nothing (or was not measured) has no meaning."""
    if math.isnan(numerator) or math.isnan(denominator) or denominator <= 0:
        return math.nan
    return numerator / denominator
