from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from openpeel.core.errors import InputError
from openpeel.ingest import bundled
from openpeel.ingest.official_statistics import SOURCES, load_official_statistics, write_bundle_from

TABLES = ("core_recorded_crime", "core_asb_incidents", "core_population")


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    out = {}
    for name in TABLES:
        out[name] = con.execute(f"SELECT * EXCLUDE (source_ref) FROM {name} ORDER BY ALL").fetchall()
    return out


@pytest.mark.slow
@pytest.mark.shared_data
def test_bundled_table_equals_the_originals(shared_data: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    load_official_statistics(warehouse, shared_data)
    from_originals = snapshot(warehouse)
    sources = warehouse.execute(
        "SELECT source_id, sha256, read_from FROM meta_source_files ORDER BY 1"
    ).fetchall()
    load_official_statistics(warehouse, None)
    assert snapshot(warehouse) == from_originals
    bundled_sources = warehouse.execute(
        "SELECT source_id, sha256, read_from FROM meta_source_files ORDER BY 1"
    ).fetchall()
    assert [s[:2] for s in bundled_sources] == [s[:2] for s in sources]
    assert all(s[2] == "original" for s in sources)
    assert all(s[2].startswith("bundled table") for s in bundled_sources)


@pytest.mark.slow
@pytest.mark.shared_data
def test_shipped_bundle_is_what_the_bundle_command_writes(shared_data: Path, tmp_path: Path) -> None:
    write_bundle_from(shared_data, tmp_path)
    for name in (bundled.RECORDED_CRIME, bundled.ASB, bundled.POPULATION, bundled.MANIFEST):
        shipped = bundled.bundle_files().joinpath(name).read_text(encoding="utf-8")
        assert (tmp_path / name).read_text(encoding="utf-8") == shipped, name


@pytest.mark.slow
@pytest.mark.shared_data
def test_failed_load_leaves_the_warehouse_as_it_was(
    shared_data: Path, tmp_path: Path, warehouse: duckdb.DuckDBPyConnection
) -> None:
    load_official_statistics(warehouse, None)
    before = snapshot(warehouse)
    broken = tmp_path / "data"
    for source in SOURCES:
        (broken / source.path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shared_data / source.path, broken / source.path)
    crime = broken / SOURCES[0].path
    lines = crime.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[40000] = "31-03-2015,Kent,South East,Robbery,not-a-number\n"
    crime.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputError, match="line 40001"):
        load_official_statistics(warehouse, broken)
    assert snapshot(warehouse) == before


def test_missing_data_folder_is_a_clear_error(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(InputError, match="data folder not found"):
        load_official_statistics(warehouse, tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"rec-crime-pfa.csv: file not found"):
        load_official_statistics(warehouse, tmp_path / "empty")


def test_bundled_load_keeps_non_force_areas_apart(warehouse: duckdb.DuckDBPyConnection) -> None:
    load_official_statistics(warehouse, None)
    kinds = dict(
        warehouse.execute(
            "SELECT a.kind, count(DISTINCT c.area_id) FROM core_recorded_crime c JOIN ref_areas a ON a.area_id = c.area_id GROUP BY 1"
        ).fetchall()
    )
    assert kinds == {"territorial": 43, "special": 1, "national_fraud": 3}
