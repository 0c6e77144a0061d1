"""The row-by-row reload of a file the fast path came up short on: every good row written to its
partition file, every bad one quarantined with its line, field, reason and original bytes, and every line of the file
accounted for, or the run fails."""

from __future__ import annotations

import base64
import csv
import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from openpeel.core.errors import InputError
from openpeel.core.sql import quote_ident, sql_list, sql_str
from openpeel.ingest.police_uk.layout import FileKind
from openpeel.ingest.police_uk.prepared_files import PreparedFile
from openpeel.ingest.police_uk.records import Record, records
from openpeel.ingest.police_uk.schema import COLUMNS
from openpeel.ingest.police_uk.statements import _insert_rows, lake_select
from openpeel.ingest.police_uk.validate import first_failure

_QUARANTINE_COLUMNS = [
    "dataset",
    "source_id",
    "source_path",
    "line",
    "field",
    "reason",
    "raw_text",
    "quarantined_at",
    "raw_bytes",
]


@dataclass
class _Staged:
    """A file's records after reading: the readable ones in a CSV for the SQL checks, the others here."""

    unreadable: list[Record] = field(default_factory=list)
    records: int = 0
    lines: int = 0


def _stage(local: Path, staged: Path, width: int) -> _Staged:
    """Write every readable record with its line, text, original bytes and line span to `staged`."""
    out = _Staged()
    with staged.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        for record in records(local.read_bytes()):
            out.records += 1
            out.lines += record.lines
            if record.fields is not None and len(record.fields) != width:
                shape = (
                    "blank line" if not record.fields else f"{len(record.fields)} fields, expected {width}"
                )
                record = replace(record, fields=None, problem=shape)
            if record.fields is None:
                out.unreadable.append(record)
                continue
            raw = base64.b64encode(record.raw).decode()
            writer.writerow([record.line, *record.fields, ",".join(record.fields), raw, record.lines])
    return out


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


def _slow_load(
    con: duckdb.DuckDBPyConnection, prepared: PreparedFile, workdir: Path, now: dt.datetime, part: Path
) -> tuple[int, int, int]:
    """Row-by-row reload of one file: every good row written to the partition file `part`, every
    bad row quarantined with its line and original bytes. Returns (records stored, records
    quarantined, records in the file)."""
    source = prepared.source
    kind = source.kind
    headers = [c.header for c in COLUMNS[kind]]
    staged_path = workdir / f"slow-{source.force_id}-{kind.value}.csv"
    staged = _stage(prepared.local_path, staged_path, len(headers))
    field_sql, reason_sql = first_failure(kind)
    this_file = "(SELECT * FROM _pu_files WHERE path = ?) AS f"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _pu_slow AS "
        f"SELECT t.*, {field_sql} AS __field, {reason_sql} AS __reason FROM "
        f"(SELECT __line, __raw, from_base64(__raw_b64) AS __bytes, __lines, {', '.join(_typed_columns(kind))} "
        f"FROM {_staged_reader(staged_path, headers)}) AS t, {this_file}",
        [str(prepared.local_path)],
    )
    staged_path.unlink()
    part.parent.mkdir(parents=True, exist_ok=True)
    # A file name cannot be a prepared parameter of COPY: it is quoted into the statement.
    con.execute(
        f"COPY (SELECT {lake_select(kind)} FROM _pu_slow, {this_file} WHERE __field IS NULL ORDER BY __line) "
        f"TO {sql_str(str(part))} (FORMAT parquet)",
        [str(prepared.local_path)],
    )
    where = [kind.dataset, source.source_id, source.display_path]
    con.execute(
        "INSERT INTO meta_quarantine SELECT ?, ?, ?, __line, __field, __reason, __raw, ?, __bytes "
        "FROM _pu_slow WHERE __field IS NOT NULL",
        [*where, now],
    )
    unreadable: list[list[object]] = [
        [*where, r.line, "(row)", r.problem, r.text, now, r.raw] for r in staged.unreadable
    ]
    _insert_rows(con, "meta_quarantine", _QUARANTINE_COLUMNS, unreadable)
    return _check_conservation(con, prepared, staged)


def _check_conservation(
    con: duckdb.DuckDBPyConnection, prepared: PreparedFile, staged: _Staged
) -> tuple[int, int, int]:
    """Every line of the file is in a stored or a quarantined record, or the run fails."""
    counts = con.execute(
        "SELECT count(*) FILTER (WHERE __field IS NULL), count(*) FILTER (WHERE __field IS NOT NULL), "
        "coalesce(sum(__lines), 0) FROM _pu_slow"
    ).fetchone()
    assert counts is not None
    stored, quarantined = int(counts[0]), int(counts[1]) + len(staged.unreadable)
    lines = int(counts[2]) + sum(r.lines for r in staged.unreadable)
    if stored + quarantined != staged.records or lines != prepared.rows_in_file:
        raise InputError(
            f"{prepared.rows_in_file} data lines in {staged.records} CSV records, but {stored} rows stored "
            f"and {quarantined} quarantined, covering {lines} lines",
            path=prepared.source.display_path,
            hint="compare the file with the published one; openpeel refuses to lose rows silently",
        )
    return stored, quarantined, staged.records
