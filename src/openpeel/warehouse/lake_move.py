"""Moving the data.police.uk records of a warehouse from before the lake into the lake (migration 9).

Warehouses before migration 9 kept the records in tables. Before that migration replaces the
tables with views, their rows are written to the lake in the layout of that time, one partition
file per kind, month and force (`kind=K/month=M/force=F/part.parquet`), each under a temporary
name and renamed into place; migration 11 then rewrites them into month files
(openpeel.warehouse.lake_months). The coverage, quarantine and source-file records stay as they
were, so nothing an earlier ingest stored is lost. A move interrupted before the warehouse is
replaced leaves the tables in the old warehouse, and the next attempt writes the same files again.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from openpeel.core.errors import OpenpeelError
from openpeel.core.sql import sql_str
from openpeel.warehouse.lake import LAKE_TABLES, STAGING_PREFIX, file_columns

LAKE_MOVED = 9
FORCE_MONTH_PART = "part.parquet"
"""The one file of a force-month in the lake's layout before month files (migrations 9 to 10)."""


def _is_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_name = ? AND table_type = 'BASE TABLE'",
        [name],
    ).fetchone()
    return bool(row and row[0])


def record_table_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows held in record tables (not views) of a warehouse from before the lake."""
    counts = {}
    for name in LAKE_TABLES.values():
        if _is_table(con, name):
            row = con.execute(f"SELECT count(*) FROM {name}").fetchone()
            if row and row[0]:
                counts[name] = int(row[0])
    return counts


def move_records_to_lake(con: duckdb.DuckDBPyConnection, root: Path | None) -> int:
    """Write the record tables' rows to the warehouse's lake `root`; the number of partition files
    written. A warehouse holding records must be opened with its lake named."""
    held = record_table_rows(con)
    if not held:
        return 0
    if root is None:
        listed = ", ".join(f"{n:,} {t}" for t, n in held.items())
        raise OpenpeelError(
            f"this warehouse holds data.police.uk records ({listed}) that move to its Parquet lake: "
            "open it with its lake named (openpeel --home DIR, or --db PATH for PATH-lake beside it)"
        )
    root.mkdir(parents=True, exist_ok=True)
    written = 0
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-move-", dir=root))
    try:
        for kind, name in LAKE_TABLES.items():
            if name not in held:
                continue
            # That layout kept force_id in the path, not in the file.
            columns = ", ".join(c for c, _ in file_columns(kind) if c != "force_id")
            target = staging / f"kind={kind}"
            con.execute(
                f"COPY (SELECT {columns}, strftime(month, '%Y-%m') AS month, force_id AS force FROM {name}) "
                f"TO {sql_str(str(target))} (FORMAT parquet, PARTITION_BY (month, force))"
            )
            for part_dir in sorted(p for p in target.glob("month=*/force=*") if p.is_dir()):
                files = sorted(part_dir.glob("*.parquet"))
                destination = root / f"kind={kind}" / part_dir.parent.name / part_dir.name / FORCE_MONTH_PART
                destination.parent.mkdir(parents=True, exist_ok=True)
                if len(files) > 1:
                    merged = part_dir / "merged.tmp"
                    con.execute(
                        f"COPY (SELECT * FROM read_parquet({sql_str(str(part_dir / '*.parquet'))})) "
                        f"TO {sql_str(str(merged))} (FORMAT parquet)"
                    )
                    files = [merged]
                os.replace(files[0], destination)
                written += 1
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written
