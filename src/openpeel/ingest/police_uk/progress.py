"""Progress inside a long DuckDB statement, read from DuckDB's own query progress.

One `read_csv` statement loads up to a gigabyte of files, several seconds of work: reporting
only when it ends would leave a progress bar still for that long. A thread polls
`query_progress()` (the share of the running statement's input that DuckDB has read) and
reports the bytes that share stands for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb

ProgressFn = Callable[[int, str], None]
"""Called with (bytes done since the last call, what is being done)."""

POLL_SECONDS = 0.25


class StatementProgress:
    """Reports the bytes of the statement running inside `track(...)`, as DuckDB reads them.

    `take()` returns what was reported since the last `take()`, so the caller can report the rest
    of a batch itself when the batch ends and never count a byte twice.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, report: ProgressFn | None) -> None:
        self._con = con
        self._report = report
        self._lock = threading.Lock()
        self._current: tuple[int, str] | None = None
        self._done_in_statement = 0
        self._since_take = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> StatementProgress:
        if self._report is not None:
            # Progress is only tracked with the bar enabled; printing stays off (the CLI draws its own).
            self._con.execute("SET enable_progress_bar = true")
            self._con.execute("SET enable_progress_bar_print = false")
            self._thread = threading.Thread(target=self._poll, name="openpeel-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._con.execute("SET enable_progress_bar = false")

    @contextmanager
    def track(self, total_bytes: int, label: str) -> Iterator[None]:
        with self._lock:
            self._current = (total_bytes, label)
            self._done_in_statement = 0
        try:
            yield
        finally:
            with self._lock:
                self._current = None

    def take(self) -> int:
        with self._lock:
            taken, self._since_take = self._since_take, 0
            return taken

    def _poll(self) -> None:
        assert self._report is not None
        while not self._stop.wait(POLL_SECONDS):
            share = self._con.query_progress()  # percent, or -1 when nothing is running
            with self._lock:
                if self._current is None or share < 0:
                    continue
                total, label = self._current
                done = int(total * min(share, 100.0) / 100.0)
                step = done - self._done_in_statement
                if step <= 0:
                    continue
                self._done_in_statement = done
                self._since_take += step
            self._report(step, label)
