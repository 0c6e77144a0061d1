"""What the warehouse holds of data.police.uk, force by month, what is missing, and what was refused.

A refused force-month (meta_police_uk_refusals: the latest file offered for it was not stored,
see acceptance.py) is shown as refused with its reason, never as "ingested, 0 rows"; whatever was
stored for it before is kept and still counted as stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
from rich.table import Table

from openpeel.core.errors import OpenpeelError
from openpeel.core.months import month_text, months_between
from openpeel.forces import all_areas
from openpeel.ingest.police_uk.layout import FileKind


def file_kind(text: str) -> FileKind:
    """A file kind by name; anything else is an error listing the kinds, never an empty table."""
    try:
        return FileKind(text)
    except ValueError:
        kinds = ", ".join(k.value for k in FileKind)
        raise OpenpeelError(f"unknown file kind {text!r}; choose one of {kinds}") from None


def expected_forces() -> list[str]:
    """Forces expected in every month of data.police.uk: the 43 and British Transport Police."""
    return [a.force_id for a in all_areas() if a.kind in ("territorial", "special")]


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


def refusals(
    con: duckdb.DuckDBPyConnection, kind: str, forces: Sequence[str] | None = None
) -> dict[tuple[str, dt.date], tuple[str, str, int]]:
    """(force, month) -> (refused file, reason, rows kept) of the refused force-months of a kind."""
    rows = con.execute(
        "SELECT force_id, month, source_path, reason, rows_kept FROM meta_police_uk_refusals WHERE file_kind = ?",
        [kind],
    ).fetchall()
    return {(str(f), m): (str(p), str(r), int(k)) for f, m, p, r, k in rows if not forces or str(f) in forces}


def refusal_lines(
    con: duckdb.DuckDBPyConnection, kind: str, forces: Sequence[str] | None = None
) -> list[str]:
    """One line per refused force-month: which file, why, and what was kept."""
    out = []
    for (force_id, month), (path, reason, kept) in sorted(refusals(con, kind, forces).items()):
        keeps = f"the {kept:,} rows stored before are kept" if kept else "nothing is stored for it"
        out.append(f"{force_id} {month_text(month)} {kind}: refused {path}: {reason}; {keeps}")
    return out


def coverage_rows(
    con: duckdb.DuckDBPyConnection, kind: str, forces: Sequence[str] | None = None
) -> list[tuple[object, ...]]:
    """One row per force-month of a kind stored or refused: force, month, kind, data lines, stored,
    quarantined, bytes, checksum (first 12), when, status (ingested or refused: refusal_lines says why)."""
    sql = (
        "SELECT force_id, month, file_kind, rows_in_file, rows_stored, rows_quarantined, bytes, left(sha256, 12), "
        "strftime(ingested_at, '%Y-%m-%d %H:%M') FROM meta_police_uk_coverage WHERE file_kind = ?"
    )
    params: list[object] = [kind]
    if forces:
        sql += " AND list_contains(?, force_id)"
        params.append(list(forces))
    stored = {(str(r[0]), r[1]): r for r in con.execute(sql, params).fetchall()}
    refused = refusals(con, kind, forces)
    out: list[tuple[object, ...]] = []
    for key in sorted({*stored, *refused}):
        force_id, month = key
        status = "refused" if key in refused else "ingested"
        row = stored.get(key)
        if row is None:  # nothing stored: the month is a gap, its refusal the only record
            out.append((force_id, month_text(month), kind, "-", 0, "-", "-", "-", "-", status))
        else:
            out.append((force_id, month_text(month), *row[2:], status))
    return out


def coverage_grid(
    con: duckdb.DuckDBPyConnection, kind: str, forces: Sequence[str] | None = None
) -> Table | None:
    """Forces down, years across: months present per year, gaps named, refused months counted."""
    rows = con.execute(
        "SELECT force_id, month FROM meta_police_uk_coverage WHERE file_kind = ?", [kind]
    ).fetchall()
    if not rows:
        return None
    have: dict[str, set[dt.date]] = {}
    for force_id, month in rows:
        have.setdefault(str(force_id), set()).add(month)
    refused: dict[str, int] = {}
    for force_id, _ in refusals(con, kind, forces):
        refused[force_id] = refused.get(force_id, 0) + 1
    first = min(m for ms in have.values() for m in ms)
    last = max(m for ms in have.values() for m in ms)
    all_months = months_between(first, last)
    years = sorted({m.year for m in all_months})
    table = Table(
        "force", *[str(y) for y in years], "missing", "refused", title=f"{kind}: months ingested per year"
    )
    for force_id in sorted(forces or {*expected_forces(), *have}):
        got = have.get(force_id, set())
        cells = []
        for year in years:
            in_year = [m for m in all_months if m.year == year]
            n = sum(1 for m in in_year if m in got)
            cells.append(f"{n}/{len(in_year)}")
        gaps = [month_text(m) for m in all_months if m not in got]
        gap_text = ", ".join(gaps[:6]) + (f" (+{len(gaps) - 6})" if len(gaps) > 6 else "")
        table.add_row(force_id, *cells, gap_text or "-", str(refused.get(force_id, "-")))
    return table


def coverage_records(
    con: duckdb.DuckDBPyConnection,
    kind: FileKind,
    forces: Sequence[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[dict[str, object]]:
    """One record per force x month x kind: every expected force for every month in range
    (default: the months any force has of this kind, stored or refused), a missing one marked,
    never left out; a refused one marked "refused" with the reason, its rows those kept."""
    rows = con.execute(
        "SELECT force_id, month, rows_stored, rows_quarantined, rows_in_file FROM meta_police_uk_coverage "
        "WHERE file_kind = ?",
        [kind.value],
    ).fetchall()
    found = {(str(f), m): (int(s), int(q), int(n)) for f, m, s, q, n in rows}
    refused = refusals(con, kind.value)
    months = sorted({m for _, m in found} | {m for _, m in refused})
    first = start or (months[0] if months else None)
    last = end or (months[-1] if months else None)
    if first is None or last is None:
        return []
    chosen = sorted(forces) if forces else sorted({*expected_forces(), *(f for f, _ in found)})
    out: list[dict[str, object]] = []
    for force_id in chosen:
        for month in months_between(first, last):
            got = found.get((force_id, month))
            why = refused.get((force_id, month))
            status = "refused" if why else "ingested" if got else "missing"
            out.append(
                {
                    "force_id": force_id,
                    "month": month_text(month),
                    "kind": kind.value,
                    "status": status,
                    "reason": why[1] if why else None,
                    "refused_file": why[0] if why else None,
                    "rows_stored": got[0] if got else 0,
                    "rows_quarantined": got[1] if got else 0,
                    "data_lines": got[2] if got else 0,
                }
            )
    return out


COVERAGE_COLUMNS = (
    "force_id",
    "month",
    "file_kind",
    "rows_stored",
    "rows_quarantined",
    "sha256",
    "ingested_at",
)
"""The columns of the coverage the API pages through, in their order."""


def coverage_page(
    con: duckdb.DuckDBPyConnection,
    *,
    force_id: str | None = None,
    kind: str | None = None,
    limit: int,
    offset: int,
) -> tuple[int, list[tuple[object, ...]]]:
    """One page of the files loaded (COVERAGE_COLUMNS, by force, month and kind) and how many
    there are in all; an unknown kind is an error naming the kinds."""
    where: list[str] = []
    params: list[object] = []
    if force_id is not None:
        where.append("force_id = ?")
        params.append(force_id)
    if kind is not None:
        where.append("file_kind = ?")
        params.append(file_kind(kind).value)
    source = "FROM meta_police_uk_coverage" + ((" WHERE " + " AND ".join(where)) if where else "")
    total = con.execute(f"SELECT count(*) {source}", params).fetchone()
    rows = con.execute(
        f"SELECT {', '.join(COVERAGE_COLUMNS)} {source} ORDER BY force_id, month, file_kind LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return (int(total[0]) if total else 0), rows
