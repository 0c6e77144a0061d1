"""Data for the two charts of an indicator (the publish stage draws them).

- Funnel plot, per indicator and period: the forces' values against their size (population for
  rates per resident, the base-period count for changes, the sample for proportions), with
  control limits at 95% and 99.8% around England and Wales. A force outside the 99.8% funnel
  is very unlikely to differ by chance alone. The limits use the same statistics as the
  comparison rule: Poisson counts for rates (Wilson-Hilferty quantiles), the log ratio of two
  Poisson counts for changes, the binomial for proportions.
- Trend, per force and indicator: every period the sources cover, with the 95% interval and the
  England and Wales (and peer) series beside it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass

import duckdb

from openpeel.core.statistics import Z_95, Z_998
from openpeel.forces import get_force
from openpeel.indicators.catalogue import Indicator, catalogue
from openpeel.indicators.compute import EW_ID
from openpeel.indicators.query import fetch_values

LIMIT_POINTS = 60


@dataclass(frozen=True)
class FunnelPoint:
    area_id: str
    name: str
    size: float
    value: float
    band: str | None
    is_ranked: bool


@dataclass(frozen=True)
class FunnelLimit:
    size: float
    low_95: float
    high_95: float
    low_998: float
    high_998: float


@dataclass(frozen=True)
class Funnel:
    indicator_id: str
    title: str
    unit: str
    period_end: dt.date
    size_label: str
    ew_value: float
    points: tuple[FunnelPoint, ...]
    limits: tuple[FunnelLimit, ...]

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["period_end"] = self.period_end.isoformat()
        return data


def _poisson_quantile(mean: float, z: float) -> float:
    """Approximate quantile of a Poisson count (Wilson-Hilferty), z standard normal."""
    if mean <= 0:
        return 0.0
    return max(0.0, mean * (1 - 1 / (9 * mean) + z / (3 * math.sqrt(mean))) ** 3)


def control_limits(ind: Indicator, ew_value: float, size: float, z: float) -> tuple[float, float]:
    """Values a force of this size would fall between with probability given by z, if it were
    England and Wales."""
    if ind.kind == "rate":
        expected = ew_value / ind.scale * size
        return (
            _poisson_quantile(expected, -z) / size * ind.scale,
            _poisson_quantile(expected, z) / size * ind.scale,
        )
    if ind.kind == "change":
        ratio = 1 + ew_value / 100
        if ratio <= 0:
            return (math.nan, math.nan)
        se = math.sqrt(1 / (ratio * size) + 1 / size)
        return ((ratio * math.exp(-z * se) - 1) * 100, (ratio * math.exp(z * se) - 1) * 100)
    p = ew_value / 100
    half = z * math.sqrt(max(p * (1 - p), 0.0) / size)
    return (max(0.0, p - half) * 100, min(1.0, p + half) * 100)


def _size_label(ind: Indicator) -> str:
    if ind.kind == "change":
        return "count in the base period"
    if ind.kind == "proportion":
        return "sample size"
    return "population" if "population" in ind.unit else "denominator"


def funnel(con: duckdb.DuckDBPyConnection, indicator_id: str, period_end: dt.date) -> Funnel | None:
    """The 43 forces at one period with limits, or None without an England and Wales value."""
    ind = catalogue().get(indicator_id)
    values = fetch_values(con, "v.indicator_id = ? AND v.period_end = ?", [indicator_id, period_end])
    ew = next((v for v in values if v.area_id == EW_ID), None)
    if ew is None:
        return None
    points = tuple(
        FunnelPoint(
            v.area_id,
            get_force(v.area_id).short_name,
            v.denominator,
            v.value,
            v.band,
            v.rank is not None,
        )
        for v in values
        if v.area_id != EW_ID and get_force(v.area_id).is_territorial
    )
    sizes = [p.size for p in points if p.is_ranked and p.size > 0]
    limits: list[FunnelLimit] = []
    if sizes:
        low, high = math.log(min(sizes) * 0.8), math.log(max(sizes) * 1.2)
        for step in range(LIMIT_POINTS):
            size = math.exp(low + (high - low) * step / (LIMIT_POINTS - 1))
            l95, h95 = control_limits(ind, ew.value, size, Z_95)
            l998, h998 = control_limits(ind, ew.value, size, Z_998)
            limits.append(FunnelLimit(size, l95, h95, l998, h998))
    return Funnel(ind.id, ind.title, ind.unit, period_end, _size_label(ind), ew.value, points, tuple(limits))


@dataclass(frozen=True)
class TrendPoint:
    period_end: dt.date
    value: float
    ci_low: float | None
    ci_high: float | None
    ew_value: float | None
    peer_value: float | None
    band: str | None
    rank: int | None
    rank_of: int | None


@dataclass(frozen=True)
class Trend:
    indicator_id: str
    title: str
    unit: str
    area_id: str
    points: tuple[TrendPoint, ...]

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        for point in data["points"]:
            point["period_end"] = point["period_end"].isoformat()
        return data


def trend(con: duckdb.DuckDBPyConnection, indicator_id: str, area_id: str) -> Trend:
    """Every period of one indicator for one force, oldest first, with England and Wales beside it."""
    ind = catalogue().get(indicator_id)
    values = fetch_values(
        con, "v.indicator_id = ? AND v.area_id = ?", [indicator_id, area_id], order="v.period_end"
    )
    points = tuple(
        TrendPoint(
            v.period_end, v.value, v.ci_low, v.ci_high, v.ew_value, v.peer_value, v.band, v.rank, v.rank_of
        )
        for v in values
    )
    return Trend(ind.id, ind.title, ind.unit, area_id, points)


def movement_since(trend_: Trend, earlier: dt.date, later: dt.date) -> tuple[TrendPoint, TrendPoint] | None:
    """The two points of a trend a report compares ("since the last assessment"), if both exist."""
    by_period = {p.period_end: p for p in trend_.points}
    if earlier in by_period and later in by_period:
        return by_period[earlier], by_period[later]
    return None
