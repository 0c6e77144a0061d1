"""A warehouse from before the store existed: its workspace moves into the store intact."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.store import Store
from openpeel.store.audit import (
    GENESIS,
    AuditEvent,
    event_content,
    plain_hash,
    replay,
    table_state,
    verify_chain,
)
from openpeel.store.schema import sa_table
from openpeel.warehouse.migrations import WORKSPACE_MOVED, applied_versions, migrate

INSPECTION = {
    "force_id": "kent", "year": 2014, "inspection_id": "crime-2014", "position": 1, "kind": "crime-inspection",
    "title": "Crime inspection 2014", "fieldwork_start": None, "fieldwork_end": None, "published": "2014-11-12",
    "summary": None, "source": "invented for this test",
}  # fmt: skip


def old_warehouse(path: Path) -> None:
    """A warehouse as openpeel wrote it before the store: migrations 1-5, workspace rows in DuckDB,
    and an audit chain (create, then edit) hashed as that version hashed it."""
    con = duckdb.connect(str(path))
    migrate(con, up_to=WORKSPACE_MOVED - 1)
    edited = {**INSPECTION, "title": "Crime inspection 2014 (edited)"}
    prev = GENESIS
    for n, (before, after) in enumerate([(None, INSPECTION), (INSPECTION, edited)], 1):
        draft = AuditEvent(
            n, dt.datetime(2014, 11, n), "alice", "import", "inspection", "kent", 2014, "crime-2014",
            before, after, None, prev, "",
        )  # fmt: skip
        event = replace(draft, hash=plain_hash(prev, event_content(draft)))
        con.execute(
            "INSERT INTO as_audit_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [n, event.recorded_at, "alice", "import", "inspection", "kent", 2014, "crime-2014",
             json.dumps(before) if before else None, json.dumps(after), None, prev, event.hash],
        )  # fmt: skip
        prev = event.hash
    con.execute(
        "INSERT INTO ev_inspections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [*edited.values()],
    )
    con.execute(
        "INSERT INTO web_users VALUES ('ivy', 'Ivy', 'inspector', 'hash', TIMESTAMP '2014-11-01 00:00:00', true)"
    )
    con.close()


def test_import_warehouse_moves_the_workspace_and_finishes_the_migrations(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.duckdb"
    old_warehouse(path)
    monkeypatch.setenv("OPENPEEL_STORE", store.url)
    result = CliRunner().invoke(app, ["store", "import-warehouse", "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert "moved 2 rows of as_audit_events" in result.stderr
    with store.read() as ws:
        check = verify_chain(ws)
        assert check.is_intact and check.events == 2
        assert replay(ws) == table_state(ws)
        (row,) = ws.execute(sa.select(sa_table("ev_inspections"))).mappings().all()
        assert row["title"] == "Crime inspection 2014 (edited)" and row["version"] == 2
        assert ws.execute(sa.select(sa_table("web_users").c.username)).scalars().all() == ["ivy"]
    con = duckdb.connect(str(path))
    assert WORKSPACE_MOVED in applied_versions(con)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert "ev_inspections" not in tables and "as_audit_events" not in tables
    # A second import finds nothing left to move and refuses to write over the trail.
    again = CliRunner().invoke(app, ["store", "import-warehouse", "--db", str(path)])
    assert again.exit_code == 2 and "already holds an audit trail" in again.stderr
