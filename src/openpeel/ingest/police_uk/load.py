"""Ingest data.police.uk monthly files into the warehouse: validated, quarantined, idempotent, atomic.

How a run works:
- `discover` lists the files (zips, folders, single CSVs); one file per force-month-kind wins.
- Batch by batch (whole months, up to BATCH_BYTES), a background thread extracts (from zips) and
  fingerprints the next batch's files (SHA-256, size, line count, header) while DuckDB loads the
  current one. At most two batches are extracted on disk, and DuckDB's memory limit is lowered for
  the run, so neither grows with the archive.
- Fast path: one `read_csv` over the batch's files of a kind, with the explicit dialect and
  column types, inserting exactly the rows that pass every check (validate.py).
- Each file's stored rows are counted against its data lines. A file that comes up short is
  reloaded row by row (Python's csv module, then the same SQL checks): good rows are stored,
  bad ones go to `meta_quarantine` with line, field and reason. Stored + quarantined must equal
  the file's line count, or the run fails: no row is ever lost silently.
- The whole run is one transaction: a crash or kill -9 leaves the warehouse as it was.
- Re-ingesting a force-month replaces it; an identical file (same SHA-256) is skipped, and a file
  from an older archive edition never replaces one from a newer edition.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import shutil
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from openpeel.core.errors import InputError, OpenpeelError
from openpeel.core.sql import quote_ident, sql_list, sql_str
from openpeel.ingest.police_uk.layout import FileKind, SourceFile, discover, month_text
from openpeel.ingest.police_uk.members import READ_ERRORS, member_path
from openpeel.ingest.police_uk.memory_limit import MEMORY_LIMIT, check_memory_limit, memory_bounded
from openpeel.ingest.police_uk.progress import ProgressFn, StatementProgress
from openpeel.ingest.police_uk.records import Record, records
from openpeel.ingest.police_uk.schema import COLUMNS, DERIVED, DIALECT, header_line
from openpeel.ingest.police_uk.validate import all_valid, first_failure, force_labels
from openpeel.warehouse import transaction

PUBLISHER = "Home Office (data.police.uk)"
_CHUNK = 4 << 20


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    bytes: int
    rows_in_file: int


@dataclass
class PreparedFile:
    """A file on local disk, ready for DuckDB; its fingerprint may still be computing."""

    source: SourceFile
    local_path: Path
    fingerprint: Fingerprint | Future[Fingerprint]

    def done(self) -> Fingerprint:
        if isinstance(self.fingerprint, Future):
            self.fingerprint = self.fingerprint.result()
        return self.fingerprint

    @property
    def rows_in_file(self) -> int:
        return self.done().rows_in_file


@dataclass
class FileResult:
    source: SourceFile
    status: str
    """ingested, unchanged (same SHA-256 already loaded) or kept-newer (a newer edition is loaded)."""
    rows_in_file: int = 0
    rows_stored: int = 0
    rows_quarantined: int = 0
    was_reloaded_row_by_row: bool = False


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    superseded: list[SourceFile] = field(default_factory=list)

    @property
    def rows_stored(self) -> int:
        return sum(f.rows_stored for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def rows_in_files(self) -> int:
        return sum(f.rows_in_file for f in self.files)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)


def _check_header(source: SourceFile, first: bytes) -> None:
    if not first:
        raise InputError("empty file: it has not even a header line", path=source.display_path, line=1)
    header = first.split(b"\n", 1)[0].rstrip(b"\r").removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    expected = header_line(source.kind)
    if header != expected:
        raise InputError(
            f"header is {header!r}, expected {expected!r}",
            path=source.display_path,
            line=1,
            field="header",
            hint=f"a {source.kind.value} file must have the published header; is the file name's kind right?",
        )


class _Digest:
    """SHA-256, size and line count of a byte stream, computed as it passes."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()
        self.size = 0
        self.newlines = 0
        self.last = b""

    def update(self, chunk: bytes) -> None:
        self.sha.update(chunk)
        self.size += len(chunk)
        self.newlines += chunk.count(b"\n")
        self.last = chunk[-1:]

    def result(self) -> Fingerprint:
        lines = self.newlines + (0 if self.last in (b"\n", b"") else 1)
        return Fingerprint(self.sha.hexdigest(), self.size, max(lines - 1, 0))


def _fingerprint(local: Path) -> Fingerprint:
    digest = _Digest()
    with local.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.result()


