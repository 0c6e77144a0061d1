from __future__ import annotations

from pathlib import Path

import pytest

from openpeel.warehouse import TABLES, connect, resolve_db_path
from openpeel.warehouse.migrations import MIGRATIONS, migrate


def test_migrations_build_exactly_the_registry(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    actual = {
        (t, c, d)
        for t, c, d in con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'main'"
        ).fetchall()
    }
    expected = {(t.name, c.name, c.type) for t in TABLES for c in t.columns}
    assert actual == expected


def test_migrations_are_recorded_and_not_reapplied(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    con = connect(path)
    versions = [r[0] for r in con.execute("SELECT version FROM meta_migrations ORDER BY version").fetchall()]
    assert versions == [m.version for m in MIGRATIONS]
    assert migrate(con) == []
    con.close()
    con = connect(path)
    assert con.execute("SELECT count(*) FROM meta_migrations").fetchone() == (len(MIGRATIONS),)


def test_migration_numbers_are_sequential() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


def test_every_table_and_column_is_described() -> None:
    for table in TABLES:
        assert table.description.strip()
        for column in table.columns:
            assert column.description.strip(), (table.name, column.name)


def test_db_path_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OPENPEEL_DB", raising=False)
    assert resolve_db_path(None) == Path("openpeel.duckdb")
    monkeypatch.setenv("OPENPEEL_DB", str(tmp_path / "env.duckdb"))
    assert resolve_db_path(None) == tmp_path / "env.duckdb"
    assert resolve_db_path(tmp_path / "flag.duckdb") == tmp_path / "flag.duckdb"
