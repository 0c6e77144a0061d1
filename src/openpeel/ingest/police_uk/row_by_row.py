"""The row-by-row reload of a file the fast path came up short on: every good row written to a
Parquet file of its own (which the month file takes), every bad one counted by field and the
first of them kept with their line, field, reason and original bytes, and every line of the file
accounted for, or the run fails.

Bounded whatever the file's size: the file is streamed (records.records_from), CHUNK_RECORDS
records at a time are staged in the work folder and checked by the same SQL as the fast path;
each chunk's good rows go to a Parquet piece of their own; the first bounds.QUARANTINE_KEEP bad
rows of the file wait in the temp table `_pu_bad` (the caller moves them to meta_quarantine only if
it keeps the file), the rest are counted. `stop(bad rows so far)` lets the caller end the reading
as soon as the file is sure to be refused, so a file of a million bad rows costs one chunk.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import itertools
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

import duckdb

from openpeel.core.errors import InputError
from openpeel.core.months import month_text
from openpeel.core.sql import quote_ident, sql_list, sql_str
from openpeel.ingest.police_uk import bounds
from openpeel.ingest.police_uk.layout import FileKind
from openpeel.ingest.police_uk.prepared_files import PreparedFile
from openpeel.ingest.police_uk.records import Record, records_from
from openpeel.ingest.police_uk.schema import COLUMNS
from openpeel.ingest.police_uk.statements import insert_rows_sql, lake_select
from openpeel.ingest.police_uk.validate import first_failure
from openpeel.warehouse.disk import on_disk

CHUNK_RECORDS = 50_000
"""Records checked per statement: about 50 MB of staged rows, well inside the ingest's memory limit."""

_BAD_COLUMNS = ["line", "field", "reason", "raw_text", "raw_bytes"]
_BAD_DDL = "(line BIGINT, field VARCHAR, reason VARCHAR, raw_text VARCHAR, raw_bytes BLOB)"


@dataclass
class SlowResult:
    stored: int = 0
    """Rows that passed every check (written to the file's Parquet piece when `complete`)."""
    quarantined: int = 0
    """Records that failed, all counted; the first bounds.QUARANTINE_KEEP are in `_pu_bad`."""
    records: int = 0
    lines: int = 0
    complete: bool = True
    """False when `stop` ended the reading early: the counts cover the records read so far."""
    by_field: Counter[str] = field(default_factory=Counter)


def _open_staged(path: Path) -> TextIO:
    """The staged chunk, opened for writing (a seam the disk-full tests replace)."""
    return path.open("w", newline="", encoding="utf-8")


@dataclass
class _Chunk:
    staged: int = 0
    unreadable: list[Record] = field(default_factory=list)
    unreadable_count: int = 0


def _stage(chunk_records: Iterable[Record], staged: Path, width: int, result: SlowResult) -> _Chunk:
    """Write a chunk's readable records (line, fields, text, original bytes, line span) to `staged`."""
    chunk = _Chunk()
    with on_disk(staged), _open_staged(staged) as fh:
        writer = csv.writer(fh, lineterminator="\n")
        for record in chunk_records:
            result.records += 1
            result.lines += record.lines
            if record.fields is not None and len(record.fields) != width:
                shape = (
                    "blank line" if not record.fields else f"{len(record.fields)} fields, expected {width}"
                )
                record = replace(record, fields=None, problem=shape)
            if record.fields is None:
                chunk.unreadable_count += 1
                if len(chunk.unreadable) < bounds.QUARANTINE_KEEP:
                    chunk.unreadable.append(record)
                continue
            raw = base64.b64encode(record.raw).decode()
            writer.writerow([record.line, *record.fields, ",".join(record.fields), raw, record.lines])
            chunk.staged += 1
    return chunk


def _staged_reader(staged: Path, headers: list[str]) -> str:
    columns = ", ".join(f"{sql_str(h)}: 'VARCHAR'" for h in headers)
    return (
        f"read_csv({sql_list([str(staged)])}, columns={{'__line': 'BIGINT', {columns}, "
        "'__raw': 'VARCHAR', '__raw_b64': 'VARCHAR', '__lines': 'BIGINT'}, "
        "delim=',', quote='\"', escape='\"', header=false, strict_mode=true)"
    )


def _typed_columns(kind: FileKind) -> list[str]:
    typed_cols = []
    for col in COLUMNS[kind]:
        q = quote_ident(col.header)
        if col.read_type == "VARCHAR":
            typed_cols.append(q)
        else:
            typed_cols.append(f"TRY_CAST({q} AS {col.read_type}) AS {q}")
            typed_cols.append(f"{q} AS {quote_ident(col.header + '__text')}")
    return typed_cols


_THIS_FILE = "(SELECT * FROM _pu_files WHERE path = ?) AS f"


