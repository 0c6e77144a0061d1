"""The numbers behind the charts, read from `ind_values` with one query per indicator.

Everything a year's charts need (each force's series over time and the 43 forces side by side at
the year's data period) is loaded once into a `YearChartData`, so drawing 43 reports costs a
handful of queries, not hundreds.

Funnel plot limits (`control_limits`) are Spiegelhalter's (2005) random-effects limits: around
England and Wales, z standard errors where the variance is chance (Poisson for rates and changes,
binomial for shares, at the force's size) plus the between-force variance tau^2 the comparisons
allow for (ind_dispersion). A force outside the 95% limits is one the adjusted test calls
significant (up to the small difference between England and Wales and England and Wales
without the force).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import duckdb

from openpeel.forces import get_force, territorial_forces
from openpeel.framework import Framework
from openpeel.indicators.catalogue import Indicator, catalogue
from openpeel.indicators.query import period_for

# Beyond this many years back a trend line stops being about the inspection year.
TREND_YEARS = 8


@dataclass(frozen=True)
class TrendPoint:
    period_end: dt.date
    value: float | None
    ew_value: float | None


@dataclass(frozen=True)
class AreaValue:
    area_id: str
    name: str
    value: float
    ci_low: float | None
    ci_high: float | None
    numerator: float
    denominator: float
    band: str | None
    rank: int | None


@dataclass(frozen=True)
class CrossSection:
    """One indicator for every force at one period: what funnel plots and ranked bars draw."""

    indicator: Indicator
    period_end: dt.date
    ew_value: float | None
    rows: tuple[AreaValue, ...]
    # The between-force variance the comparisons allow for (None: not estimated; limits are then
    # chance alone) and how it was estimated.
    tau2: float | None = None
    method: str | None = None


def control_limits(
    ind: Indicator, ew_value: float, size: float, z: float, tau2: float | None = None
) -> tuple[float, float]:
    """Values between which a force of this size lies with probability given by z if it differs
    from England and Wales by no more than chance and the ordinary spread between forces (tau^2 on
    the log scale for rates and changes, the share scale for proportions)."""
    extra = tau2 or 0.0
    if ind.kind == "rate":
        expected = ew_value / ind.scale * size
        if expected <= 0:
            return (math.nan, math.nan)
        half = z * math.sqrt(1 / expected + extra)
        return (ew_value * math.exp(-half), ew_value * math.exp(half))
    if ind.kind == "change":
        ratio = 1 + ew_value / 100
        if ratio <= 0 or size <= 0:
            return (math.nan, math.nan)
        half = z * math.sqrt(1 / (ratio * size) + 1 / size + extra)
        return ((ratio * math.exp(-half) - 1) * 100, (ratio * math.exp(half) - 1) * 100)
    p = ew_value / 100
    half = z * math.sqrt(max(p * (1 - p), 0.0) / size + extra)
    return (max(0.0, p - half) * 100, min(1.0, p + half) * 100)


@dataclass
class YearChartData:
    year: int
    trends: dict[str, dict[str, tuple[TrendPoint, ...]]]
    sections: dict[str, CrossSection]

    def trend(self, indicator_id: str, area_id: str) -> tuple[TrendPoint, ...]:
        return self.trends.get(indicator_id, {}).get(area_id, ())


def _trend(
    con: duckdb.DuckDBPyConnection, ind: Indicator, period_end: dt.date
) -> dict[str, tuple[TrendPoint, ...]]:
    # Same month and day as the inspection period, so each point is a comparable 12-month period.
    rows = con.execute(
        """
        SELECT area_id, period_end, value, ew_value FROM ind_values
        WHERE indicator_id = ? AND period_end <= ? AND period_end > ?
          AND month(period_end) = ? AND day(period_end) = ?
        ORDER BY area_id, period_end
        """,
        [
            ind.id,
            period_end,
            period_end.replace(year=period_end.year - TREND_YEARS),
            period_end.month,
            period_end.day,
        ],
    ).fetchall()
    out: dict[str, list[TrendPoint]] = {}
    for area_id, end, value, ew in rows:
        out.setdefault(str(area_id), []).append(TrendPoint(end, value, ew))
    return {k: tuple(v) for k, v in out.items()}


def _section(con: duckdb.DuckDBPyConnection, ind: Indicator, period_end: dt.date) -> CrossSection:
    territorial = {f.force_id for f in territorial_forces()}
    rows = con.execute(
        """
        SELECT area_id, value, ci_low, ci_high, numerator, denominator, band, rank, ew_value
        FROM ind_values WHERE indicator_id = ? AND period_end = ? ORDER BY value, area_id
        """,
        [ind.id, period_end],
    ).fetchall()
    ew = next((r[8] for r in rows if r[8] is not None), None)
    values = tuple(
        AreaValue(str(r[0]), get_force(str(r[0])).name, *r[1:8]) for r in rows if r[0] in territorial
    )
    spread = con.execute(
        "SELECT tau2, method FROM ind_dispersion WHERE indicator_id = ? AND period_end = ?",
        [ind.id, period_end],
    ).fetchone()
    tau2, method = (spread[0], spread[1]) if spread else (None, None)
    return CrossSection(ind, period_end, ew, values, tau2, method)


def charted_indicators(framework: Framework) -> set[str]:
    """The indicators a report can chart: those its questions name."""
    return {
        i
        for pillar in framework.pillars
        for q in pillar.questions
        for i in (*q.primary_indicators, *q.supporting_indicators)
    }


def load_chart_data(
    con: duckdb.DuckDBPyConnection, framework: Framework, indicator_ids: set[str] | None = None
) -> YearChartData:
    """Series and cross-sections for the charted indicators (default) with a period in this PEEL year."""
    wanted = charted_indicators(framework) if indicator_ids is None else indicator_ids
    data = YearChartData(framework.year, {}, {})
    for ind in catalogue().indicators:
        if ind.id not in wanted:
            continue
        period_end = period_for(ind, framework)
        if period_end is None:
            continue
        data.sections[ind.id] = _section(con, ind, period_end)
        if ind.kind == "rate":
            data.trends[ind.id] = _trend(con, ind, period_end)
    return data


@dataclass(frozen=True)
class TrendData:
    """A force and England and Wales over time, for one rate indicator."""

    indicator: Indicator
    area_name: str
    points: tuple[TrendPoint, ...]


@dataclass(frozen=True)
class SectionData:
    """The 43 forces at one period, one of them highlighted (None: none)."""

    section: CrossSection
    area_id: str | None
    area_label: str | None = None  # the force's short name, written beside its marker
    peer_ids: tuple[str, ...] = ()
    """the highlighted force's peers (its region's forces), labelled on ranked bars"""


@dataclass(frozen=True)
class GradeData:
    """How many forces got each grade, per graded question."""

    questions: tuple[str, ...]
    grades: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]  # counts[question][grade]


@dataclass(frozen=True)
class TileData:
    """Where each force sits and which category colours it."""

    positions: tuple[tuple[str, int, int], ...]  # force id, column, row
    categories: tuple[tuple[str, str], ...]  # force id, category label
    colours: tuple[tuple[str, str], ...]  # category label, fill


PlotData = TrendData | SectionData | GradeData | TileData