class _Preparer:
    """Gets a batch's files onto local disk (extracting from zips) and fingerprints them.

    Runs in a worker thread, one batch ahead of the loader. Plain files are not copied: their
    header is checked now and their fingerprint computed on a second thread while DuckDB reads
    them, unless an earlier copy is in the warehouse (then the checksum decides whether to load).
    """

    def __init__(
        self, workdir: Path, hasher: ThreadPoolExecutor, known: set[tuple[dt.date, str, str]]
    ) -> None:
        self.workdir = workdir
        self.hasher = hasher
        self.known = known
        self._zips: dict[Path, zipfile.ZipFile] = {}

    def _zip(self, path: Path) -> zipfile.ZipFile:
        if path not in self._zips:
            self._zips[path] = zipfile.ZipFile(path)
        return self._zips[path]

    def _extract(self, source: SourceFile, batch: int) -> PreparedFile:
        local = member_path(self.workdir / str(batch), source.container, source.member)
        local.parent.mkdir(parents=True, exist_ok=True)
        digest = _Digest()
        first = b""
        try:
            with self._zip(source.container).open(source.member) as src, local.open("wb") as dst:
                while chunk := src.read(_CHUNK):
                    if not first:
                        first = chunk[:4096]
                    digest.update(chunk)
                    dst.write(chunk)
        except READ_ERRORS as exc:
            raise InputError(
                f"cannot read this member of the archive ({type(exc).__name__}: {exc})",
                path=source.display_path,
                hint="the archive may be truncated or corrupt: download it again; nothing was stored",
            ) from None
        _check_header(source, first)
        return PreparedFile(source, local, digest.result())

    def prepare(self, sources: list[SourceFile], batch: int) -> list[PreparedFile]:
        out = []
        for source in sources:
            if source.is_zip:
                out.append(self._extract(source, batch))
                continue
            local = source.container / source.member
            with local.open("rb") as fh:
                _check_header(source, fh.read(4096))
            if (source.month, source.force_id, source.kind.value) in self.known:
                out.append(PreparedFile(source, local, _fingerprint(local)))
            else:
                out.append(PreparedFile(source, local, self.hasher.submit(_fingerprint, local)))
        return out

    def release(self, batch: int) -> None:
        shutil.rmtree(self.workdir / str(batch), ignore_errors=True)

    def close(self) -> None:
        for handle in self._zips.values():
            handle.close()


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


def _insert_rows(
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


def _register_files(con: duckdb.DuckDBPyConnection, prepared: list[PreparedFile]) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _pu_files "
        "(path VARCHAR, f_force_id VARCHAR, f_month DATE, f_month_text VARCHAR, f_labels VARCHAR[])"
    )
    _insert_rows(
        con,
        "_pu_files",
        ["path", "f_force_id", "f_month", "f_month_text", "f_labels"],
        [
            [
                str(p.local_path),
                p.source.force_id,
                p.source.month,
                month_text(p.source.month),
                force_labels(p.source.force_id),
            ]
            for p in prepared
        ],
    )


def _fast_load(con: duckdb.DuckDBPyConnection, kind: FileKind, prepared: list[PreparedFile]) -> None:
    """Insert every good row of the files in one statement; rows that fail are left for the slow path."""
    names, exprs = _targets(kind)
    reader = read_csv_sql(
        [p.local_path for p in prepared], kind, typed=True, extra=", filename=true, ignore_errors=true"
    )
    sql = (
        f"INSERT INTO {kind.table} ({', '.join(names)}) "
        f"SELECT {', '.join(exprs)} FROM {reader} AS r JOIN _pu_files AS f ON r.filename = f.path "
        f"WHERE {all_valid(kind)}"
    )
    try:
        con.execute(sql)
    except duckdb.OutOfMemoryException:
        raise  # not the files' fault: ingest() names the memory limit
    except duckdb.Error as exc:
        raise InputError(
            f"DuckDB could not read these {kind.value} files: {exc}",
            path=", ".join(p.source.display_path for p in prepared[:3])
            + (" ..." if len(prepared) > 3 else ""),
            hint="check the files are the published CSVs",
        ) from None


