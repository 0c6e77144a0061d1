"""A warehouse ready to read indicators from: statistics loaded and indicators computed on first
use, so any command works on a fresh home folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from openpeel.core.locations import Locations
from openpeel.indicators.compute import compute_indicators
from openpeel.ingest.official_statistics import LoadReport, load_official_statistics
from openpeel.warehouse import open_reader, writing
from openpeel.warehouse.migrations import MIGRATIONS, applied_versions_read_only


def has_statistics(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM core_recorded_crime").fetchone()
    return bool(row and row[0])


def prepare_warehouse(con: duckdb.DuckDBPyConnection, data_dir: Path | None) -> LoadReport:
    """Load the official statistics (the originals in `data_dir`, else the bundled table) and
    compute every indicator."""
    report = load_official_statistics(con, data_dir)
    compute_indicators(con)
    return report


def ready_warehouse(
    where: Locations,
    *,
    on_wait: Callable[[], None] | None = None,
    on_prepare: Callable[[], None] | None = None,
    after_prepare: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """The warehouse `where` names, read-only, holding statistics and indicators: loaded first
    (from `where.data`, else the bundled table) if it has none; then `after_prepare` runs on the
    new warehouse before it replaces the old one."""
    path = where.warehouse
    if path.exists():
        reader = open_reader(path)
        if has_statistics(reader) and is_current(reader):
            return reader
        reader.close()
    with writing(path, where.lake, on_wait=on_wait) as con:  # connecting applies pending migrations
        if not has_statistics(con):
            if on_prepare is not None:
                on_prepare()
            prepare_warehouse(con, where.data)
            if after_prepare is not None:
                after_prepare(con)
        elif not _indicators_current(con):
            # A warehouse from an earlier openpeel: its indicators are recomputed by this version.
            compute_indicators(con)
    return open_reader(path)


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Every migration applied and the indicators computed by this version's catalogue."""
    return applied_versions_read_only(con) >= {m.version for m in MIGRATIONS} and _indicators_current(con)


def _indicators_current(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM ind_dispersion").fetchone()
    return bool(row and row[0])
