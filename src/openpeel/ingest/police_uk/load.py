"""Ingest data.police.uk monthly files into the Parquet lake: validated, quarantined, idempotent, atomic.

How a run works:
- `discover` lists the files (zips, folders, single CSVs); one file per force-month-kind wins.
- Batch by batch (whole months, up to BATCH_BYTES), a background thread extracts (from zips) and
  fingerprints the next batch's files (SHA-256, size, line count, header) while DuckDB loads the
  current one. At most two batches are extracted on disk, and DuckDB's memory limit is lowered for
  the run, so neither grows with the archive.
- Fast path: one `COPY (SELECT ... FROM read_csv(...)) TO ... (PARTITION_BY (month, force))` over
  the batch's files of a kind, with the explicit dialect and column types, writing exactly the rows
  that pass every check (validate.py) to one Parquet file per force-month, in a staging folder.
- Each file's written rows (DuckDB returns them per partition file) are counted against its data
  lines. A file that comes up short is reloaded row by row, streamed a chunk at a time (Python's
  csv module, then the same SQL checks): good rows are rewritten to its partition file, the first
  bounds.QUARANTINE_KEEP bad ones go to `meta_quarantine` with line, field and reason, the rest are
  counted. Stored + quarantined must equal the file's line count, or the run fails: no row is ever
  lost silently.
- A file then stores its force-month only if it is at least as good as what is stored
  (acceptance.py): a header-only file, one whose rows all fail, one mostly of bad rows or one far
  smaller than the stored month is refused for that force-month, the stored rows kept and the
  refusal recorded in `meta_police_uk_refusals`; the rest of the run goes on (`replace` overrides).
- The whole run is one warehouse transaction, and its partition files move into the lake with the
  warehouse (openpeel.warehouse.lake): a crash or kill -9 leaves lake and warehouse as they were.
- Re-ingesting a force-month replaces it (if the new file is accepted); an identical file (same
  SHA-256) is skipped, and a file from an older archive edition never replaces one from a newer edition.
- Work files (extracted members, staged rows) live under the home folder (workdir.py), and a disk
  that is full or not writable ends the run with one line naming the path (warehouse.disk).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import duckdb

from openpeel.core.errors import InputError, OpenpeelError
from openpeel.core.months import month_text
from openpeel.core.sql import sql_list, sql_str
from openpeel.ingest.police_uk.acceptance import Loaded, certain_refusal, refusal
from openpeel.ingest.police_uk.layout import FileKind, SourceFile, discover
from openpeel.ingest.police_uk.memory_limit import MEMORY_LIMIT, check_memory_limit, memory_bounded
from openpeel.ingest.police_uk.prepared_files import PreparedFile, _Preparer
from openpeel.ingest.police_uk.progress import ProgressFn, StatementProgress
from openpeel.ingest.police_uk.row_by_row import first_kept, quarantine_kept, slow_load
from openpeel.ingest.police_uk.statements import _insert_rows, lake_select, read_csv_sql
from openpeel.ingest.police_uk.validate import all_valid, force_labels
from openpeel.ingest.police_uk.workdir import work_folder
from openpeel.warehouse import transaction
from openpeel.warehouse.disk import disk_error
from openpeel.warehouse.lake import (
    PART,
    STAGING_PREFIX,
    LakeCommit,
    file_columns,
    lake_of,
    partition_dir,
    publish,
    remove_stale_staging,
)

PUBLISHER = "Home Office (data.police.uk)"
_CHUNK = 4 << 20


@dataclass
class FileResult:
    source: SourceFile
    status: str
    """ingested, unchanged (same SHA-256 already loaded), kept-newer (a newer edition is loaded) or
    refused (not at least as good as what is stored, or mostly bad: see acceptance.py)."""
    rows_in_file: int = 0
    rows_stored: int = 0
    rows_quarantined: int = 0
    was_reloaded_row_by_row: bool = False
    refusal: str | None = None
    """Why the file was refused."""
    rows_kept: int = 0
    """For a refused file: the rows stored for its force-month before, and kept."""


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
        """Data lines of the files not refused."""
        return sum(f.rows_in_file for f in self.files if f.status != "refused")

    @property
    def refused(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "refused"]

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)


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


def _fast_load(
    con: duckdb.DuckDBPyConnection, kind: FileKind, prepared: list[PreparedFile], out: Path
) -> dict[tuple[str, str], tuple[Path, int]]:
    """Write every good row of the files to partition files under `out` in one statement; rows that
    fail are left for the slow path. Returns (month text, force id) -> (file, rows written)."""
    reader = read_csv_sql(
        [p.local_path for p in prepared], kind, typed=True, extra=", filename=true, ignore_errors=true"
    )
    sql = (
        f"COPY (SELECT {lake_select(kind)}, f_month_text AS month, f_force_id AS force "
        f"FROM {reader} AS r JOIN _pu_files AS f ON r.filename = f.path WHERE {all_valid(kind)}) "
        f"TO {sql_str(str(out))} (FORMAT parquet, PARTITION_BY (month, force), FILENAME_PATTERN 'part', "
        "RETURN_STATS)"
    )
    try:
        # A batch can hold more force-months than DuckDB keeps partition files open by default
        # (100); past it DuckDB would split a partition into several files.
        con.execute(f"SET partitioned_write_max_open_files = {max(len(prepared), 100)}")
        rows = con.execute(sql).fetchall()
    except duckdb.OutOfMemoryException:
        raise  # not the files' fault: ingest() names the memory limit
    except duckdb.Error as exc:
        found = disk_error(exc, out)
        if found is not None:  # the disk's fault, not the files'
            raise found from None
        raise InputError(
            f"DuckDB could not read these {kind.value} files: {exc}",
            path=", ".join(p.source.display_path for p in prepared[:3])
            + (" ..." if len(prepared) > 3 else ""),
            hint="check the files are the published CSVs",
        ) from None
    finally:
        con.execute("RESET partitioned_write_max_open_files")
    files: dict[tuple[str, str], list[Path]] = defaultdict(list)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for filename, count, *_, keys, _extra in rows:
        key = (str(keys["month"]), str(keys["force"]))
        files[key].append(Path(filename))
        counts[key] += int(count)
    written = {}
    for key, parts in files.items():
        if len(parts) > 1:  # DuckDB split a partition (memory pressure): one file per force-month
            merged = parts[0].with_name("merged.parquet")
            con.execute(
                f"COPY (SELECT * FROM read_parquet({sql_list([str(p) for p in parts])})) "
                f"TO {sql_str(str(merged))} (FORMAT parquet)"
            )
            parts = [merged]
        written[key] = (parts[0], counts[key])
    return written


def _write_empty(con: duckdb.DuckDBPyConnection, kind: FileKind, part: Path) -> None:
    """A partition file with no rows, for a file stored with none (header only, or every row bad,
    stored only under `replace`): it replaces whatever the lake held for that force-month."""
    part.parent.mkdir(parents=True, exist_ok=True)
    cols = ", ".join(f"CAST(NULL AS {type_}) AS {name}" for name, type_ in file_columns(kind.value))
    con.execute(f"COPY (SELECT {cols} WHERE false) TO {sql_str(str(part))} (FORMAT parquet)")


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


class Stored(NamedTuple):
    """What the warehouse holds for a force-month-kind."""

    sha256: str
    edition: str | None
    rows_stored: int


def _existing(con: duckdb.DuckDBPyConnection) -> dict[Key, Stored]:
    rows = con.execute(
        "SELECT month, force_id, file_kind, sha256, edition, rows_stored FROM meta_police_uk_coverage"
    ).fetchall()
    return {(m, f, k): Stored(s, e, int(n)) for m, f, k, s, e, n in rows}


_REFUSAL_COLUMNS = [
    "force_id",
    "month",
    "file_kind",
    "source_path",
    "edition",
    "sha256",
    "bytes",
    "rows_in_file",
    "rows_valid",
    "rows_quarantined",
    "rows_kept",
    "reason",
    "refused_at",
]


def _forget_refusals(con: duckdb.DuckDBPyConnection, sources: list[SourceFile]) -> None:
    """A force-month whose latest offered file is stored (accepted, or the same bytes) is no longer refused."""
    if sources:
        con.execute(
            "DELETE FROM meta_police_uk_refusals WHERE list_contains(?, "
            "force_id || '|' || strftime(month, '%Y-%m') || '|' || file_kind)",
            [[f"{s.force_id}|{month_text(s.month)}|{s.kind.value}" for s in sources]],
        )


def _loaded(
    con: duckdb.DuckDBPyConnection,
    p: PreparedFile,
    fast_stored: int,
    written: Path | None,
    part: Path,
    stage: _Stage,
    kept: int,
    replace: bool,
) -> tuple[Loaded, bool]:
    """What the file holds; its good rows are in `part` if it is complete. The bool: reloaded row by row."""
    if fast_stored == p.rows_in_file:
        if written is not None:
            os.replace(written, part)
        return Loaded(p.rows_in_file, fast_stored, 0, p.rows_in_file), False
    if written is not None:
        written.unlink()  # the row-by-row reload writes the partition file itself
    stop = (lambda bad: False) if replace else certain_refusal(fast_stored, kept)
    got = slow_load(con, p, stage.workdir, part, stop=stop)
    loaded = Loaded(
        lines=p.rows_in_file,
        stored=got.stored if got.complete else fast_stored,
        quarantined=got.quarantined,
        records=got.records,
        complete=got.complete,
        by_field=dict(got.by_field),
        first_bad=first_kept(con),
    )
    return loaded, True


def _load_kind(
    con: duckdb.DuckDBPyConnection,
    kind: FileKind,
    prepared: list[PreparedFile],
    existing: dict[Key, Stored],
    replace: bool,
    stage: _Stage,
    now: dt.datetime,
    tracker: StatementProgress,
) -> list[FileResult]:
    _register_files(con, prepared)
    first, last = prepared[0].source.month, prepared[-1].source.month
    out = stage.folder(kind)
    with tracker.track(sum(p.source.size for p in prepared), f"loading {_span(first, last)} {kind.value}"):
        written = _fast_load(con, kind, prepared, out)
    results: list[FileResult] = []
    accepted: list[tuple[PreparedFile, FileResult]] = []
    refused: list[list[object]] = []
    for p in prepared:
        key = (month_text(p.source.month), p.source.force_id)
        old = existing.get((p.source.month, p.source.force_id, kind.value))
        kept = old.rows_stored if old else 0
        part = out / f"month={key[0]}" / f"force={key[1]}" / PART
        made, n = written.get(key, (None, 0))
        loaded, slow = _loaded(con, p, n, made, part, stage, kept, replace)
        reason = None if replace else refusal(loaded, kept)
        if reason is not None:
            part.unlink(missing_ok=True)
            result = FileResult(p.source, "refused", loaded.lines, 0, 0, slow, reason, kept)
            results.append(result)
            refused.append(
                [
                    p.source.force_id,
                    p.source.month,
                    kind.value,
                    p.source.display_path,
                    p.source.edition,
                    p.done().sha256,
                    p.done().bytes,
                    loaded.lines,
                    loaded.stored,
                    loaded.quarantined,
                    kept,
                    reason,
                    now,
                ]
            )
            continue
        if old is not None:
            con.execute("DELETE FROM meta_quarantine WHERE source_id = ?", [p.source.source_id])
        if slow:
            quarantine_kept(con, p, now)
        if not part.exists():
            _write_empty(con, kind, part)
        final = partition_dir(stage.commit.root, kind.value, p.source.month, p.source.force_id) / PART
        stage.commit.moves.append((part, final))
        result = FileResult(p.source, "ingested", loaded.records, loaded.stored, loaded.quarantined, slow)
        results.append(result)
        accepted.append((p, result))
    _insert_rows(con, "meta_police_uk_refusals", _REFUSAL_COLUMNS, refused, replace=True)
    _forget_refusals(con, [p.source for p, _ in accepted])
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
            for p, r in accepted
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
            for p, r in accepted
        ],
        replace=True,
    )
    return results


class _Stage:
    """Where a run's partition files wait until the warehouse takes them (see warehouse.lake)."""

    _runs = itertools.count()

    def __init__(self, root: Path, workdir: Path) -> None:
        self.workdir = workdir
        folder = root / f"{STAGING_PREFIX}{os.getpid()}-{next(self._runs)}"
        folder.mkdir(parents=True)
        self.commit = LakeCommit(root, staging=[folder])
        self._folder = folder
        self._batches = itertools.count()

    def folder(self, kind: FileKind) -> Path:
        out = self._folder / f"{next(self._batches)}" / f"kind={kind.value}"
        out.parent.mkdir()
        return out


