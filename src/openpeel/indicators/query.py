"""Reading indicator values back from the warehouse, for reports, the CLI and the rubric."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import duckdb

from openpeel.framework import Framework
from openpeel.indicators.catalogue import Indicator, catalogue
from openpeel.indicators.recording_context import RecordingContext, recording_context


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
    # How sure the rank is (ind_rank_ranges; docs/methodology.md "Rank uncertainty").
    rank_best: int | None = None
    rank_worst: int | None = None
    significantly_above: int | None = None
    significantly_below: int | None = None
    # Comparison with peers (ind_peer_values): an imported most-similar set if any, else regional.
    peer_set: str | None = None
    peer_group: str | None = None
    peer_count: int | None = None
    peer_value: float | None = None
    peer_z_score: float | None = None
    peer_band: str | None = None
    peer_is_significant: bool | None = None
    # The spread between forces the comparison allowed for (ind_dispersion; dispersion.py).
    method: str | None = None
    dispersion_factor: float | None = None
    tau2: float | None = None
    history_periods: int | None = None

    def _worse_band(self) -> str:
        return "higher" if self.indicator.direction == "lower_is_better" else "lower"

    @cached_property
    def recording(self) -> RecordingContext | None:
        """What the inspectorate found about the force's recording in this figure's period or
        span, where it bears on the figure (indicators/recording_context.py)."""
        return recording_context(
            self.indicator, self.area_id, self.value, self.period_end, self.base_period_end
        )

    @property
    def is_direction_ambiguous(self) -> bool:
        """Neither a rise nor a fall is better or worse: counts that recording drives (the
        catalogue's recording caveat: sexual offences, violence), and any crime count of a force
        whose recording the inspectorate found wanting for the period."""
        return self.indicator.recording_caveat is not None or self.recording is not None

    def _flag(self, band: str | None, significant: bool | None) -> str | None:
        """'worse', 'better', 'unclear' (either way, where the direction is ambiguous) or None: a
        flag needs a difference that is both material (the band) and significant (the adjusted
        test)."""
        if not significant or band in (None, "similar"):
            return None
        if self.is_direction_ambiguous:
            return "unclear"
        return "worse" if band == self._worse_band() else "better"

    @property
    def flag(self) -> str | None:
        return self._flag(self.band, self.is_significant)

    @property
    def peer_flag(self) -> str | None:
        return self._flag(self.peer_band, self.peer_is_significant)

    @property
    def is_worse(self) -> bool:
        """Significantly (beyond the spread between forces) and materially worse than England and
        Wales, by the indicator's direction; never where the direction is ambiguous."""
        return self.flag == "worse"

    @property
    def is_better(self) -> bool:
        return self.flag == "better"

    @property
    def is_worse_than_peers(self) -> bool:
        return self.peer_flag == "worse"

    @property
    def is_better_than_peers(self) -> bool:
        return self.peer_flag == "better"

    def dispersion_json(self) -> dict[str, object]:
        return {
            "method": self.method,
            "dispersion_factor": self.dispersion_factor,
            "between_force_variance": self.tau2,
            "history_periods": self.history_periods,
        }

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
            "rank_best": self.rank_best,
            "rank_worst": self.rank_worst,
            "peer_set": self.peer_set,
            "peer_group": self.peer_group,
            "peer_count": self.peer_count,
            "peer_value": self.peer_value,
            "peer_z_score": self.peer_z_score,
            "peer_band": self.peer_band,
            "peer_is_significant": self.peer_is_significant,
            "comparator_kind": "england-and-wales",
            "flag": self.flag,
            "recording_caveat": self.indicator.recording_caveat.as_json()
            if self.indicator.recording_caveat
            else None,
            "recording_context": self.recording.as_json() if self.recording else None,
            "dispersion": self.dispersion_json(),
        }


_COLUMNS = (
    "indicator_id, area_id, period_end, base_period_end, numerator, denominator, value, ci_low, ci_high, "
    "ew_value, z_score, is_significant, is_material, band, rank, rank_of, source_ids"
)
_EXTRA = (
    "rank_best",
    "rank_worst",
    "significantly_above",
    "significantly_below",
    "peer_set",
    "peer_group",
    "peer_count",
    "peer_value",
    "peer_z_score",
    "peer_band",
    "peer_is_significant",
    "method",
    "dispersion_factor",
    "tau2",
    "history_periods",
)

# One statement for any selection of (indicator, period) pairs: the value, its rank range and its
# preferred peer comparison (an imported set before the shipped regional one).
_SELECT = f"""
SELECT {", ".join("v." + c for c in _COLUMNS.split(", "))},
       r.rank_best, r.rank_worst, r.significantly_above, r.significantly_below,
       p.peer_set, p.group_name, p.peer_count, p.peer_value, p.z_score, p.band, p.is_significant,
       d.method, d.dispersion_factor, d.tau2, d.history_periods
FROM ind_values v
LEFT JOIN ind_dispersion d ON d.indicator_id = v.indicator_id AND d.period_end = v.period_end
LEFT JOIN ind_rank_ranges r
  ON r.indicator_id = v.indicator_id AND r.area_id = v.area_id AND r.period_end = v.period_end
LEFT JOIN ind_peer_values p
  ON p.indicator_id = v.indicator_id AND p.area_id = v.area_id AND p.period_end = v.period_end
 AND (p.peer_set = ? OR (? IS NULL))
"""
_PREFER = (
    "QUALIFY row_number() OVER (PARTITION BY v.indicator_id, v.area_id, v.period_end "
    "ORDER BY (p.peer_set = 'region'), p.peer_set) = 1"
)


