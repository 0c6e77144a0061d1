"""The rule that decides whether a force differs from England and Wales, and how to say it.

Two kinds of statement are kept apart (docs/methodology.md):

- **descriptive** ("higher", "a greater reduction"): the band. It needs only a *material*
  difference, at least the indicator's materiality threshold (a relative difference for rates,
  percentage points for changes and proportions), and says what the numbers say;
- **significant** ("significantly", data flags, the scan, the rubric's data rules): the force
  stands out from the ordinary spread between forces. The z-score compares the force with
  England and Wales *without the force* (or with its peers) and its variance adds, to the
  Poisson (binomial for shares of a sample) variance of both sides, the between-force variance
  tau^2 estimated for the indicator and period (indicators/dispersion.py). Without tau^2 the z
  is the plain Poisson one, the rule openpeel used before (kept for the back-test).

The same rule, in SQL, fills ind_values (indicators/adjust.py); tests check the two agree on
every stored row.
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


def is_material(kind: str, value: float, comparator: float, materiality: float) -> bool:
    """At least the indicator's threshold: relative for rates, in points for changes and shares."""
    if kind == "rate":
        return comparator > 0 and abs(value / comparator - 1.0) >= materiality
    return abs(value - comparator) >= materiality


def contrast(
    kind: str,
    value: float,
    comparator: float,
    numerator: float,
    denominator: float,
    comparator_numerator: float | None = None,
    comparator_denominator: float | None = None,
) -> tuple[float, float] | None:
    """(difference, its Poisson/binomial variance) on the scale the test works on: the log of the
    value for rates and changes, the share for proportions. An exact comparator (no counts) adds
    no variance of its own."""
    if kind == "proportion":
        return _share_contrast(value, comparator, denominator, comparator_numerator, comparator_denominator)
    se = log_se(kind, numerator, denominator)
    if comparator_numerator is not None and comparator_denominator is not None:
        other = log_se(kind, comparator_numerator, comparator_denominator)
        if se is None or other is None or comparator_denominator <= 0:
            return None
        counts_ratio = (numerator / denominator) / (comparator_numerator / comparator_denominator)
        return math.log(counts_ratio), se**2 + other**2
    ratio: float | None
    if kind == "rate":
        ratio = value / comparator if comparator > 0 else None
    else:
        force_ratio, ew_ratio = 1.0 + value / 100.0, 1.0 + comparator / 100.0
        ratio = force_ratio / ew_ratio if force_ratio > 0 and ew_ratio > 0 else None
    if ratio is None or ratio <= 0 or not se:
        return None
    return math.log(ratio), se**2


def _share_contrast(
    value: float,
    comparator: float,
    denominator: float,
    comparator_numerator: float | None,
    comparator_denominator: float | None,
) -> tuple[float, float] | None:
    """Binomial variance at the comparator's share when it is exact, else both samples' variances."""
    p = value / 100.0
    if denominator <= 0:
        return None
    if comparator_numerator is None or comparator_denominator is None:
        q = comparator / 100.0
        var = q * (1 - q) / denominator
    else:
        if comparator_denominator <= 0:
            return None
        q = comparator_numerator / comparator_denominator
        var = p * (1 - p) / denominator + q * (1 - q) / comparator_denominator
    return (p - q, var) if var > 0 else None


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
    tau2: float | None = None,
    overlap: float = 0.0,
) -> Comparison:
    """Compare a force's value with England and Wales (or peers) by the documented rule.

    `ew_value` is the comparator as shown (materiality and the band are measured against it).
    `comparator_numerator`/`comparator_denominator` are the counts the test compares with: England
    and Wales without the force, or the peers combined; without them the comparator is exact.
    `tau2` is the between-force variance (None: the plain Poisson test) and `overlap` the share
    of it left in the comparator (indicators/dispersion.overlap).
    """
    material = is_material(kind, value, ew_value, materiality)
    z: float | None = None
    found = contrast(
        kind, value, ew_value, numerator, denominator, comparator_numerator, comparator_denominator
    )
    if found is not None:
        difference, variance = found
        z = difference / math.sqrt(variance + (tau2 or 0.0) * (1.0 + overlap))
    band: Band = "similar"
    if material:
        band = "higher" if value > ew_value else "lower"
    return Comparison(z, z is not None and abs(z) > Z_95, material, band)


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