BATCH_BYTES = 128 << 20
"""Months are loaded together until their files reach this size (a big month is a batch on its own).
Each batch and kind is one statement. DuckDB's partitioned Parquet writer buffers every partition
file it has open, so a bigger batch holds more in memory and, under the ingest's memory limit,
spills: on a quiet machine the synthetic national year (130 MB a month) loaded in 11.6 s in
512 MiB batches, 9.9 s in 256 MiB ones and 9.2 s a month at a time (in-process, DuckDB 2.0). A
street COPY of 4 months took 3.0 s under the limit and 1.9 s without it; one month 0.45 s."""


def _batches(sources: list[SourceFile]) -> list[list[SourceFile]]:
    by_month: dict[dt.date, list[SourceFile]] = defaultdict(list)
    for source in sources:
        by_month[source.month].append(source)
    batches: list[list[SourceFile]] = []
    size = 0
    for month in sorted(by_month):
        month_size = sum(s.size for s in by_month[month])
        if not batches or size + month_size > BATCH_BYTES:
            batches.append([])
            size = 0
        batches[-1] += by_month[month]
        size += month_size
    return batches


def ingest(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path],
    *,
    forces: Sequence[str] | None = None,
    month_from: dt.date | None = None,
    month_to: dt.date | None = None,
    recheck: bool = False,
    replace: bool = False,
    progress: ProgressFn | None = None,
    on_start: Callable[[int], None] | None = None,
    memory_limit: str | None = MEMORY_LIMIT,
    lake: Path | None = None,
    home: Path | None = None,
    today: dt.date | None = None,
) -> IngestReport:
    """Load every data.police.uk file under `paths` into the warehouse, all or nothing.

    `recheck` reloads files even when the same bytes are already loaded (after a code-list change).
    `replace` stores a file even where acceptance.py would refuse it (a header-only file, one mostly
    of bad rows, one far smaller than the stored month).
    `on_start` receives the total bytes to process; `progress` is called as DuckDB reads the files
    (from its query progress, every quarter second, on a worker thread: it must not use `con`)
    and as each batch completes (on the calling thread).
    `memory_limit` caps DuckDB's memory during the run (a DuckDB size such as "512MB"; None: no cap).
    `lake` is the warehouse's Parquet lake, where the rows go (default: the lake `con` was opened
    with); the lake's files
    change with the warehouse, through `openpeel.warehouse.lake.publish`.
    `home` is the folder whose `tmp/` holds the run's work files (default: the folder holding the lake,
    which is the home folder for the embedded default).
    `today` decides which months are in the future (default: the date now).
    Raises `InputError` (naming the file, line and field) for problems that stop the run, and
    `DiskError` for a disk that is full or may not be written; row-level problems never stop it:
    they are quarantined and counted in the report, and a file too poor to store is refused (listed
    in `report.refused`, recorded in meta_police_uk_refusals) while the rest of the run goes on.
    """
    try:
        return _ingest(
            con,
            paths,
            forces=forces,
            month_from=month_from,
            month_to=month_to,
            recheck=recheck,
            replace=replace,
            progress=progress,
            on_start=on_start,
            memory_limit=memory_limit,
            lake=lake,
            home=home,
            today=today,
        )
    except (OSError, duckdb.Error) as exc:
        found = disk_error(exc)
        if found is None:
            raise
        raise found from None


