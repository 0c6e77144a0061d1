"""What the warehouse holds of data.police.uk, force by month, and what is missing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
from rich.table import Table

from openpeel.ingest.police_uk.layout import add_months, month_text


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every first-of-month from start's month to end's month, inclusive."""
    first = start.replace(day=1)
    out = []
    while first <= end:
        out.append(first)
        first = add_months(first, 1)
    return out


def missing_months(
    con: duckdb.DuckDBPyConnection, kind: str, force_id: str, start: dt.date, end: dt.date
) -> list[dt.date]:
    """Months of the period with no file of this kind for the force (a gap, never a zero)."""
    have = {
        r[0]
        for r in con.execute(
            "SELECT month FROM meta_police_uk_coverage WHERE file_kind = ? AND force_id = ? AND month BETWEEN ? AND ?",
            [kind, force_id, start.replace(day=1), end],
        ).fetchall()
    }
    return [m for m in months_between(start, end) if m not in have]


def coverage_rows(
    con: duckdb.DuckDBPyConnection, kind: str, forces: Sequence[str] | None = None
) -> list[tuple[object, ...]]:
    sql = (
        "SELECT force_id, strftime(month, '%Y-%m'), file_kind, rows_in_file, rows_stored, rows_quarantined, bytes, "
        "left(sha256, 12), strftime(ingested_at, '%Y-%m-%d %H:%M') FROM meta_police_uk_coverage WHERE file_kind = ?"
    )
    params: list[object] = [kind]
    if forces:
        sql += " AND list_contains(?, force_id)"
        params.append(list(forces))
    return con.execute(sql + " ORDER BY force_id, month", params).fetchall()


def coverage_grid(
    con: duckdb.DuckDBPyConnection, kind: str, forces: Sequence[str] | None = None
) -> Table | None:
    """Forces down, years across: months present per year, gaps named."""
    rows = con.execute(
        "SELECT force_id, month FROM meta_police_uk_coverage WHERE file_kind = ?", [kind]
    ).fetchall()
    if not rows:
        return None
    have: dict[str, set[dt.date]] = {}
    for force_id, month in rows:
        have.setdefault(str(force_id), set()).add(month)
    first = min(m for ms in have.values() for m in ms)
    last = max(m for ms in have.values() for m in ms)
    all_months = months_between(first, last)
    years = sorted({m.year for m in all_months})
    table = Table("force", *[str(y) for y in years], "missing", title=f"{kind}: months ingested per year")
    for force_id in sorted(forces or have):
        got = have.get(force_id, set())
        cells = []
        for year in years:
            in_year = [m for m in all_months if m.year == year]
            n = sum(1 for m in in_year if m in got)
            cells.append(f"{n}/{len(in_year)}")
        gaps = [month_text(m) for m in all_months if m not in got]
        gap_text = ", ".join(gaps[:6]) + (f" (+{len(gaps) - 6})" if len(gaps) > 6 else "")
        table.add_row(force_id, *cells, gap_text or "-")
    return table
