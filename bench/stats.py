"""Small statistics shared by the benchmarks."""


def percentile(values: list[float], q: float) -> float:
    """The `q` quantile (0..1) by nearest rank: no interpolation, so it is always a measured value."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]
