"""The rule that decides whether a force differs from England and Wales, and how to say it.

A difference is worded ("higher", "fell faster") only when it is both:
- statistically significant: counts are treated as Poisson, and the force's value lies outside
  the 95% interval around England and Wales (|z| > 1.96 on the log scale); shares of a sample
  (kind "proportion": audited records, survey respondents) are binomial, z on the percentage
  scale; and
- material: at least the indicator's materiality threshold (a relative difference for rates,
  percentage points for changes and proportions), so that very large counts don't make trivial
  differences "significant".
England and Wales is treated as known exactly (it is 43 forces' worth of counts). A comparator
that is not (a peer group) passes its own counts, and its variance is added.
Otherwise the force is "broadly in line with" England and Wales. The same rule, written in SQL
by `band_sql`, fills ind_values.band; tests check the two agree on every stored row.
docs/methodology.md works through an example.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from openpeel.core.statistics import Z_95

Band = Literal["higher", "lower", "similar"]


@dataclass(frozen=True)
class Comparison:
    z_score: float | None
    is_significant: bool
    is_material: bool
    band: Band


def log_se(kind: str, numerator: float, denominator: float) -> float | None:
    """Standard error of log(value-ratio) for a rate (Poisson numerator) or a change (two Poisson counts)."""
    if numerator <= 0 or (kind == "change" and denominator <= 0):
        return None
    if kind == "rate":
        return math.sqrt(1.0 / numerator)
    return math.sqrt(1.0 / numerator + 1.0 / denominator)


def _proportion_z(
    value: float, comparator: float, denominator: float, comparator_denominator: float | None
) -> float | None:
    """z of a share (in %) against a comparator share; binomial variance at the comparator's share
    when the comparator is exact, else the sum of both samples' variances."""
    p, q = value / 100.0, comparator / 100.0
    if denominator <= 0:
        return None
    if comparator_denominator is None:
        var = q * (1 - q) / denominator
    else:
        if comparator_denominator <= 0:
            return None
        var = p * (1 - p) / denominator + q * (1 - q) / comparator_denominator
    return (p - q) / math.sqrt(var) if var > 0 else None


def compare(
    kind: str,
    value: float,
    ew_value: float,
    numerator: float,
    denominator: float,
    materiality: float,
    *,
    comparator_numerator: float | None = None,
    comparator_denominator: float | None = None,
) -> Comparison:
    """Compare a force's value with England and Wales (or peers) by the documented rule.

    `comparator_numerator`/`comparator_denominator` are the comparator's own counts when it is not
    exact (a peer group); England and Wales is passed without them.
    """
    z: float | None
    if kind == "proportion":
        is_material = abs(value - ew_value) >= materiality
        z = _proportion_z(value, ew_value, denominator, comparator_denominator)
    else:
        if kind == "rate":
            ratio = value / ew_value if ew_value > 0 else None
            is_material = ratio is not None and abs(ratio - 1.0) >= materiality
        else:
            # For changes, compare the ratios now/base: (1 + change/100).
            force_ratio, ew_ratio = 1.0 + value / 100.0, 1.0 + ew_value / 100.0
            ratio = force_ratio / ew_ratio if force_ratio > 0 and ew_ratio > 0 else None
            is_material = abs(value - ew_value) >= materiality
        se = log_se(kind, numerator, denominator)
        if se is not None and comparator_numerator is not None and comparator_denominator is not None:
            other = log_se(kind, comparator_numerator, comparator_denominator)
            se = math.sqrt(se**2 + other**2) if other is not None else None
        z = math.log(ratio) / se if ratio is not None and ratio > 0 and se else None
    is_significant = z is not None and abs(z) > Z_95
    band: Band = "similar"
    if is_significant and is_material:
        band = "higher" if value > ew_value else "lower"
    return Comparison(z, is_significant, is_material, band)


def wilson_interval(successes: float, trials: float, z: float = Z_95) -> tuple[float, float] | None:
    """Interval for a share (0-1) of a sample (Wilson score interval)."""
    if trials <= 0:
        return None
    p = min(max(successes / trials, 0.0), 1.0)
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return centre - half, centre + half


def poisson_interval(count: float) -> tuple[float, float] | None:
    """95% interval for a Poisson count (Byar's approximation, good for counts above ~10)."""
    if count <= 0:
        return None
    n = count
    low = n * (1 - 1 / (9 * n) - Z_95 / (3 * math.sqrt(n))) ** 3
    high = (n + 1) * (1 - 1 / (9 * (n + 1)) + Z_95 / (3 * math.sqrt(n + 1))) ** 3
    return low, high
