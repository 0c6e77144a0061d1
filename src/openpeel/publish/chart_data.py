"""The numbers behind the charts, read from `ind_values` with one query per indicator.

Everything a year's charts need (each force's series over time and the 43 forces side by side at
the year's data period) is loaded once into a `YearChartData`, so drawing 43 reports costs a
handful of queries, not hundreds.
"""

from __future__ import annotations

import datetime as dt
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
    return CrossSection(ind, period_end, ew, values)


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


@dataclass(frozen=True)
class GradeData:
    """How many forces got each grade, per graded question."""

    questions: tuple[str, ...]
    grades: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]  # counts[question][grade]


PlotData = TrendData | SectionData | GradeData
