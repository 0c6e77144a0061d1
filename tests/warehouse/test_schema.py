from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from openpeel.core.errors import OpenpeelError
from openpeel.warehouse import TABLES, connect
from openpeel.warehouse.lake_move import LAKE_MOVED
from openpeel.warehouse.migrations import LEGACY_WORKSPACE_TABLES, MIGRATIONS, WORKSPACE_MOVED, migrate


def schema(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, str, str]]:
    return {
        (t, c, d, n)
        for t, c, d, n in con.execute(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = 'main'"
        ).fetchall()
    }


def registry() -> set[tuple[str, str, str, str]]:
    # DuckDB reports every column of a view as nullable; the registry says what ingest guarantees.
    return {
        (t.name, c.name, c.type, "YES" if c.nullable or t.is_view else "NO")
        for t in TABLES
        for c in t.columns
    }


def test_migrations_build_exactly_the_registry(tmp_path: Path) -> None:
    assert schema(connect(tmp_path / "w.duckdb")) == registry()


@pytest.mark.parametrize("start", [m.version for m in MIGRATIONS[:-1]])
def test_a_warehouse_at_every_earlier_version_migrates_to_the_registry(tmp_path: Path, start: int) -> None:
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    assert migrate(con, up_to=start) == list(range(1, start + 1))
    assert migrate(con) == list(range(start + 1, len(MIGRATIONS) + 1))
    assert schema(con) == registry()


def test_shipped_migrations_do_not_change() -> None:
    """Each migration file is fixed once shipped: its text is pinned here by hash."""
    import hashlib

    shipped = {
        1: "f6eae97b28620800", 2: "e334298e2d3c78e5", 3: "f171cca0d0a65deb",
        4: "9722ffec016dabde", 5: "03782f3f42faf610", 6: "6bfc6abf770c878b",
        9: "5809d9a402ecc609", 10: "15d5475a17b40f3f", 11: "14883c689f683cad",
    }  # fmt: skip
    digests = {m.version: hashlib.sha256(m.sql.encode()).hexdigest()[:16] for m in MIGRATIONS}
    assert {v: digests[v] for v in shipped} == shipped


def test_workspace_rows_in_an_old_warehouse_stop_migration_6_with_a_hint(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    migrate(con, up_to=WORKSPACE_MOVED - 1)
    con.execute(
        "INSERT INTO web_users VALUES ('ivy', 'Ivy', 'inspector', 'x', TIMESTAMP '2026-01-01 00:00:00', true)"
    )
    with pytest.raises(OpenpeelError, match="openpeel store import-warehouse"):
        migrate(con)
    assert "web_users" in {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    assert set(LEGACY_WORKSPACE_TABLES) <= {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }


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


def test_records_of_a_warehouse_from_before_the_lake_move_into_it(tmp_path: Path) -> None:
    """Migration 9 replaces the record tables with views; their rows go to the lake first and the
    coverage of them stays, so nothing an earlier ingest stored is lost (and migration 11 then
    rewrites the force-month files it wrote into month files)."""
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    migrate(con, up_to=LAKE_MOVED - 1)
    rows = [
        ("kent", "2014-06-01", "c1", "Burglary"),
        ("kent", "2014-06-01", "c2", "Vehicle crime"),
        ("kent", "2014-07-01", "c3", "Burglary"),
        ("essex", "2014-06-01", "c4", "Drugs"),
    ]
    for force, month, crime_id, crime_type in rows:
        con.execute(
            "INSERT INTO raw_police_uk_street (force_id, month, crime_id, crime_type) VALUES (?, ?, ?, ?)",
            [force, month, crime_id, crime_type],
        )
    coverage_before = con.execute("SELECT count(*) FROM meta_police_uk_coverage").fetchone()
    migrate(con, lake=tmp_path / "old-lake")
    got = con.execute(
        "SELECT force_id, strftime(month, '%Y-%m-%d'), crime_id, crime_type FROM raw_police_uk_street ORDER BY crime_id"
    ).fetchall()
    assert got == rows
    lake = tmp_path / "old-lake"
    parts = sorted(str(p.relative_to(lake)) for p in lake.rglob("*") if not p.is_dir())
    assert parts == ["kind=street/month=2014-06/part-0.parquet", "kind=street/month=2014-07/part-0.parquet"]
    assert not [p for p in lake.iterdir() if p.name.startswith(".")]  # no staging left behind
    assert con.execute("SELECT count(*) FROM meta_police_uk_coverage").fetchone() == coverage_before
    con.close()