def _count_stored(
    con: duckdb.DuckDBPyConnection, kind: FileKind, prepared: list[PreparedFile]
) -> dict[tuple[dt.date, str], int]:
    months = sorted({p.source.month for p in prepared})
    rows = con.execute(
        f"SELECT month, force_id, count(*) FROM {kind.table} "
        "WHERE month BETWEEN ? AND ? AND list_contains(?, force_id) GROUP BY month, force_id",
        [months[0], months[-1], sorted({p.source.force_id for p in prepared})],
    ).fetchall()
    return {(m, str(f)): int(n) for m, f, n in rows}


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
    con: duckdb.DuckDBPyConnection, prepared: PreparedFile, workdir: Path, now: dt.datetime
) -> tuple[int, int, int]:
    """Row-by-row reload of one file: every good row stored, every bad row quarantined with its line
    and original bytes. Returns (records stored, records quarantined, records in the file)."""
    source = prepared.source
    kind = source.kind
    headers = [c.header for c in COLUMNS[kind]]
    con.execute(f"DELETE FROM {kind.table} WHERE month = ? AND force_id = ?", [source.month, source.force_id])
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
    names, exprs = _targets(kind)
    con.execute(
        f"INSERT INTO {kind.table} ({', '.join(names)}) SELECT {', '.join(exprs)} "
        f"FROM _pu_slow, {this_file} WHERE __field IS NULL",
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
_COVERAGE_COLUMNS = [
    "force_id",
    "month",
    "file_kind",
    "source_id",
    "source_path",
    "edition",
    "sha256",
    "bytes",
    "rows_in_file",
    "rows_stored",
    "rows_quarantined",
    "ingested_at",
]

Key = tuple[dt.date, str, str]


def _existing(con: duckdb.DuckDBPyConnection) -> dict[Key, tuple[str, str | None]]:
    rows = con.execute(
        "SELECT month, force_id, file_kind, sha256, edition FROM meta_police_uk_coverage"
    ).fetchall()
    return {(m, f, k): (s, e) for m, f, k, s, e in rows}


def _load_kind(
    con: duckdb.DuckDBPyConnection,
    kind: FileKind,
    prepared: list[PreparedFile],
    replacing: list[PreparedFile],
    workdir: Path,
    now: dt.datetime,
    tracker: StatementProgress,
) -> list[FileResult]:
    if replacing:
        con.execute(
            f"DELETE FROM {kind.table} t USING (SELECT unnest(?) AS m, unnest(?) AS f) r "
            "WHERE t.month = r.m AND t.force_id = r.f",
            [[p.source.month for p in replacing], [p.source.force_id for p in replacing]],
        )
        con.execute(
            "DELETE FROM meta_quarantine WHERE list_contains(?, source_id)",
            [[p.source.source_id for p in replacing]],
        )
    _register_files(con, prepared)
    first, last = prepared[0].source.month, prepared[-1].source.month
    with tracker.track(sum(p.source.size for p in prepared), f"loading {_span(first, last)} {kind.value}"):
        _fast_load(con, kind, prepared)
    stored = _count_stored(con, kind, prepared)
    results = []
    for p in prepared:
        n = stored.get((p.source.month, p.source.force_id), 0)
        quarantined = 0
        slow = n != p.rows_in_file
        records = p.rows_in_file
        if slow:
            n, quarantined, records = _slow_load(con, p, workdir, now)
        results.append(FileResult(p.source, "ingested", records, n, quarantined, slow))
    _insert_rows(
        con,
        "meta_police_uk_coverage",
        _COVERAGE_COLUMNS,
        [
            [
                p.source.force_id,
                p.source.month,
                kind.value,
                p.source.source_id,
                p.source.display_path,
                p.source.edition,
                p.done().sha256,
                p.done().bytes,
                r.rows_in_file,
                r.rows_stored,
                r.rows_quarantined,
                now,
            ]
            for p, r in zip(prepared, results, strict=True)
        ],
        replace=True,
    )
    _insert_rows(
        con,
        "meta_source_files",
        [
            "source_id",
            "dataset",
            "publisher",
            "path",
            "read_from",
            "sha256",
            "bytes",
            "rows_loaded",
            "ingested_at",
        ],
        [
            [
                p.source.source_id,
                kind.dataset,
                PUBLISHER,
                p.source.display_path,
                "original",
                p.done().sha256,
                p.done().bytes,
                r.rows_stored,
                now,
            ]
            for p, r in zip(prepared, results, strict=True)
        ],
        replace=True,
    )
    return results


BATCH_BYTES = 1 << 30
"""Months are loaded together until their files reach this size (a big month is a batch on its own).
Each batch and kind is one statement, and each statement costs a fixed share of time to start and
finish: a national year loads 5% faster in 1 GiB batches than in 384 MiB ones. Memory does not
grow with the batch: DuckDB's memory limit bounds it (MEMORY_LIMIT)."""

EXTRACTED_BATCH_BYTES = 384 << 20
"""The smaller batch for months read from zips: a batch and the next one are extracted to disk."""


def _batches(sources: list[SourceFile]) -> list[list[SourceFile]]:
    by_month: dict[dt.date, list[SourceFile]] = defaultdict(list)
    for source in sources:
        by_month[source.month].append(source)
    batches: list[list[SourceFile]] = []
    size = 0
    extracted = False  # the current batch holds months read from zips
    for month in sorted(by_month):
        month_size = sum(s.size for s in by_month[month])
        zipped = any(s.is_zip for s in by_month[month])
        limit = EXTRACTED_BATCH_BYTES if zipped or extracted else BATCH_BYTES
        if not batches or size + month_size > limit:
            batches.append([])
            size, extracted = 0, False
        batches[-1] += by_month[month]
        size += month_size
        extracted = extracted or zipped
    return batches


def ingest(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path],
    *,
    forces: Sequence[str] | None = None,
    month_from: dt.date | None = None,
    month_to: dt.date | None = None,
    recheck: bool = False,
    progress: ProgressFn | None = None,
    on_start: Callable[[int], None] | None = None,
    memory_limit: str | None = MEMORY_LIMIT,
) -> IngestReport:
    """Load every data.police.uk file under `paths` into the warehouse, all or nothing.

    `recheck` reloads files even when the same bytes are already loaded (after a code-list change).
    `on_start` receives the total bytes to process; `progress` is called as DuckDB reads the files
    (from its query progress, every quarter second, on a worker thread: it must not use `con`)
    and as each batch completes (on the calling thread).
    `memory_limit` caps DuckDB's memory during the run (a DuckDB size such as "512MB"; None: no cap).
    Raises `InputError` (naming the file, line and field) for problems that stop the run; row-level
    problems never stop it: they are quarantined and counted in the report.
    """
    check_memory_limit(memory_limit)
    found = discover(paths, forces=forces, month_from=month_from, month_to=month_to)
    report = IngestReport(ignored=found.ignored, superseded=found.superseded)
    existing = _existing(con)
    todo: list[SourceFile] = []
    for source in found.files:
        old = existing.get((source.month, source.force_id, source.kind.value))
        if old is not None and old[1] and source.edition and old[1] > source.edition:
            report.files.append(FileResult(source, "kept-newer"))
        else:
            todo.append(source)
    batches = _batches(todo)
    if on_start:
        on_start(sum(s.size for s in todo))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with (
        tempfile.TemporaryDirectory(prefix="openpeel-ingest-") as tmp,
        ThreadPoolExecutor(1) as prefetch,
        ThreadPoolExecutor(1) as hasher,
        memory_bounded(con, memory_limit),
        StatementProgress(con, progress) as tracker,
    ):
        workdir = Path(tmp)
        preparer = _Preparer(workdir, hasher, set(existing))
        try:
            with transaction(con):
                pending = prefetch.submit(preparer.prepare, batches[0], 0) if batches else None
                for i in range(len(batches)):
                    assert pending is not None
                    prepared = pending.result()
                    if i + 1 < len(batches):
                        pending = prefetch.submit(preparer.prepare, batches[i + 1], i + 1)
                    _load_batch(con, prepared, existing, recheck, workdir, now, report, tracker)
                    preparer.release(i)
                    if progress:
                        rest = sum(p.source.size for p in prepared) - tracker.take()
                        span = _span(prepared[0].source.month, prepared[-1].source.month)
                        progress(max(rest, 0), f"ingested {span}")
        except duckdb.OutOfMemoryException as exc:
            cap = f" under the ingest's memory limit of {memory_limit}" if memory_limit else ""
            raise OpenpeelError(
                f"DuckDB ran out of memory{cap}, so nothing was stored ({str(exc).splitlines()[0]}). "
                "Run it again with a larger --memory-limit."
            ) from None
        finally:
            preparer.close()
    return report


def _span(first: dt.date, last: dt.date) -> str:
    return month_text(first) + ("" if first == last else f" to {month_text(last)}")


def _load_batch(
    con: duckdb.DuckDBPyConnection,
    prepared: list[PreparedFile],
    existing: dict[Key, tuple[str, str | None]],
    recheck: bool,
    workdir: Path,
    now: dt.datetime,
    report: IngestReport,
    tracker: StatementProgress,
) -> None:
    for kind in FileKind:
        load: list[PreparedFile] = []
        replacing: list[PreparedFile] = []
        for p in prepared:
            if p.source.kind is not kind:
                continue
            old = existing.get((p.source.month, p.source.force_id, kind.value))
            if old is not None and old[0] == p.done().sha256 and not recheck:
                report.files.append(FileResult(p.source, "unchanged", p.rows_in_file))
                continue
            load.append(p)
            if old is not None:
                replacing.append(p)
        if load:
            report.files += _load_kind(con, kind, load, replacing, workdir, now, tracker)
