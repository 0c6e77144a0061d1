"""Moving the workspace out of a warehouse written before the store existed (warehouse
migrations 4 and 5 kept evidence, judgements, the audit trail, users and sessions in DuckDB).

The rows are copied as they are, audit events with their original hashes, so the chain still
verifies; each row's edit version is the one replaying its events gives. Then the warehouse's
own migration 6 drops the old tables. All of it, or nothing: the store write is one
transaction, and the warehouse is changed only after it commits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import sqlalchemy as sa

from openpeel.core.errors import OpenpeelError
from openpeel.store.audit import ENTITIES, replay
from openpeel.store.engine import Store
from openpeel.store.schema import sa_table
from openpeel.warehouse.migrations import (
    LEGACY_WORKSPACE_TABLES,
    WORKSPACE_MOVED,
    legacy_workspace_rows,
    migrate,
)

# Parents before children, for the store's foreign keys.
_ORDER = ("web_users", "web_sessions", "ev_inspections", "ev_findings", "as_judgements", "as_audit_events")
_ENTITY_OF = {spec.table: name for name, spec in ENTITIES.items()}


def _rows(con: duckdb.DuckDBPyConnection, name: str) -> list[dict[str, Any]]:
    cursor = con.execute(f"SELECT * FROM {name}")
    columns = [d[0] for d in cursor.description or ()]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def move_legacy_workspace(path: Path, store: Store, *, keep: bool = False) -> dict[str, int]:
    """Copy the old workspace tables of the warehouse at `path` into `store`; returns rows per table."""
    if not path.exists():
        raise OpenpeelError(f"no warehouse at {path}")
    con = duckdb.connect(str(path))
    try:
        migrate(con, up_to=WORKSPACE_MOVED - 1)
        held = legacy_workspace_rows(con)
        tables = {name: _rows(con, name) for name in _ORDER if name in held}
        with store.write() as ws:
            if ws.execute(sa.select(sa_table("as_audit_events").c.event_id).limit(1)).first():
                raise OpenpeelError(
                    f"the store {store.describe()} already holds an audit trail; import into an empty store"
                )
            for name in _ORDER:
                for row in tables.get(name, []):
                    ws.execute(sa.insert(sa_table(name)).values(**_stored(name, row)))
            _set_versions(ws)
        if not keep:
            for name in reversed(LEGACY_WORKSPACE_TABLES):
                con.execute(f"DELETE FROM {name}")
            migrate(con)
        return {name: len(rows) for name, rows in tables.items()}
    finally:
        con.close()


def _stored(name: str, row: dict[str, Any]) -> dict[str, Any]:
    if name in _ENTITY_OF:
        return {**row, "version": 1}
    return row


def _set_versions(ws: sa.Connection) -> None:
    """Each row's version as replaying the audit trail gives it (the number of changes since it
    was created), so the tables and the replayed log agree."""
    for entity, rows in replay(ws).items():
        spec = ENTITIES[entity]
        tbl = sa_table(spec.table)
        for (force_id, year, item_id), snapshot in rows.items():
            ws.execute(
                sa.update(tbl)
                .where(tbl.c.force_id == force_id, tbl.c.year == year, tbl.c[spec.id_column] == item_id)
                .values(version=int(snapshot["version"]))
            )
