"""Progress inside a long DuckDB statement comes from DuckDB's query progress, on a worker thread."""

from __future__ import annotations

import threading

import duckdb
import pytest

from openpeel.ingest.police_uk.progress import StatementProgress

# Whole commands or national runs, seconds each: left to the full run (`make test-fast` skips them).
pytestmark = pytest.mark.slow


def _long_statement(con: duckdb.DuckDBPyConnection) -> None:
    # About a second of scanning on two cores; DuckDB tracks how much of the range it has read.
    con.execute("SELECT count(*) FROM range(250_000_000) t(i) WHERE hash(i) % 7 = 0").fetchone()


def test_bytes_are_reported_while_the_statement_runs_and_taken_once() -> None:
    con = duckdb.connect()
    reports: list[tuple[int, str, bool]] = []

    def report(done: int, what: str) -> None:
        reports.append((done, what, threading.current_thread() is threading.main_thread()))

    with StatementProgress(con, report) as tracker:
        with tracker.track(1_000_000, "loading 2014-01 street"):
            _long_statement(con)
        taken = tracker.take()
        assert tracker.take() == 0
    assert reports, "no progress was reported during a statement of several seconds"
    assert all(what == "loading 2014-01 street" and not on_main for _, what, on_main in reports)
    assert all(done > 0 for done, _, _ in reports)
    assert taken == sum(done for done, _, _ in reports) <= 1_000_000


def test_nothing_is_reported_outside_a_tracked_statement_or_without_a_callback() -> None:
    con = duckdb.connect()
    reports: list[int] = []
    with StatementProgress(con, lambda done, _: reports.append(done)) as tracker:
        _long_statement(con)  # not tracked
        assert tracker.take() == 0
    assert reports == []
    with StatementProgress(con, None) as quiet, quiet.track(100, "x"):
        _long_statement(con)
    assert quiet.take() == 0
    row = con.execute("SELECT current_setting('enable_progress_bar')").fetchone()
    assert row == (False,)
