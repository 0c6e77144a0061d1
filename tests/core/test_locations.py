"""Where data lives is worked out once, at the edges, and handed down."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.core.cli_support import locations, set_global_options
from openpeel.core.locations import Locations, lake_beside
from openpeel.warehouse import connect, open_reader
from openpeel.warehouse.lake_move import LAKE_MOVED
from openpeel.warehouse.migrations import migrate

SRC = Path(__file__).resolve().parents[2] / "src" / "openpeel"
# The edges: the command line's options and the web app's settings (and a worker process's
# environment). Everything else is handed a Locations.
EDGES = {"core/settings.py", "core/cli_support.py", "web/app.py"}


def test_locations_follow_options_over_environment_over_defaults(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("OPENPEEL_DB", "OPENPEEL_STORE", "OPENPEEL_HOME", "OPENPEEL_LAKE"):
        monkeypatch.delenv(name, raising=False)
    set_global_options()
    default = locations()
    assert default.warehouse == Path("openpeel-data") / "warehouse.duckdb"
    assert default.lake == Path("openpeel-data") / "lake"
    assert default.store_url == "sqlite:///openpeel-data/workspace.sqlite"
    assert default.tmp == Path("openpeel-data") / "tmp"

    monkeypatch.setenv("OPENPEEL_HOME", str(tmp_path / "home"))
    home = locations()
    assert (home.warehouse, home.lake) == (tmp_path / "home" / "warehouse.duckdb", tmp_path / "home" / "lake")
    assert home.store_url == f"sqlite:///{tmp_path}/home/workspace.sqlite"

    monkeypatch.setenv("OPENPEEL_DB", str(tmp_path / "env.duckdb"))
    monkeypatch.setenv("OPENPEEL_STORE", "postgresql://ann@db.example:5432/openpeel")
    env = locations()
    assert (env.warehouse, env.lake) == (tmp_path / "env.duckdb", tmp_path / "env-lake")
    assert env.store_url == "postgresql://ann@db.example:5432/openpeel"

    flag = locations(db=tmp_path / "flag.duckdb")
    assert (flag.warehouse, flag.lake) == (tmp_path / "flag.duckdb", tmp_path / "flag-lake")
    set_global_options(home=tmp_path / "global", store="sqlite:///x.sqlite")
    try:
        assert locations().store_url == "sqlite:///x.sqlite"
    finally:
        set_global_options()


def test_in_folder_and_with_warehouse_agree_with_the_settings(tmp_path: Path) -> None:
    where = Locations.in_folder(tmp_path)
    assert where.lake == tmp_path / "lake"
    other = where.with_warehouse(tmp_path / "x" / "w.duckdb")
    assert other.lake == lake_beside(tmp_path / "x" / "w.duckdb") == tmp_path / "x" / "w-lake"
    assert other.store_url == where.store_url


def _settings_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "Settings")
            or (isinstance(node.func, ast.Attribute) and node.func.attr == "Settings")
        )
    ]


def test_no_settings_are_made_below_the_edges() -> None:
    found = {
        str(path.relative_to(SRC)): lines
        for path in sorted(SRC.rglob("*.py"))
        if str(path.relative_to(SRC)) not in EDGES and (lines := _settings_calls(path))
    }
    assert found == {}, f"Settings() built below the edges (pass a Locations instead): {found}"


def _old_warehouse_with_records(path: Path) -> None:
    """A warehouse from before migration 9, holding two street records in its tables."""
    con = duckdb.connect(str(path))
    migrate(con, up_to=LAKE_MOVED - 1)
    for crime_id in ("own-1", "own-2"):
        con.execute(
            "INSERT INTO raw_police_uk_street (force_id, month, crime_id, crime_type) "
            "VALUES ('kent', DATE '2014-06-01', ?, 'Burglary')",
            [crime_id],
        )
    con.close()


def _foreign_lake(folder: Path) -> None:
    """Someone else's lake in ./openpeel-data of the current folder (invented rows)."""
    con = connect(":memory:")
    target = folder / "openpeel-data" / "lake" / "kind=street" / "month=2014-06" / "force=essex"
    target.mkdir(parents=True)
    con.execute(
        "COPY (SELECT * REPLACE ('foreign-' || i AS crime_id) FROM "
        "(SELECT * EXCLUDE (force_id, month) FROM raw_police_uk_street), range(500) t(i)) "
        f"TO '{target / 'part.parquet'}' (FORMAT parquet)"
    )
    con.close()


@pytest.mark.slow
def test_a_warehouse_in_another_home_reads_only_its_own_lake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bug this fixes: after migration 9 on the private copy, the views fell back to
    ./openpeel-data/lake of the current folder, so `--home /x` read rows it never ingested."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    _foreign_lake(cwd)
    home = tmp_path / "x"
    home.mkdir()
    _old_warehouse_with_records(home / "warehouse.duckdb")
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("OPENPEEL_HOME", raising=False)
    # The first command on an old warehouse migrates a private copy of it, then replaces it.
    result = CliRunner().invoke(app, ["--home", str(home), "scan", "--year", "2014", "--json"])
    assert result.exit_code == 0, result.output
    reader = open_reader(home / "warehouse.duckdb")
    ids = sorted(r[0] for r in reader.execute("SELECT crime_id FROM raw_police_uk_street").fetchall())
    assert ids == ["own-1", "own-2"]
    assert (home / "lake" / "kind=street").is_dir()
    assert os.path.isdir(cwd / "openpeel-data" / "lake")  # the foreign lake untouched
