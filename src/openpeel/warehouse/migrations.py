"""Numbered schema migrations of the warehouse, each recorded in meta_migrations when applied.

Each migration is a SQL file in `schema_migrations/`, written once and never edited after it
ships: a schema change is a new file. The tests build a warehouse at every earlier version,
migrate it to the latest and compare it with the table registry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb

from openpeel.core.errors import OpenpeelError
from openpeel.warehouse.lake import LakeCommit, publish, refresh_views
from openpeel.warehouse.lake_move import LAKE_MOVED, move_records_to_lake

MONTH_FILES = 11
"""The migration that rewrites a lake of force-month files into month files (lake_months.py)."""

META_DDL = """CREATE TABLE IF NOT EXISTS meta_migrations (
    version INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL,
    PRIMARY KEY (version)
)"""

# Tables of the workspace that warehouses before migration 6 held; moved by `openpeel store
# import-warehouse` before migration 6 drops them.
LEGACY_WORKSPACE_TABLES = (
    "ev_inspections",
    "ev_findings",
    "as_judgements",
    "as_audit_events",
    "web_users",
    "web_sessions",
)
WORKSPACE_MOVED = 6


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        body = "\n".join(line for line in self.sql.splitlines() if not line.lstrip().startswith("--"))
        return [s.strip() for s in body.split(";") if s.strip()]


def _load() -> tuple[Migration, ...]:
    folder = resources.files("openpeel.warehouse").joinpath("schema_migrations")
    found = []
    for entry in folder.iterdir():
        match = re.fullmatch(r"(\d{4})_([a-z0-9_]+)\.sql", entry.name)
        if match:
            text = entry.read_text(encoding="utf-8")
            title = text.splitlines()[0].partition(":")[2].strip().rstrip(".")
            found.append(Migration(int(match.group(1)), title or match.group(2), text))
    return tuple(sorted(found, key=lambda m: m.version))


MIGRATIONS: tuple[Migration, ...] = _load()


def applied_versions(con: duckdb.DuckDBPyConnection) -> set[int]:
    con.execute(META_DDL)
    return {int(row[0]) for row in con.execute("SELECT version FROM meta_migrations").fetchall()}


def applied_versions_read_only(con: duckdb.DuckDBPyConnection) -> set[int]:
    """The versions recorded, without creating anything (the connection may be read-only)."""
    try:
        rows = con.execute("SELECT version FROM meta_migrations").fetchall()
    except duckdb.CatalogException:
        return set()
    return {int(row[0]) for row in rows}


def legacy_workspace_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows still held in the workspace tables of a warehouse from before the store existed."""
    present = {
        str(r[0])
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
    counts = {}
    for name in LEGACY_WORKSPACE_TABLES:
        if name in present:
            row = con.execute(f"SELECT count(*) FROM {name}").fetchone()
            if row and row[0]:
                counts[name] = int(row[0])
    return counts


def _guard(con: duckdb.DuckDBPyConnection, migration: Migration) -> None:
    if migration.version != WORKSPACE_MOVED:
        return
    held = legacy_workspace_rows(con)
    if held:
        listed = ", ".join(f"{n} {t}" for t, n in held.items())
        raise OpenpeelError(
            f"this warehouse still holds workspace data from an earlier openpeel ({listed}); move it into "
            "the workspace store first: openpeel store import-warehouse --db PATH"
        )


def _before(con: duckdb.DuckDBPyConnection, migration: Migration, lake: Path | None) -> LakeCommit | None:
    """What must happen before a migration's SQL: a guard, or the records moved; for migration 11,
    the commit that removes the force-month files once the warehouse no longer reads them."""
    _guard(con, migration)
    if migration.version == LAKE_MOVED:
        move_records_to_lake(con, lake)
    if migration.version == MONTH_FILES:
        # Imported here: it needs pyarrow, which opening a current warehouse never does.
        from openpeel.warehouse.lake_months import rewrite_into_month_files

        return rewrite_into_month_files(con, lake)
    return None


def _holds_tables(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE NOT internal AND table_name <> 'meta_migrations'"
    ).fetchone()
    return bool(row and row[0])


def migrate(
    con: duckdb.DuckDBPyConnection, *, lake: Path | None = None, up_to: int | None = None
) -> list[int]:
    """Apply every migration not yet recorded (up to `up_to`), all in one transaction (all or
    nothing); return the versions applied now. `lake` is the warehouse's Parquet lake, which the
    record views of migrations 9 and 11 read."""
    done = applied_versions(con)
    pending = [m for m in MIGRATIONS if m.version not in done and (up_to is None or m.version <= up_to)]
    if not pending:
        return []
    # A new warehouse holds nothing to guard or move: its checks (catalogue queries) are skipped.
    fresh = not done and not _holds_tables(con)
    removals: list[LakeCommit] = []
    con.execute("BEGIN TRANSACTION")
    try:
        for migration in pending:
            if not fresh:
                removal = _before(con, migration, lake)
                if removal is not None:
                    removals.append(removal)
            for statement in migration.statements():
                con.execute(statement)
            con.execute(
                "INSERT INTO meta_migrations VALUES (?, ?, now()::TIMESTAMP)",
                [migration.version, migration.name],
            )
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    if any(m.version in (LAKE_MOVED, MONTH_FILES) for m in pending):
        refresh_views(con, lake)
    for removal in removals:
        # The force-month files go with the warehouse that no longer reads them: held by
        # writing() until its copy replaces the warehouse, else removed now.
        publish(con, removal)
    return [m.version for m in pending]
