"""DuckDB's memory limit during an ingest: lowered for the run, then put back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from openpeel.core.errors import InputError
from openpeel.core.sql import sql_str

MEMORY_LIMIT = "512MB"
"""DuckDB's memory limit while an ingest runs into a warehouse file. DuckDB keeps the blocks it
writes cached up to its limit (80% of RAM by default), so an unbounded ingest grows with the
archive: 0.7 GB at 12 synthetic national months, 1.1 GB at 24. Capped, the peak stays near
0.6 GB at any size, for about 3% more time (docs/performance.md)."""


_MEMORY_SIZE = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def check_memory_limit(limit: str | None) -> None:
    if limit is not None and not _MEMORY_SIZE.fullmatch(limit.strip()):
        raise InputError(
            f"memory limit {limit!r} is not a size",
            field="memory_limit",
            hint="give a number and a unit, such as 512MB or 2GB",
        )


def _is_file_backed(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return bool(row and row[0])


@contextmanager
def memory_bounded(con: duckdb.DuckDBPyConnection, limit: str | None) -> Iterator[None]:
    """Run with DuckDB's memory limit at `limit`, then put the previous limit back.

    Not applied to an in-memory warehouse, whose data lives in that memory and must not be capped.
    """
    check_memory_limit(limit)
    if limit is None or not _is_file_backed(con):
        yield
        return
    row = con.execute("SELECT current_setting('memory_limit')").fetchone()
    before = str(row[0]) if row else None
    applied = False
    try:
        con.execute(f"SET memory_limit = {sql_str(limit)}")
        applied = True
    except duckdb.Error:
        pass  # more is already in use than the cap allows: an unbounded ingest beats a refused one
    try:
        yield
    finally:
        if applied:
            _restore_memory_limit(con, before)


def _restore_memory_limit(con: duckdb.DuckDBPyConnection, before: str | None) -> None:
    con.execute("RESET memory_limit")  # the default, exactly
    # fetchall, not fetchone: a result left unread would make the caller's next relation query
    # on `con` fail ("connection has an unfinished result").
    (now,) = con.execute("SELECT current_setting('memory_limit')").fetchall()[0]
    if before is None or str(now) == before:
        return
    # DuckDB shows a limit cut to one decimal ("2.7 GiB" for 2.79 GiB): setting the shown value
    # back would shrink the limit on every run, so aim at the middle of what the shown value covers.
    number, _, unit = before.partition(" ")
    decimals = len(number.partition(".")[2])
    con.execute(f"SET memory_limit = '{float(number) + 0.5 * 10**-decimals}{unit}'")
