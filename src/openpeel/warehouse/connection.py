"""Opening the warehouse: where the file is, reading it while others write, and writing it safely.

DuckDB lets one process write a file, and a process that holds the file open read-only stops any
other from writing it. So nobody writes the warehouse file in place: a writer (`writing`) copies
it to a private file beside it, works there, and renames the copy over the original when it
succeeds (an atomic replace on POSIX). Readers (the web app, report commands) open the file
read-only and keep reading the snapshot they opened; `WarehouseReader` notices a replaced file
and opens the new one. Writers take turns through a lock file, so two ingests at once run one
after the other instead of one overwriting the other's work. A writer killed half-way leaves
only its private copy behind, which the next writer removes: the warehouse is as it was. The
Parquet lake of record-level data changes with the warehouse, in the same step
(openpeel.warehouse.lake).
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from openpeel.core.errors import OpenpeelError
from openpeel.warehouse.disk import disk_error, megabytes, on_disk
from openpeel.warehouse.lake import (
    attach_lake,
    commit_with_warehouse,
    defer_commits,
    journal_path,
    recover,
    take_commits,
)
from openpeel.warehouse.migrations import migrate

_NEXT = ".next-"


def connect(
    path: str | Path, *, lake: Path | None = None, read_only: bool = False, deferred: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open the file itself (creating it if needed) and apply pending migrations.

    `lake` is the Parquet lake this warehouse's record views read (None: a warehouse without
    one, whose record views are empty). `path=":memory:"` gives a throwaway in-memory warehouse,
    used by tests. Commands use `writing` and `open_reader` instead, which never hold the shared
    file open for writing. (`deferred`: the file is `writing()`'s private copy, so what a migration
    changes in the lake waits for the copy to replace the warehouse.)
    """
    target = str(path)
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(target, read_only=read_only)
    con.execute("SET enable_progress_bar = false")  # it would print over the CLI's Rich progress bars
    if deferred:
        defer_commits(con)
    if not read_only:
        try:
            migrate(con, lake=lake)
        except BaseException:
            for commit in take_commits(con):
                commit.discard()
            con.close()
            raise
    if lake is not None:
        attach_lake(con, lake)
    return con


def open_reader(path: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse as it stands, read-only: never blocks a writer, never sees half a write."""
    return _open_snapshot(path)[0]


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextmanager
def _writer_lock(path: Path, on_wait: Callable[[], None] | None) -> Iterator[None]:
    with on_disk(path.parent):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(_lock_path(path), "a+b")  # noqa: SIM115 - closed by the with below
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_copies(path: Path) -> None:
    # Only called under the writer lock: any private copy left is from a writer that died, with its
    # WAL and, if DuckDB spilled to disk, its temporary folder.
    for stale in path.parent.glob(f".{path.name}{_NEXT}*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


def _remove_copy(copy: Path) -> None:
    for leftover in (copy, Path(str(copy) + ".wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(Path(str(copy) + ".tmp"), ignore_errors=True)


def _disk_failure(
    exc: BaseException, path: Path, copy: Path, after: str | None = None
) -> OpenpeelError | None:
    """A full or unwritable disk while writing the warehouse, as one line naming the place."""
    size = path.stat().st_size if path.exists() else 0
    return disk_error(
        exc, copy, need=f"{megabytes(2 * size)} for the warehouse and its working copy", after=after
    )


@contextmanager
def writing(
    path: Path, lake: Path, *, on_wait: Callable[[], None] | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a private copy of the warehouse, which replaces the original
    only if the block finishes without an error. `lake` is the warehouse's own Parquet lake: the
    copy's name says nothing of where it is."""
    if str(path) == ":memory:":
        raise ValueError("writing() needs a file; use connect(':memory:') for a throwaway warehouse")
    with _writer_lock(path, on_wait):
        copy = path.with_name(f".{path.name}{_NEXT}{os.getpid()}")
        con = _open_copy(path, copy, lake)
        try:
            yield con
        except BaseException:
            for commit in take_commits(con):
                commit.discard()
            con.close()
            _remove_copy(copy)
            raise
        _commit(con, path, copy)


def _open_copy(path: Path, copy: Path, lake: Path) -> duckdb.DuckDBPyConnection:
    try:
        recover(path, lambda p: connect(p, lake=lake))
        _remove_stale_copies(path)
        if path.exists():
            shutil.copyfile(path, copy)
        return connect(copy, lake=lake, deferred=True)
    except (OSError, duckdb.Error) as exc:
        _remove_copy(copy)
        found = _disk_failure(exc, path, copy)
        if found is None:
            raise
        raise found from None


def _commit(con: duckdb.DuckDBPyConnection, path: Path, copy: Path) -> None:
    """Move the lake's new files into place with the warehouse (see openpeel.warehouse.lake)."""
    commits = take_commits(con)

    def close() -> None:
        con.execute("CHECKPOINT")
        con.close()

    try:
        commit_with_warehouse(con, commits, copy, path, close)
    except (OSError, duckdb.Error) as exc:
        if journal_path(path).exists():
            # Part of the lake may have moved: the journal lets the next writer finish the commit.
            after = (
                "The new data waits beside the warehouse; the next command that writes it finishes the move."
            )
            found = _disk_failure(exc, path, copy, after=after)
        else:
            for commit in commits:
                commit.discard()
            with contextlib.suppress(duckdb.Error):
                con.close()
            _remove_copy(copy)
            found = _disk_failure(exc, path, copy)
        if found is None:
            raise
        raise found from None


def _open_snapshot(path: Path) -> tuple[duckdb.DuckDBPyConnection, tuple[int, int]]:
    """The file as it is now, through a link of its own: DuckDB shares one database per path
    within a process, so opening the path again would hand back the snapshot already open."""
    if not path.exists():
        raise OpenpeelError(f"no warehouse at {path}; build one first: openpeel build --year 2014")
    link = path.with_name(f".{path.name}.reader-{os.getpid()}-{next(_LINKS)}")
    os.link(path, link)
    try:
        stat = link.stat()
        con = connect(link, read_only=True)
    except duckdb.IOException as exc:
        raise OpenpeelError(f"cannot read the warehouse {path}: {exc}") from None
    finally:
        link.unlink()  # the open file stays readable; nothing is left behind
    return con, (stat.st_ino, stat.st_mtime_ns)


_LINKS = itertools.count()


class WarehouseReader:
    """A read-only connection that follows the file: after a writer replaces the warehouse, the
    next `current()` opens the new snapshot. Requests take a cursor of it (thread-safe)."""

    def __init__(self, path: Path, *, check_every: float = 0.5) -> None:
        self.path = path
        self._check_every = check_every
        self._lock = threading.Lock()
        self._con, self._stamp = _open_snapshot(path)
        self._checked = time.monotonic()

    def _file_stamp(self) -> tuple[int, int]:
        stat = self.path.stat()
        return (stat.st_ino, stat.st_mtime_ns)

    def current(self) -> duckdb.DuckDBPyConnection:
        now = time.monotonic()
        if now - self._checked >= self._check_every:
            with self._lock:
                self._checked = now
                try:
                    stamp = self._file_stamp()
                except FileNotFoundError:
                    stamp = self._stamp
                if stamp != self._stamp:
                    # Cursors already handed out keep the old snapshot alive until they close.
                    self._con, self._stamp = _open_snapshot(self.path)
        return self._con

    def snapshot(self) -> str:
        """Which snapshot `current()` reads: it changes whenever a writer replaces the file."""
        self.current()
        return f"{self._stamp[0]}-{self._stamp[1]}"

    def close(self) -> None:
        self._con.close()


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
