"""The national scan: for a PEEL year, every force's indicators that differ significantly and
materially from England and Wales -- the data-led view of where an inspection might look first."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from openpeel.forces import get_force
from openpeel.framework import Framework
from openpeel.indicators.query import IndicatorValue, values_for_year


@dataclass(frozen=True)
class ScanRow:
    force_id: str
    force_name: str
    indicator_id: str
    indicator_title: str
    period_end: str
    value: float
    comparator: str
    comparator_value: float
    direction: str  # "worse" or "better"
    z_score: float | None
    rank: int | None
    rank_of: int | None

    def as_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def _row(value: IndicatorValue) -> ScanRow:
    return ScanRow(
        force_id=value.area_id,
        force_name=get_force(value.area_id).name,
        indicator_id=value.indicator.id,
        indicator_title=value.indicator.title,
        period_end=value.period_end.isoformat(),
        value=value.value,
        comparator="England and Wales",
        comparator_value=value.ew_value if value.ew_value is not None else float("nan"),
        direction="worse" if value.is_worse else "better",
        z_score=value.z_score,
        rank=value.rank,
        rank_of=value.rank_of,
    )


def national_scan(con: duckdb.DuckDBPyConnection, framework: Framework) -> list[ScanRow]:
    """Rows for the 43 forces, worst first within each force, forces in id order."""
    rows = []
    for value in values_for_year(con, framework):
        if value.area_id == "england-and-wales" or not get_force(value.area_id).is_territorial:
            continue
        if value.is_worse or value.is_better:
            rows.append(_row(value))
    rows.sort(key=lambda r: (r.force_id, r.direction != "worse", -abs(r.z_score or 0.0)))
    return rows