def _ingest(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path],
    *,
    forces: Sequence[str] | None,
    month_from: dt.date | None,
    month_to: dt.date | None,
    recheck: bool,
    replace: bool,
    progress: ProgressFn | None,
    on_start: Callable[[int], None] | None,
    memory_limit: str | None,
    lake: Path | None,
    home: Path | None,
    today: dt.date | None,
) -> IngestReport:
    check_memory_limit(memory_limit)
    root = (lake or lake_of(con)).resolve()
    remove_stale_staging(root)
    found = discover(paths, forces=forces, month_from=month_from, month_to=month_to, today=today)
    report = IngestReport(ignored=found.ignored, superseded=found.superseded)
    existing = _existing(con)
    todo: list[SourceFile] = []
    for source in found.files:
        old = existing.get((source.month, source.force_id, source.kind.value))
        if old is not None and old.edition and source.edition and old.edition > source.edition:
            report.files.append(FileResult(source, "kept-newer"))
        else:
            todo.append(source)
    batches = _batches(todo)
    if on_start:
        on_start(sum(s.size for s in todo))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with (
        work_folder(home or root.parent) as workdir,
        ThreadPoolExecutor(1) as prefetch,
        ThreadPoolExecutor(1) as hasher,
        memory_bounded(con, memory_limit),
        StatementProgress(con, progress) as tracker,
    ):
        preparer = _Preparer(workdir, hasher, set(existing))
        stage = _Stage(root, workdir)
        try:
            with transaction(con):
                pending = prefetch.submit(preparer.prepare, batches[0], 0) if batches else None
                for i in range(len(batches)):
                    assert pending is not None
                    prepared = pending.result()
                    if i + 1 < len(batches):
                        pending = prefetch.submit(preparer.prepare, batches[i + 1], i + 1)
                    _load_batch(con, prepared, existing, recheck, replace, stage, now, report, tracker)
                    preparer.release(i)
                    if progress:
                        rest = sum(p.source.size for p in prepared) - tracker.take()
                        span = _span(prepared[0].source.month, prepared[-1].source.month)
                        progress(max(rest, 0), f"ingested {span}")
            publish(con, stage.commit)
        except duckdb.OutOfMemoryException as exc:
            stage.commit.discard()
            cap = f" under the ingest's memory limit of {memory_limit}" if memory_limit else ""
            raise OpenpeelError(
                f"DuckDB ran out of memory{cap}, so nothing was stored ({str(exc).splitlines()[0]}). "
                "Run it again with a larger --memory-limit."
            ) from None
        except BaseException:
            stage.commit.discard()
            raise
        finally:
            preparer.close()
    return report


def _span(first: dt.date, last: dt.date) -> str:
    return month_text(first) + ("" if first == last else f" to {month_text(last)}")


def _load_batch(
    con: duckdb.DuckDBPyConnection,
    prepared: list[PreparedFile],
    existing: dict[Key, Stored],
    recheck: bool,
    replace: bool,
    stage: _Stage,
    now: dt.datetime,
    report: IngestReport,
    tracker: StatementProgress,
) -> None:
    for kind in FileKind:
        load: list[PreparedFile] = []
        same: list[SourceFile] = []
        for p in prepared:
            if p.source.kind is not kind:
                continue
            old = existing.get((p.source.month, p.source.force_id, kind.value))
            if old is not None and old.sha256 == p.done().sha256 and not recheck:
                report.files.append(FileResult(p.source, "unchanged", p.rows_in_file))
                same.append(p.source)
                continue
            load.append(p)
        _forget_refusals(con, same)
        if load:
            report.files += _load_kind(con, kind, load, existing, replace, stage, now, tracker)
