"""The store's Alembic migrations: frozen once shipped, and building exactly the table registry
from every earlier revision, on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from openpeel.store import Store, open_store
from openpeel.store.migrate import alembic_config, current_revision, head_revision, upgrade
from openpeel.store.schema import SA_TYPES
from openpeel.store.tables import WORKSPACE_TABLES

# Each shipped migration's text, pinned: a schema change is a new revision, never an edit.
SHIPPED = {
    "0001_workspace.py": "6459efdb8fe3272a",
    "0002_user_disabling.py": "54139d5817298147",
    "0003_publications.py": "0ed2110777bcbaf4",
    "0004_login_failures.py": "4eac067ef2134c08",
    "0005_audited_users.py": "543fa1f6a6ea112a",
}


def test_shipped_migration_files_are_unchanged() -> None:
    folder = resources.files("openpeel.store").joinpath("migrations", "versions")
    found = {
        entry.name: hashlib.sha256(entry.read_bytes()).hexdigest()[:16]
        for entry in folder.iterdir()
        if entry.name.endswith(".py") and entry.name[0].isdigit()
    }
    assert {name: found.get(name) for name in SHIPPED} == SHIPPED


def _schema(store: Store) -> dict[str, tuple[list[str], set[tuple[str, str, bool]]]]:
    """The tables as the database reports them: primary key, and each column's type and nullability."""
    inspector = sa.inspect(store.engine)
    dialect = store.engine.dialect
    out = {}
    for name in inspector.get_table_names():
        if name == "alembic_version":
            continue
        columns = {
            (c["name"], c["type"].compile(dialect=dialect), bool(c["nullable"]))
            for c in inspector.get_columns(name)
        }
        out[name] = (list(inspector.get_pk_constraint(name)["constrained_columns"]), columns)
    return out


def _registry(store: Store) -> dict[str, tuple[list[str], set[tuple[str, str, bool]]]]:
    dialect = store.engine.dialect
    return {
        spec.name: (
            list(spec.primary_key),
            {(c.name, SA_TYPES[c.type].compile(dialect=dialect), c.nullable) for c in spec.columns},
        )
        for spec in WORKSPACE_TABLES
    }


def test_latest_migration_builds_exactly_the_registry(store: Store) -> None:
    assert current_revision(store) == head_revision(store)
    assert _schema(store) == _registry(store)


@pytest.mark.slow
def test_every_earlier_revision_migrates_to_the_registry(tmp_path: Path) -> None:
    folder = tmp_path
    probe = open_store(f"sqlite:///{folder / 'probe.sqlite'}", upgrade=False)
    revisions = [r.revision for r in ScriptDirectory.from_config(alembic_config(probe)).walk_revisions()]
    for n, start in enumerate(["base", *reversed(revisions[1:])]):
        store = open_store(f"sqlite:///{folder / f'at-{n}.sqlite'}", upgrade=False)
        if start != "base":
            upgrade(store, start)
        upgrade(store)
        assert current_revision(store) == head_revision(store)
        assert _schema(store) == _registry(store)
