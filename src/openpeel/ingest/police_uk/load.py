"""Ingest data.police.uk monthly files into the Parquet lake: validated, quarantined, idempotent, atomic.

How a run works:
- `discover` lists the files (zips, folders, single CSVs); one file per force-month-kind wins.
- Batch by batch (whole months, up to BATCH_BYTES), a background thread extracts (from zips) and
  fingerprints the next batch's files (SHA-256, size, line count and header, in the same pass
  that extracts them, or in one pass over a plain file while DuckDB reads it) while DuckDB loads
  the current one. At most two batches are extracted on disk, and DuckDB's memory limit is
  lowered for the run, so neither grows with the archive.
- Fast path (fast_path.py): one statement per batch and kind reads the files with the explicit
  dialect and column types, checks every row (validate.py) and returns the good rows, file by
  file, as Arrow tables: parse, checks and the lake's columns in one pass over the bytes.
- Each file's good rows are counted against its data lines. A file that comes up short is
  reloaded row by row, streamed a chunk at a time (Python's csv module, then the same SQL
  checks): its good rows are kept, the first bounds.QUARANTINE_KEEP bad ones go to
  `meta_quarantine` with line, field and reason, the rest are counted. Stored + quarantined must
  equal the file's line count, or the run fails: no row is ever lost silently.
- A file then stores its force-month only if it is at least as good as what is stored
  (acceptance.py): a header-only file, one whose rows all fail, one mostly of bad rows or one far
  smaller than the stored month is refused for that force-month, the stored rows kept and the
  refusal recorded in `meta_police_uk_refusals`; the rest of the run goes on (`replace` overrides).
- Each month with a file accepted gets a new month file per kind (staging.py,
  openpeel.warehouse.month_files), written on a thread while DuckDB reads the next kind: the new
  forces' rows and every other force's stored rows, sorted by force, one row group per force. A
  month with nothing accepted is not rewritten.
- The whole run is one warehouse transaction, and its month files move into the lake with the
  warehouse (openpeel.warehouse.lake): a crash or kill -9 leaves lake and warehouse as they were.
- Re-ingesting a force-month replaces it (if the new file is accepted); an identical file (same
  SHA-256) is skipped, and a file from an older archive edition never replaces one from a newer edition.
- Work files (extracted members, staged rows) live under the home folder (workdir.py), and a disk
  that is full or not writable ends the run with one line naming the path (warehouse.disk).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import duckdb
import pyarrow as pa

from openpeel.core.errors import OpenpeelError
from openpeel.core.months import month_text
from openpeel.ingest.police_uk.acceptance import Loaded, certain_refusal, refusal
from openpeel.ingest.police_uk.fast_path import good_rows, piece_path, register_files
from openpeel.ingest.police_uk.layout import FileKind, SourceFile, discover
from openpeel.ingest.police_uk.memory_limit import MEMORY_LIMIT, check_memory_limit, memory_bounded
from openpeel.ingest.police_uk.prepared_files import PreparedFile, Preparer
from openpeel.ingest.police_uk.progress import ProgressFn, StatementProgress
from openpeel.ingest.police_uk.row_by_row import first_kept, quarantine_kept, slow_load
from openpeel.ingest.police_uk.staging import Stage
from openpeel.ingest.police_uk.statements import insert_rows_sql
from openpeel.ingest.police_uk.workdir import work_folder
from openpeel.warehouse import transaction
from openpeel.warehouse.disk import disk_error
from openpeel.warehouse.lake import lake_of, publish, remove_stale_staging
from openpeel.warehouse.month_files import RowSource, arrow_schema

PUBLISHER = "Home Office (data.police.uk)"


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
    fast: pa.Table | None,
    piece: Path,
    stage: Stage,
    kept: int,
    replace: bool,
) -> tuple[Loaded, RowSource | None, bool]:
    """What the file holds; its good rows if it is complete (in memory from the fast path, or in
    `piece` from the row-by-row reload; None when it has none); whether it was reloaded row by row."""
    fast_stored = fast.num_rows if fast is not None else 0
    if fast_stored == p.rows_in_file:
        return Loaded(p.rows_in_file, fast_stored, 0, p.rows_in_file), fast, False
    stop = (lambda bad: False) if replace else certain_refusal(fast_stored, kept)
    got = slow_load(con, p, stage.workdir, piece, stop=stop)
    loaded = Loaded(
        lines=p.rows_in_file,
        stored=got.stored if got.complete else fast_stored,
        quarantined=got.quarantined,
        records=got.records,
        complete=got.complete,
        by_field=dict(got.by_field),
        first_bad=first_kept(con),
    )
    return loaded, piece if piece.exists() else None, True


def _refusal_row(p: PreparedFile, loaded: Loaded, kept: int, reason: str, now: dt.datetime) -> list[object]:
    return [
        p.source.force_id,
        p.source.month,
        p.source.kind.value,
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


def _load_kind(
    con: duckdb.DuckDBPyConnection,
    kind: FileKind,
    prepared: list[PreparedFile],
    existing: dict[Key, Stored],
    replace: bool,
    stage: Stage,
    now: dt.datetime,
    tracker: StatementProgress,
) -> list[FileResult]:
    register_files(con, prepared)
    first, last = prepared[0].source.month, prepared[-1].source.month
    with tracker.track(sum(p.source.size for p in prepared), f"loading {_span(first, last)} {kind.value}"):
        fast = good_rows(con, kind, prepared)
    results: list[FileResult] = []
    accepted: list[tuple[PreparedFile, FileResult]] = []
    refused: list[list[object]] = []
    months: dict[dt.date, dict[str, RowSource]] = defaultdict(dict)
    for p, rows in zip(prepared, fast, strict=True):
        old = existing.get((p.source.month, p.source.force_id, kind.value))
        kept = old.rows_stored if old else 0
        piece = piece_path(stage.pieces, p)
        loaded, good, slow = _loaded(con, p, rows, piece, stage, kept, replace)
        reason = None if replace else refusal(loaded, kept)
        if reason is not None:
            piece.unlink(missing_ok=True)
            results.append(FileResult(p.source, "refused", loaded.lines, 0, 0, slow, reason, kept))
            refused.append(_refusal_row(p, loaded, kept, reason, now))
            continue
        if old is not None:
            con.execute("DELETE FROM meta_quarantine WHERE source_id = ?", [p.source.source_id])
        if slow:
            quarantine_kept(con, p, now)
        # A file stored with no rows (header only, or every row bad, under `replace`) empties its
        # force-month: the stored rows go.
        if good is None:  # (Schema.empty_table would import pandas, a third of a second)
            good = pa.Table.from_batches([], schema=arrow_schema(kind.value))
        months[p.source.month][p.source.force_id] = good
        result = FileResult(p.source, "ingested", loaded.records, loaded.stored, loaded.quarantined, slow)
        results.append(result)
        accepted.append((p, result))
    # The previous kind's month files are written by now, or nearly: wait for them, so at most two
    # kinds' rows are held, then hand this kind's to the writer.
    stage.settle(keep=0)
    stage.write_months(con, kind.value, months)
    insert_rows_sql(con, "meta_police_uk_refusals", _REFUSAL_COLUMNS, refused, replace=True)
    _forget_refusals(con, [p.source for p, _ in accepted])
    insert_rows_sql(
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
    insert_rows_sql(
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


BATCH_BYTES = 128 << 20
"""Months are loaded together until their files reach this size (a big month is a batch on its own).
Each batch and kind is one statement, whose good rows are held as Arrow tables until their month
files are written (about 1.3 times the CSV's size for street rows): the batch bounds the
ingest's memory, with at most two kinds' rows held at once (staging.py). A synthetic national
year (130 MB of CSV a month) peaks under 500 MB of the whole process."""


WRITERS = 2
"""Threads writing month files (pyarrow encodes a file on one core): the months of the last
batch, written after DuckDB has read everything, take half as long on two."""


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
        ThreadPoolExecutor(WRITERS) as writer,
        memory_bounded(con, memory_limit),
        StatementProgress(con, progress) as tracker,
    ):
        preparer = Preparer(workdir, hasher, set(existing))
        stage = Stage(root, workdir, writer)
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
                stage.settle()  # inside the transaction: a month file that fails stores nothing
            if stage.commit.months:
                publish(con, stage.commit)
            else:
                stage.commit.discard()
        except duckdb.OutOfMemoryException as exc:
            stage.abandon()
            cap = f" under the ingest's memory limit of {memory_limit}" if memory_limit else ""
            raise OpenpeelError(
                f"DuckDB ran out of memory{cap}, so nothing was stored ({str(exc).splitlines()[0]}). "
                "Run it again with a larger --memory-limit."
            ) from None
        except BaseException:
            stage.abandon()
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
    stage: Stage,
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