def _check_chunk(
    con: duckdb.DuckDBPyConnection,
    prepared: PreparedFile,
    staged: Path,
    chunk: _Chunk,
    piece: Path,
    result: SlowResult,
) -> bool:
    """Run the checks over a staged chunk: good rows to `piece`, the first bad ones to `_pu_bad`;
    True if `piece` was written."""
    kind = prepared.source.kind
    headers = [c.header for c in COLUMNS[kind]]
    field_sql, reason_sql = first_failure(kind)
    here = [str(prepared.local_path)]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _pu_slow AS "
        f"SELECT t.*, {field_sql} AS __field, {reason_sql} AS __reason FROM "
        f"(SELECT __line, __raw, from_base64(__raw_b64) AS __bytes, __lines, {', '.join(_typed_columns(kind))} "
        f"FROM {_staged_reader(staged, headers)}) AS t, {_THIS_FILE}",
        here,
    )
    counts = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE __field IS NULL), list(__field) FILTER (WHERE __field IS NOT NULL) "
        "FROM _pu_slow"
    ).fetchone()
    assert counts is not None
    read, good, bad_fields = int(counts[0]), int(counts[1]), list(counts[2] or [])
    if read != chunk.staged:
        raise InputError(
            f"{chunk.staged} rows were staged for checking but {read} were read back",
            path=prepared.source.display_path,
            hint="openpeel refuses to lose rows silently; please report this",
        )
    if good:
        # A file name cannot be a prepared parameter of COPY: it is quoted into the statement.
        con.execute(
            f"COPY (SELECT {lake_select(kind)} FROM _pu_slow, {_THIS_FILE} WHERE __field IS NULL ORDER BY __line) "
            f"TO {sql_str(str(piece))} (FORMAT parquet)",
            here,
        )
    kept_row = con.execute("SELECT count(*) FROM _pu_bad").fetchone()
    room = bounds.QUARANTINE_KEEP - (int(kept_row[0]) if kept_row else 0)
    if room > 0:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _pu_chunk_bad AS SELECT __line AS line, __field AS field, "
            "__reason AS reason, __raw AS raw_text, __bytes AS raw_bytes FROM _pu_slow "
            "WHERE __field IS NOT NULL ORDER BY __line LIMIT ?",
            [room],
        )
        insert_rows_sql(
            con,
            "_pu_chunk_bad",
            _BAD_COLUMNS,
            [[r.line, "(row)", r.problem, r.text, r.raw] for r in chunk.unreadable[:room]],
        )
        con.execute("INSERT INTO _pu_bad SELECT * FROM _pu_chunk_bad ORDER BY line LIMIT ?", [room])
    result.stored += good
    result.quarantined += len(bad_fields) + chunk.unreadable_count
    result.by_field.update(bad_fields)
    if chunk.unreadable_count:
        result.by_field["(row)"] += chunk.unreadable_count
    return good > 0


def slow_load(
    con: duckdb.DuckDBPyConnection,
    prepared: PreparedFile,
    workdir: Path,
    part: Path,
    *,
    stop: Callable[[int], bool] = lambda bad: False,
) -> SlowResult:
    """Row-by-row reload of one file: its good rows written to the Parquet file `part` (when
    there are any and the reading was not stopped), the first of its bad rows left in `_pu_bad`."""
    source = prepared.source
    width = len(COLUMNS[source.kind])
    name = f"slow-{source.force_id}-{month_text(source.month)}-{source.kind.value}"
    staged = workdir / f"{name}.csv"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _pu_bad {_BAD_DDL}")
    result = SlowResult()
    pieces: list[Path] = []
    try:
        with prepared.local_path.open("rb") as fh:
            stream = records_from(fh)
            for number in itertools.count():
                chunk = _stage(itertools.islice(stream, CHUNK_RECORDS), staged, width, result)
                if chunk.staged + chunk.unreadable_count == 0:
                    break
                piece = workdir / f"{name}-{number}.parquet"
                if _check_chunk(con, prepared, staged, chunk, piece, result):
                    pieces.append(piece)
                full = chunk.staged + chunk.unreadable_count == CHUNK_RECORDS
                if full and stop(result.quarantined):
                    result.complete = False
                    return result
        _check_conservation(prepared, result)
        if pieces:
            _write_part(con, pieces, part)
        return result
    finally:
        staged.unlink(missing_ok=True)
        for piece in pieces:
            piece.unlink(missing_ok=True)


def _write_part(con: duckdb.DuckDBPyConnection, pieces: list[Path], part: Path) -> None:
    part.parent.mkdir(parents=True, exist_ok=True)
    if len(pieces) == 1:
        os.replace(pieces[0], part)
        return
    # The pieces are in line order, and DuckDB reads a list of files in order (insertion order is kept).
    con.execute(
        f"COPY (SELECT * FROM read_parquet({sql_list([str(p) for p in pieces])})) TO {sql_str(str(part))} (FORMAT parquet)"
    )


def _check_conservation(prepared: PreparedFile, result: SlowResult) -> None:
    """Every line of the file is in a stored or a quarantined record, or the run fails."""
    if result.stored + result.quarantined != result.records or result.lines != prepared.rows_in_file:
        raise InputError(
            f"{prepared.rows_in_file} data lines in {result.records} CSV records, but {result.stored} rows "
            f"stored and {result.quarantined} quarantined, covering {result.lines} lines",
            path=prepared.source.display_path,
            hint="compare the file with the published one; openpeel refuses to lose rows silently",
        )


def quarantine_kept(con: duckdb.DuckDBPyConnection, prepared: PreparedFile, now: dt.datetime) -> None:
    """Move the kept bad rows of the file just reloaded (in `_pu_bad`) to meta_quarantine."""
    source = prepared.source
    con.execute(
        "INSERT INTO meta_quarantine (dataset, source_id, source_path, line, field, reason, raw_text, "
        "quarantined_at, raw_bytes) SELECT ?, ?, ?, line, field, reason, raw_text, ?, raw_bytes FROM _pu_bad",
        [source.kind.dataset, source.source_id, source.display_path, now],
    )


def first_kept(con: duckdb.DuckDBPyConnection) -> tuple[int, str, str] | None:
    """(line, field, reason) of the first bad row of the file just reloaded."""
    row = con.execute("SELECT line, field, reason FROM _pu_bad ORDER BY line LIMIT 1").fetchone()
    return (int(row[0]), str(row[1]), str(row[2])) if row else None
