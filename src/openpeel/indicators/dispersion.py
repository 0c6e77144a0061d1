"""How much forces ordinarily differ: the between-force spread of every indicator and period.

Forces differ from each other far more than Poisson chance allows, so a test that treats each
force's count as Poisson calls nearly every force "significantly" different. Following
Spiegelhalter (2005, "Funnel plots for comparing institutional performance", Statistics in
Medicine 24:1185-1202, and "Handling over-dispersion of performance indicators", Quality and
Safety in Health Care 14:347-351), per indicator and period:

1. each ranked force i is compared with England and Wales *without force i* (the Metropolitan
   Police is a fifth of the total): x_i - x0_i on the log scale (rates, changes) or the share
   scale (proportions), with Poisson or binomial variance s_i^2 (both sides);
2. the z-scores are winsorised at their 10th and 90th percentiles, so a few outlying forces do
   not inflate the spread they are judged against; phi = mean of the winsorised z^2 is the
   multiplicative overdispersion factor;
3. the additive random-effects variance (DerSimonian and Laird, 1986) follows from it:
   tau^2 = max(0, (n phi - (n - 1)) / (sum w - sum w^2 / sum w)), with w_i = 1 / s_i^2;
4. for changes over time, "a normal year-to-year wobble" is measured from the history: tau^2 is
   the mean of the cross-section estimates over every period of the series up to this one;
5. the adjusted z is (x_i - x0_i) / sqrt(s_i^2 + tau^2 (1 + h_i)), where h_i = sum_j d_j^2 /
   (sum_j d_j)^2 over the other forces is how much of the spread survives in their combined
   value (d the population, base count or sample size the comparator is weighted by).

A force is significantly different when |adjusted z| > 1.96: it stands out from the ordinary
spread, not merely from Poisson noise. The same tau^2 serves the peer comparison and the rank
ranges. This module holds the estimators in Python (tests check them against a hand-computed
case and against the SQL, which computes them for the whole catalogue at once).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from openpeel.core.statistics import (
    MIN_FORCES_FOR_SPREAD,
    WINSOR_HIGH,
    WINSOR_LOW,
    Z_95,
)

METHOD = "random-effects"
METHOD_LABEL = (
    "random-effects (DerSimonian-Laird variance from z-scores winsorised at 10% and 90%, "
    "Spiegelhalter 2005), against England and Wales without the force"
)


def quantile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (DuckDB's quantile_cont, numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def winsorise(values: Sequence[float], low: float = WINSOR_LOW, high: float = WINSOR_HIGH) -> list[float]:
    """Values pulled in to their `low` and `high` percentiles."""
    floor, ceiling = quantile(values, low), quantile(values, high)
    return [min(max(v, floor), ceiling) for v in values]


def dispersion_factor(z_scores: Sequence[float]) -> float:
    """Spiegelhalter's multiplicative overdispersion factor: the mean winsorised z^2."""
    return sum(z * z for z in winsorise(z_scores)) / len(z_scores)


def between_force_variance(z_scores: Sequence[float], variances: Sequence[float]) -> float | None:
    """The additive random-effects variance tau^2 (DerSimonian-Laird, from winsorised z-scores);
    None when too few forces to estimate a spread."""
    n = len(z_scores)
    if n < MIN_FORCES_FOR_SPREAD or n != len(variances):
        return None
    phi = dispersion_factor(z_scores)
    weights = [1.0 / v for v in variances]
    total = sum(weights)
    spread = total - sum(w * w for w in weights) / total
    return max(0.0, (n * phi - (n - 1)) / spread) if spread > 0 else None


def overlap(weight: float, weights_total: float, weights_squared_total: float) -> float:
    """h_i: the share of tau^2 left in the combined value of the forces other than this one."""
    rest = weights_total - weight
    return (weights_squared_total - weight * weight) / (rest * rest) if rest > 0 else 0.0


@dataclass(frozen=True)
class Dispersion:
    """The spread an indicator's comparisons allow for at one period (a row of ind_dispersion)."""

    method: str
    forces: int
    dispersion_factor: float | None
    tau2_cross_section: float | None
    tau2: float | None
    history_periods: int
    rank_variance: float | None

    def as_json(self) -> dict[str, object]:
        return {
            "method": self.method,
            "forces": self.forces,
            "dispersion_factor": self.dispersion_factor,
            "between_force_variance": self.tau2,
            "between_force_sd": math.sqrt(self.tau2) if self.tau2 is not None else None,
            "cross_section_variance": self.tau2_cross_section,
            "history_periods": self.history_periods,
            "rank_variance": self.rank_variance,
        }


def adjusted_z(difference: float, variance: float, tau2: float, overlap_share: float = 0.0) -> float:
    """z of a difference x - x0 with Poisson/binomial variance `variance` (both sides) allowing
    for the between-force spread."""
    return difference / math.sqrt(variance + tau2 * (1.0 + overlap_share))


def is_significant(z: float | None) -> bool:
    return z is not None and abs(z) > Z_95