def _to_value(row: tuple[object, ...]) -> IndicatorValue:
    ind = catalogue().get(str(row[0]))
    sources = tuple(dict.fromkeys(s for s in str(row[16] or "").split(",") if s))
    fields = dict(zip(_COLUMNS.split(", ")[1:16], row[1:16], strict=True))
    fields.update(zip(_EXTRA, row[17:], strict=True))
    return IndicatorValue(indicator=ind, source_ids=sources, **fields)  # type: ignore[arg-type]


def fetch_values(
    con: duckdb.DuckDBPyConnection,
    where: str,
    params: list[object],
    *,
    peer_set: str | None = None,
    order: str = "v.indicator_id, v.area_id, v.period_end",
) -> list[IndicatorValue]:
    """Indicator values matching a WHERE clause on ind_values `v`, with rank range and peers."""
    sql = f"{_SELECT} WHERE {where} {_PREFER} ORDER BY {order}"
    return [_to_value(row) for row in con.execute(sql, [peer_set, peer_set, *params]).fetchall()]


def period_for(indicator: Indicator, framework: Framework) -> dt.date | None:
    period = framework.data_periods.get(indicator.period_family)
    return period.period_end if period else None


def values_for_year(
    con: duckdb.DuckDBPyConnection, framework: Framework, area_id: str | None = None
) -> list[IndicatorValue]:
    """Every catalogue indicator at the year's data period, for one area or all areas
    (catalogue order, then area id)."""
    cat = catalogue()
    pairs = [(ind.id, p) for ind in cat.indicators if (p := period_for(ind, framework)) is not None]
    if not pairs:
        return []
    where = "list_contains(?, v.indicator_id || '@' || strftime(v.period_end, '%Y-%m-%d'))"
    params: list[object] = [[f"{i}@{p.isoformat()}" for i, p in pairs]]
    if area_id is not None:
        where += " AND v.area_id = ?"
        params.append(area_id)
    values = fetch_values(con, where, params)
    position = {ind.id: n for n, ind in enumerate(cat.indicators)}
    values.sort(key=lambda v: (position[v.indicator.id], v.area_id))
    return values


def values_by_indicator(
    con: duckdb.DuckDBPyConnection, framework: Framework, area_id: str
) -> dict[str, IndicatorValue]:
    return {v.indicator.id: v for v in values_for_year(con, framework, area_id)}


def values_at(
    con: duckdb.DuckDBPyConnection, indicator_id: str, period_end: dt.date, area_id: str | None = None
) -> list[IndicatorValue]:
    """One indicator at one period, for one area or all areas (area id order)."""
    where, params = "v.indicator_id = ? AND v.period_end = ?", [indicator_id, period_end]
    if area_id is not None:
        where += " AND v.area_id = ?"
        params.append(area_id)
    return fetch_values(con, where, params)


def latest_period(
    con: duckdb.DuckDBPyConnection, indicator_id: str, on_or_before: dt.date | None = None
) -> dt.date | None:
    """The latest period an indicator has a value for (optionally on or before a date)."""
    row = con.execute(
        "SELECT max(period_end) FROM ind_values WHERE indicator_id = ? AND (? IS NULL OR period_end <= ?)",
        [indicator_id, on_or_before, on_or_before],
    ).fetchone()
    return row[0] if row and row[0] else None


def source_files(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, object]]:
    rows = con.execute(
        "SELECT source_id, dataset, publisher, path, read_from, sha256 FROM meta_source_files"
    ).fetchall()
    return {
        str(r[0]): {"dataset": r[1], "publisher": r[2], "path": r[3], "read_from": r[4], "sha256": r[5]}
        for r in rows
    }


VALUE_COLUMNS = (
    "indicator_id",
    "area_id",
    "period_end",
    "base_period_end",
    "value",
    "numerator",
    "denominator",
    "ci_low",
    "ci_high",
    "ew_value",
    "z_score",
    "is_significant",
    "is_material",
    "band",
    "rank",
    "rank_of",
    "source_ids",
)
"""The columns of `ind_values` that the API and downloads show, in their order."""


def value_rows(
    con: duckdb.DuckDBPyConnection,
    *,
    area_id: str | None = None,
    indicator_id: str | None = None,
    period_end: dt.date | None = None,
    at: list[tuple[str, dt.date]] | None = None,
    limit: int,
    offset: int,
) -> tuple[int, list[tuple[object, ...]]]:
    """One page of stored indicator values (VALUE_COLUMNS, by indicator, area and period) and how
    many match in all. `at` keeps only those (indicator, period) pairs: a PEEL year's periods."""
    where: list[str] = []
    params: list[object] = []
    for column, wanted in (("area_id", area_id), ("indicator_id", indicator_id), ("period_end", period_end)):
        if wanted is not None:
            where.append(f"{column} = ?")
            params.append(wanted)
    if at is not None:
        where.append("list_contains(?, indicator_id || '@' || strftime(period_end, '%Y-%m-%d'))")
        params.append([f"{i}@{p.isoformat()}" for i, p in at])
    source = "FROM ind_values" + ((" WHERE " + " AND ".join(where)) if where else "")
    total = con.execute(f"SELECT count(*) {source}", params).fetchone()
    rows = con.execute(
        f"SELECT {', '.join(VALUE_COLUMNS)} {source} ORDER BY indicator_id, area_id, period_end LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return (int(total[0]) if total else 0), rows
