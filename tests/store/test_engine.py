"""Opening the workspace store: URLs, SQLite's settings, writers taking turns, read-only reads."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.conftest import TEST_AUDIT_KEY

from openpeel.core.errors import OpenpeelError
from openpeel.store import Store, open_store, transaction
from openpeel.store.engine import _driver_url
from openpeel.store.schema import sa_table


def test_plain_postgresql_urls_use_psycopg_3_and_others_are_refused() -> None:
    assert _driver_url("postgresql://ann@h/db").drivername == "postgresql+psycopg"
    assert _driver_url("postgres://ann@h/db").drivername == "postgresql+psycopg"
    with pytest.raises(OpenpeelError, match="unsupported workspace store"):
        _driver_url("mysql://ann@h/db")
    with pytest.raises(OpenpeelError, match="not a database URL"):
        _driver_url("no url at all")


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'ws.sqlite'}", audit_key=TEST_AUDIT_KEY)
    with store.read() as ws:
        assert ws.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert ws.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert ws.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000


def test_foreign_keys_refuse_a_finding_without_its_inspection(store: Store) -> None:
    findings = sa_table("ev_findings")
    row = {
        "force_id": "kent", "year": 2014, "finding_id": "f1", "position": 1, "inspection_id": "nowhere",
        "question_id": "q", "kind": "strength", "text": "t", "topics": [], "indicators": [], "explains": [],
        "is_exceptional": False, "is_resolved": False, "in_overview": False, "version": 1,
    }  # fmt: skip
    with pytest.raises(sa.exc.IntegrityError), store.write() as ws:
        ws.execute(sa.insert(findings).values(**row))


def test_a_read_connection_refuses_changes(store: Store) -> None:
    with store.read() as ws, pytest.raises(RuntimeError, match="read-only"), transaction(ws):
        pass


def test_a_failure_inside_a_nested_transaction_undoes_only_that_part(store: Store) -> None:
    users = sa_table("web_users")

    def user(name: str) -> dict[str, object]:
        return {
            "username": name, "display_name": name, "role": "viewer", "password_hash": "x",
            "created_at": sa.func.current_timestamp(), "is_active": True,
        }  # fmt: skip

    with store.write() as ws:
        ws.execute(sa.insert(users).values(**user("kept")))
        with pytest.raises(ValueError), transaction(ws):
            ws.execute(sa.insert(users).values(**user("undone")))
            raise ValueError("stop")
    with store.read() as ws:
        assert [r[0] for r in ws.execute(sa.select(users.c.username))] == ["kept"]


def test_writers_take_turns(store: Store) -> None:
    """Two writers at once: the second starts only after the first has committed, so neither reads
    a chain head the other is about to move."""
    order: list[str] = []
    started = threading.Event()

    def first() -> None:
        with store.write():
            order.append("first begins")
            started.set()
            time.sleep(0.4)
            order.append("first commits")

    thread = threading.Thread(target=first)
    thread.start()
    started.wait(5)
    with store.write():
        order.append("second begins")
    thread.join()
    assert order == ["first begins", "first commits", "second begins"]


def test_a_snapshot_sees_one_state_while_writers_carry_on(store: Store) -> None:
    """What `openpeel publish` renders from: every read in the snapshot sees the store as at the
    first, and a writer meanwhile neither waits for it nor shows in it (PostgreSQL's default
    READ COMMITTED would show the new row to the second read)."""
    failures = sa_table("web_login_failures")

    def count(ws: sa.Connection) -> int:
        return int(ws.execute(sa.select(sa.func.count()).select_from(failures)).scalar_one())

    with store.snapshot() as snap:
        first = count(snap)
        started = time.perf_counter()
        with store.write() as ws:
            ws.execute(
                sa.insert(failures).values(throttle_key="address:192.0.2.1", failures=1, last_failure=0.0)
            )
        assert time.perf_counter() - started < 1.0
        assert count(snap) == first
        with pytest.raises(RuntimeError, match="read-only"), transaction(snap):
            pass
    with store.read() as ws:
        assert count(ws) == first + 1
