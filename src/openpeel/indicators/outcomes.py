"""Outcome indicators for "How effective is the force at investigating offending?" (data.police.uk).

All logic is SQL over the data.police.uk record views (the Parquet lake), so it runs wherever the
data lives; the bulk SQL is shared with the lake's engines (openpeel.indicators.record_level).

Definitions
- A *crime* is a street-file row whose crime type is not anti-social behaviour, counted in the
  month it was recorded (the street file's month).
- Its *outcome* is the latest outcome published for its crime id in the outcomes files (newer
  outcomes supersede older ones); without one, the street file's `Last outcome category`.
- Outcomes fall into the groups of `code_lists/outcome_categories.csv`: charged or summonsed,
  out-of-court disposal, no suspect identified, evidential difficulties, still under
  investigation, other. A share is the group's crimes over all crimes in the period.
- *Months to outcome*: months from the crime's month to the month of that latest outcome record
  (only crimes with an outcome record count).
- *ASB share*: anti-social behaviour rows over all street rows (crimes + ASB).

Coverage: months with no street file for a force are *missing*, never zero. A summary over a
period with missing months covers only the months present and says so (`is_complete`,
`months_missing`, `caveats`). The England and Wales value is given only when all 43 territorial
forces have every month of the period; the peer value only when every peer does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from openpeel.core.months import month_text, months_between
from openpeel.core.sql import sql_str
from openpeel.forces import get_force, territorial_forces
from openpeel.indicators.record_level import crimes_sql, force_month_sql
from openpeel.ingest.police_uk.code_lists import OUTCOME_GROUP_LABELS, OUTCOME_GROUPS


@dataclass(frozen=True)
class OutcomeShare:
    group: str
    label: str
    crimes: int
    share: float
    ew_share: float | None
    peer_share: float | None


@dataclass(frozen=True)
class OutcomeSummary:
    """Outcome evidence for one force and period; see the module docstring for definitions."""

    force_id: str
    period_start: dt.date
    period_end: dt.date
    crimes: int
    shares: tuple[OutcomeShare, ...]
    asb_incidents: int
    asb_share: float
    ew_asb_share: float | None
    peer_asb_share: float | None
    median_months_to_outcome: float | None
    mean_months_to_outcome: float | None
    crimes_with_outcome_record: int
    ew_median_months_to_outcome: float | None
    months_covered: tuple[dt.date, ...]
    months_missing: tuple[dt.date, ...]
    months_with_outcome_files: tuple[dt.date, ...]
    peer_ids: tuple[str, ...]
    is_complete: bool
    has_ew_comparison: bool
    has_peer_comparison: bool
    caveats: tuple[str, ...]
    source_ids: tuple[str, ...]

    def share(self, group: str) -> OutcomeShare:
        return next(s for s in self.shares if s.group == group)


def _crimes_sql(where: str) -> str:
    return crimes_sql("raw_police_uk_street", "raw_police_uk_outcomes", where)


def _aggregate(con: duckdb.DuckDBPyConnection, where: str, params: list[object]) -> dict[str, object]:
    counts = ", ".join(f"count(*) FILTER (WHERE grp = {sql_str(g)}) AS {g}" for g in OUTCOME_GROUPS)
    row = con.execute(
        f"""SELECT count(*) FILTER (WHERE NOT is_asb) AS crimes, count(*) FILTER (WHERE is_asb) AS asb,
                   count(*) AS incidents, {counts}, median(lag) FILTER (WHERE NOT is_asb),
                   avg(lag) FILTER (WHERE NOT is_asb), count(lag) FILTER (WHERE NOT is_asb)
            FROM ({_crimes_sql(where)})""",
        params,
    ).fetchone()
    assert row is not None
    names = ["crimes", "asb", "incidents", *OUTCOME_GROUPS, "median_lag", "mean_lag", "with_record"]
    return dict(zip(names, row, strict=True))


def _covered(
    con: duckdb.DuckDBPyConnection, kind: str, forces: Sequence[str], start: dt.date, end: dt.date
) -> set[tuple[str, dt.date]]:
    rows = con.execute(
        "SELECT force_id, month FROM meta_police_uk_coverage WHERE file_kind = ? AND list_contains(?, force_id) "
        "AND month BETWEEN ? AND ?",
        [kind, list(forces), start, end],
    ).fetchall()
    return {(str(f), m) for f, m in rows}


def _share(part: object, whole: object) -> float | None:
    return float(part) / float(whole) if whole else None  # type: ignore[arg-type]


def outcome_summary(
    con: duckdb.DuckDBPyConnection,
    force_id: str,
    period_start: dt.date,
    period_end: dt.date,
    *,
    peers: Sequence[str] | None = None,
) -> OutcomeSummary | None:
    """Outcome shares, months to outcome and ASB share for a force over [period_start, period_end].

    Months are whole calendar months (the days of the dates are ignored). Returns None when the
    warehouse holds no street file for the force in the period. `peers` are force ids to compare
    with (default: the other territorial forces of the force's ONS region).
    """
    start, end = period_start.replace(day=1), period_end.replace(day=1)
    months = months_between(start, end)
    covered = _covered(con, "street", [force_id], start, end)
    if not covered:
        return None
    present = tuple(sorted(m for _, m in covered))
    missing = tuple(m for m in months if (force_id, m) not in covered)
    with_outcomes = tuple(sorted(m for _, m in _covered(con, "outcomes", [force_id], start, end)))
    own = _aggregate(con, "s.force_id = ? AND s.month BETWEEN ? AND ?", [force_id, start, end])

    ew_ids = [f.force_id for f in territorial_forces()]
    ew_cov = _covered(con, "street", ew_ids, start, end)
    has_ew = len(ew_cov) == len(ew_ids) * len(months)
    ew = (
        _aggregate(con, "list_contains(?, s.force_id) AND s.month BETWEEN ? AND ?", [ew_ids, start, end])
        if has_ew
        else None
    )

    force = get_force(force_id)
    peer_ids = tuple(
        peers
        if peers is not None
        else [f.force_id for f in territorial_forces() if f.region == force.region and f.force_id != force_id]
    )
    peer_cov = _covered(con, "street", peer_ids, start, end) if peer_ids else set()
    has_peers = bool(peer_ids) and len(peer_cov) == len(peer_ids) * len(months)
    peer = (
        _aggregate(
            con, "list_contains(?, s.force_id) AND s.month BETWEEN ? AND ?", [list(peer_ids), start, end]
        )
        if has_peers
        else None
    )

    shares = tuple(
        OutcomeShare(
            group=g,
            label=OUTCOME_GROUP_LABELS[g],
            crimes=int(own[g]),  # type: ignore[call-overload]
            share=_share(own[g], own["crimes"]) or 0.0,
            ew_share=_share(ew[g], ew["crimes"]) if ew else None,
            peer_share=_share(peer[g], peer["crimes"]) if peer else None,
        )
        for g in OUTCOME_GROUPS
    )
    caveats = []
    if missing:
        caveats.append(
            f"No data.police.uk street file for {len(missing)} of {len(months)} months "
            f"({', '.join(month_text(m) for m in missing)}): figures cover the other months only."
        )
    if not has_ew:
        gaps = len(ew_ids) * len(months) - len(ew_cov)
        caveats.append(
            f"No England and Wales comparison: {gaps} force-months of the 43 forces are missing for the period."
        )
    if peer_ids and not has_peers:
        caveats.append("No peer comparison: some peer force-months are missing for the period.")
    if len(with_outcomes) < len(present):
        caveats.append(
            f"Outcome files cover {len(with_outcomes)} of the {len(present)} months with crimes: other crimes are "
            "grouped by the last outcome category published in the street file, which may be out of date."
        )
    source_ids = tuple(
        str(r[0])
        for r in con.execute(
            "SELECT source_id FROM meta_police_uk_coverage WHERE force_id = ? AND month BETWEEN ? AND ? "
            "AND file_kind IN ('street', 'outcomes') ORDER BY source_id",
            [force_id, start, end],
        ).fetchall()
    )
    return OutcomeSummary(
        force_id=force_id,
        period_start=start,
        period_end=end,
        crimes=int(own["crimes"]),  # type: ignore[call-overload]
        shares=shares,
        asb_incidents=int(own["asb"]),  # type: ignore[call-overload]
        asb_share=_share(own["asb"], own["incidents"]) or 0.0,
        ew_asb_share=_share(ew["asb"], ew["incidents"]) if ew else None,
        peer_asb_share=_share(peer["asb"], peer["incidents"]) if peer else None,
        median_months_to_outcome=float(own["median_lag"]) if own["median_lag"] is not None else None,  # type: ignore[arg-type]
        mean_months_to_outcome=float(own["mean_lag"]) if own["mean_lag"] is not None else None,  # type: ignore[arg-type]
        crimes_with_outcome_record=int(own["with_record"]),  # type: ignore[call-overload]
        ew_median_months_to_outcome=float(ew["median_lag"]) if ew and ew["median_lag"] is not None else None,  # type: ignore[arg-type]
        months_covered=present,
        months_missing=missing,
        months_with_outcome_files=with_outcomes,
        peer_ids=peer_ids,
        is_complete=not missing,
        has_ew_comparison=has_ew,
        has_peer_comparison=has_peers,
        caveats=tuple(caveats),
        source_ids=source_ids,
    )


def outcome_indicators_by_force_month(
    con: duckdb.DuckDBPyConnection, period_start: dt.date | None = None, period_end: dt.date | None = None
) -> duckdb.DuckDBPyRelation:
    """Every force-month in bulk, one SQL pass: crimes, ASB, count and share per outcome group, months to outcome.

    Only force-months with a street file appear (a missing month is absent, not zero). Columns:
    force_id, month, crimes, asb_incidents, asb_share, <group> and <group>_share for each outcome
    group, median_months_to_outcome, crimes_with_outcome_record.

    The SQL is openpeel.indicators.record_level's, the same that runs on the lake and on Spark.
    """
    start = (period_start or dt.date(2010, 12, 1)).replace(day=1)
    end = (period_end or dt.date(2100, 1, 1)).replace(day=1)
    where = f"s.month BETWEEN DATE '{start.isoformat()}' AND DATE '{end.isoformat()}'"
    return con.sql(force_month_sql("raw_police_uk_street", "raw_police_uk_outcomes", where))
