"""Rewriting a lake of force-month files into month files (migration 11).

Before migration 11 the lake held one file per kind, month and force
(`kind=K/month=M/force=F/part.parquet`, force_id in the path only). Before that migration's SQL
runs, each month's force files are rewritten into the month's files (`kind=K/month=M/part-0.parquet`,
force_id a column, one force per row group: openpeel.warehouse.month_files), first into a staging
folder, then renamed into place, with the month's row count checked against the force files'
(from their Parquet metadata). The force files stay until the warehouse that records migration
11 is in place: they go in a `LakeCommit` of removals, held by `writing()` like an ingest's, so
a writer killed at any point leaves a warehouse whose views read a whole lake, the old one or
the new one. An interrupted rewrite is done again by the next attempt (its month files are
invisible to the old views, which read only `force=*/part.parquet`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from openpeel.core.errors import OpenpeelError
from openpeel.warehouse.lake import STAGING_PREFIX, LakeCommit, month_parts, remove_stale_staging
from openpeel.warehouse.lake_move import FORCE_MONTH_PART
from openpeel.warehouse.month_files import FORCE, RowSource, write_month


def force_month_files(root: Path) -> dict[tuple[str, str], dict[str, Path]]:
    """The lake's files of the force-month layout: (kind, month) -> force -> file."""
    found: dict[tuple[str, str], dict[str, Path]] = defaultdict(dict)
    for path in root.glob(f"kind=*/month=*/force=*/{FORCE_MONTH_PART}"):
        force, month, kind = (
            p.name.split("=", 1)[1] for p in (path.parent, path.parent.parent, path.parents[2])
        )
        found[(kind, month)][force] = path
    return dict(found)


def _reader(path: Path, force: str) -> RowSource:
    def read() -> pa.Table:
        rows = pq.read_table(path)
        return rows.append_column(FORCE, pa.repeat(pa.scalar(force), rows.num_rows))

    return read


def _rows(path: Path) -> int:
    return int(pq.ParquetFile(path).metadata.num_rows)


def _coverage_rows(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT count(*) FROM meta_police_uk_coverage").fetchone()
    return int(row[0]) if row else 0


def rewrite_into_month_files(con: duckdb.DuckDBPyConnection, root: Path | None) -> LakeCommit | None:
    """Write every month of the force-month files under `root` as month files, in place beside
    them; the commit that removes the force-month files (None if there were none)."""
    if root is None:
        if _coverage_rows(con):
            raise OpenpeelError(
                "this warehouse's data.police.uk records are in a Parquet lake whose files are rewritten "
                "one per month: open it with its lake named (openpeel --home DIR, or --db PATH for "
                "PATH-lake beside it)"
            )
        return None
    remove_stale_staging(root)  # an earlier attempt's, killed
    old = force_month_files(root) if root.is_dir() else {}
    if not old:
        return None
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-months-", dir=root))
    try:
        for (kind, month), forces in sorted(old.items()):
            place = root / f"kind={kind}" / f"month={month}"
            staged = staging / f"kind={kind}" / f"month={month}"
            parts = write_month(staged, kind, {f: _reader(p, f) for f, p in forces.items()})
            expected = sum(_rows(p) for p in forces.values())
            if sum(n for _, n in parts) != expected:
                raise OpenpeelError(
                    f"rewriting {place} into month files gave {sum(n for _, n in parts):,} rows, "
                    f"not the {expected:,} of its force files; nothing was changed"
                )
            for path, _ in parts:
                os.replace(path, place / path.name)
            for stale in month_parts(place)[len(parts) :]:  # left by an interrupted attempt
                stale.unlink()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return LakeCommit(root, removed=sorted(p for forces in old.values() for p in forces.values()))
