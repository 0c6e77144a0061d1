"""The SQL that reads data.police.uk files and writes their rows, shared by the fast path
(one statement per batch) and the row-by-row reload."""

from __future__ import annotations

from pathlib import Path

import duckdb

from openpeel.core.sql import quote_ident, sql_list, sql_str
from openpeel.ingest.police_uk.layout import FileKind
from openpeel.ingest.police_uk.schema import COLUMNS, DERIVED, DIALECT
from openpeel.warehouse.lake import file_columns


def read_csv_sql(paths: list[Path], kind: FileKind, *, typed: bool, extra: str = "") -> str:
    """One `read_csv` over files of one kind, with the published dialect and columns.

    With DuckDB's sniffer on, one read over files with different line endings applied the first
    file's ending to all: an LF file read as CRLF became one long header line and its rows
    vanished without an error. The dialect turns the sniffer off, so files of both endings can
    share a read (tested); the per-file line count check would catch a vanished file anyway.
    """
    cols = ", ".join(
        f"{sql_str(c.header)}: {sql_str(c.read_type if typed else 'VARCHAR')}" for c in COLUMNS[kind]
    )
    opts = ", ".join(
        f"{k}={'true' if v is True else 'false' if v is False else sql_str(str(v))}"
        for k, v in DIALECT.items()
    )
    return f"read_csv({sql_list([str(p) for p in paths])}, columns={{{cols}}}, {opts}{extra})"


def _targets(kind: FileKind) -> tuple[list[str], list[str]]:
    """Warehouse columns and the SQL (over typed source columns) that fills each."""
    names = ["force_id", "month"]
    exprs = ["f_force_id", "f_month"]
    for col in COLUMNS[kind]:
        if col.target:
            names.append(col.target)
            exprs.append(quote_ident(col.header))
    for target, expr in DERIVED.get(kind, {}).items():
        names.append(target)
        exprs.append(expr)
    return names, exprs


def lake_select(kind: FileKind) -> str:
    """The SELECT list of a month file's columns (typed as the registry says) from source columns;
    `month` is left out: the month file's path carries it."""
    names, exprs = _targets(kind)
    by_name = dict(zip(names, exprs, strict=True))
    return ", ".join(
        f"CAST({by_name[name]} AS {type_}) AS {name}" for name, type_ in file_columns(kind.value)
    )


def insert_rows_sql(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: list[str],
    rows: list[list[object]],
    *,
    replace: bool = False,
) -> None:
    """Insert many small rows in one statement (executemany costs a round trip per row)."""
    if not rows:
        return
    by_column = [list(c) for c in zip(*rows, strict=True)]
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    unnests = ", ".join(f"unnest(${i + 1})" for i in range(len(columns)))
    con.execute(f"{verb} INTO {table} ({', '.join(columns)}) SELECT {unnests}", by_column)
