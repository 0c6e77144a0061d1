"""Opening the warehouse: where the file is, and bringing its schema up to date."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from openpeel.warehouse.migrations import migrate

DEFAULT_DB = Path("openpeel.duckdb")


def resolve_db_path(option: str | Path | None = None) -> Path:
    """`--db PATH`, else the OPENPEEL_DB environment variable, else ./openpeel.duckdb."""
    if option:
        return Path(option)
    env = os.environ.get("OPENPEEL_DB")
    if env:
        return Path(env)
    return DEFAULT_DB


def connect(path: str | Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse and apply pending migrations.

    `path=":memory:"` gives a throwaway in-memory warehouse, used by tests.
    """
    target = str(path) if path is not None else str(resolve_db_path())
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(target, read_only=read_only)
    con.execute("SET enable_progress_bar = false")  # it would print over the CLI's Rich progress bars
    if not read_only:
        migrate(con)
    return con


_DEPTH: dict[int, int] = {}


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: a failure inside leaves the warehouse exactly as it was.

    Nested uses join the outermost transaction, which alone commits or rolls back.
    """
    key = id(con)
    if _DEPTH.get(key):
        _DEPTH[key] += 1
        try:
            yield con
        finally:
            _DEPTH[key] -= 1
        return
    con.execute("BEGIN TRANSACTION")
    _DEPTH[key] = 1
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")
    finally:
        _DEPTH.pop(key, None)
