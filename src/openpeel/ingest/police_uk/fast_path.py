"""The fast path: one statement reads a batch's files of one kind and returns, file by file, the
rows that pass every check, as Arrow tables ready for the month files.

The statement reads with the published dialect and column types, checks every row (validate.py)
in its WHERE clause, and computes the lake's columns, in one pass over the bytes. Rows that fail
a check, or that DuckDB cannot parse (`ignore_errors`), are left out: the caller compares each
file's rows with its line count and sends a file that comes up short to the row-by-row path.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from openpeel.core.errors import InputError
from openpeel.core.months import month_text
from openpeel.ingest.police_uk.layout import FileKind
from openpeel.ingest.police_uk.prepared_files import PreparedFile
from openpeel.ingest.police_uk.statements import insert_rows_sql, lake_select, read_csv_sql
from openpeel.ingest.police_uk.validate import all_valid, force_labels
from openpeel.warehouse.disk import disk_error

_FILE = "__file"


def register_files(con: duckdb.DuckDBPyConnection, prepared: list[PreparedFile]) -> None:
    """The per-file values the checks compare rows with, in the temp table `_pu_files`."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _pu_files (idx INTEGER, path VARCHAR, f_force_id VARCHAR, "
        "f_month DATE, f_month_text VARCHAR, f_labels VARCHAR[])"
    )
    insert_rows_sql(
        con,
        "_pu_files",
        ["idx", "path", "f_force_id", "f_month", "f_month_text", "f_labels"],
        [
            [
                i,
                str(p.local_path),
                p.source.force_id,
                p.source.month,
                month_text(p.source.month),
                force_labels(p.source.force_id),
            ]
            for i, p in enumerate(prepared)
        ],
    )


def good_rows(
    con: duckdb.DuckDBPyConnection, kind: FileKind, prepared: list[PreparedFile]
) -> list[pa.Table | None]:
    """Every good row of the files (registered with `register_files`), file by file in their order:
    None for a file with no good row."""
    reader = read_csv_sql(
        [p.local_path for p in prepared], kind, typed=True, extra=", filename=true, ignore_errors=true"
    )
    sql = (
        f"SELECT f.idx AS {_FILE}, {lake_select(kind)} FROM {reader} AS r "
        f"JOIN _pu_files AS f ON r.filename = f.path WHERE {all_valid(kind)}"
    )
    try:
        rows = con.sql(sql).to_arrow_table()
    except duckdb.OutOfMemoryException:
        raise  # not the files' fault: ingest() names the memory limit
    except duckdb.Error as exc:
        found = disk_error(exc)
        if found is not None:  # the disk's fault, not the files'
            raise found from None
        raise InputError(
            f"DuckDB could not read these {kind.value} files: {exc}",
            path=", ".join(p.source.display_path for p in prepared[:3])
            + (" ..." if len(prepared) > 3 else ""),
            hint="check the files are the published CSVs",
        ) from None
    return by_file(rows, len(prepared))


def by_file(rows: pa.Table, files: int) -> list[pa.Table | None]:
    """Split rows by their `__file` column, without copying: DuckDB returns a file's rows in runs
    (in file order, mostly), and each run is a slice of the table. (numpy finds the runs: pyarrow
    imports it anyway, where pyarrow.compute would cost a tenth of a second more to import.)"""
    index = rows.column(_FILE)
    rest = rows.drop_columns([_FILE])
    pieces: list[list[pa.Table]] = [[] for _ in range(files)]
    offset = 0
    for chunk in index.chunks:
        if len(chunk) == 0:
            continue
        # The int32 values in place (Array.to_numpy would import pandas: a third of a second).
        data = chunk.buffers()[1]
        assert data is not None and chunk.null_count == 0 and chunk.type == pa.int32()
        values = np.frombuffer(memoryview(data), dtype=np.int32, count=len(chunk), offset=chunk.offset * 4)
        starts = np.concatenate(([0], np.flatnonzero(values[1:] != values[:-1]) + 1))
        ends = np.append(starts[1:], len(values))
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            pieces[int(values[start])].append(rest.slice(offset + start, end - start))
        offset += len(values)
    return [pa.concat_tables(p) if p else None for p in pieces]


def piece_path(folder: Path, prepared: PreparedFile) -> Path:
    """Where the row-by-row path writes a file's good rows."""
    s = prepared.source
    return folder / f"{s.kind.value}-{month_text(s.month)}-{s.force_id}.parquet"
