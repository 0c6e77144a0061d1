"""Reading indicator values back from the warehouse, for reports, the CLI and the rubric."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from openpeel.framework import Framework
from openpeel.indicators.catalogue import Indicator, catalogue


@dataclass(frozen=True)
class IndicatorValue:
    indicator: Indicator
    area_id: str
    period_end: dt.date
    base_period_end: dt.date | None
    numerator: float
    denominator: float
    value: float
    ci_low: float | None
    ci_high: float | None
    ew_value: float | None
    z_score: float | None
    is_significant: bool | None
    is_material: bool | None
    band: str | None
    rank: int | None
    rank_of: int | None
    source_ids: tuple[str, ...]

    @property
    def is_worse(self) -> bool:
        """Significantly and materially worse than England and Wales, by the indicator's direction."""
        if self.band in (None, "similar"):
            return False
        worse_band = "higher" if self.indicator.direction == "lower_is_better" else "lower"
        return self.band == worse_band

    @property
    def is_better(self) -> bool:
        return self.band not in (None, "similar") and not self.is_worse

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.indicator.id,
            "title": self.indicator.title,
            "unit": self.indicator.unit,
            "direction": self.indicator.direction,
            "area_id": self.area_id,
            "period_end": self.period_end.isoformat(),
            "base_period_end": self.base_period_end.isoformat() if self.base_period_end else None,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "england_wales_value": self.ew_value,
            "z_score": self.z_score,
            "is_significant": self.is_significant,
            "is_material": self.is_material,
            "band": self.band,
            "rank": self.rank,
            "rank_of": self.rank_of,
            "source_ids": list(self.source_ids),
        }


_COLUMNS = (
    "indicator_id, area_id, period_end, base_period_end, numerator, denominator, value, ci_low, ci_high, "
    "ew_value, z_score, is_significant, is_material, band, rank, rank_of, source_ids"
)


def _to_value(row: tuple[object, ...]) -> IndicatorValue:
    ind = catalogue().get(str(row[0]))
    sources = tuple(dict.fromkeys(s for s in str(row[16] or "").split(",") if s))
    fields = dict(zip(_COLUMNS.split(", ")[1:16], row[1:16], strict=True))
    return IndicatorValue(indicator=ind, source_ids=sources, **fields)  # type: ignore[arg-type]


def period_for(indicator: Indicator, framework: Framework) -> dt.date | None:
    period = framework.data_periods.get(indicator.period_family)
    return period.period_end if period else None


def values_for_year(
    con: duckdb.DuckDBPyConnection, framework: Framework, area_id: str | None = None
) -> list[IndicatorValue]:
    """Every catalogue indicator at the year's data period, for one area or all areas."""
    out: list[IndicatorValue] = []
    for ind in catalogue().indicators:
        period_end = period_for(ind, framework)
        if period_end is None:
            continue
        sql = f"SELECT {_COLUMNS} FROM ind_values WHERE indicator_id = ? AND period_end = ?"
        params: list[object] = [ind.id, period_end]
        if area_id is not None:
            sql += " AND area_id = ?"
            params.append(area_id)
        out.extend(_to_value(row) for row in con.execute(sql + " ORDER BY area_id", params).fetchall())
    return out


def values_by_indicator(
    con: duckdb.DuckDBPyConnection, framework: Framework, area_id: str
) -> dict[str, IndicatorValue]:
    return {v.indicator.id: v for v in values_for_year(con, framework, area_id)}


def source_files(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, object]]:
    rows = con.execute(
        "SELECT source_id, dataset, publisher, path, read_from, sha256 FROM meta_source_files"
    ).fetchall()
    return {
        str(r[0]): {"dataset": r[1], "publisher": r[2], "path": r[3], "read_from": r[4], "sha256": r[5]}
        for r in rows
    }
