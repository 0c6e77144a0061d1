"""The record-level indicators give identical results on DuckDB and on Spark, from the same lake."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.core.locations import lake_beside
from openpeel.indicators.lake_engines import run_duckdb, run_spark, to_spark
from openpeel.indicators.outcomes import outcome_indicators_by_force_month
from openpeel.warehouse import connect

# The national slice of tests/conftest.py: every force, two months, Kent's second month missing.
MONTHS = 2


@pytest.fixture(scope="module")
def national_lake(national_demo: Path) -> Path:
    return national_demo / "w-lake"


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("the Spark engine needs Java (openjdk-17-jre-headless)")
    from openpeel.indicators.lake_engines import spark_session

    session = spark_session("local[1]", shuffle_partitions=2)
    yield session
    session.stop()


def test_a_national_lake_has_a_file_per_kind_and_month_and_a_force_reads_one_row_group(
    national_lake: Path,
) -> None:
    """Issue 26: at most 3 files per kind and month, and a force filter reads at most 2 row groups
    of a month file, by the Parquet metadata a reader prunes with."""
    files = sorted(national_lake.glob("kind=*/month=*/*.parquet"))
    per_month: dict[Path, int] = {}
    for path in files:
        per_month[path.parent] = per_month.get(path.parent, 0) + 1
    assert len(per_month) == 2 * MONTHS and max(per_month.values()) <= 3
    groups = duckdb.sql(
        "SELECT file_name, row_group_id, stats_min_value, stats_max_value FROM parquet_metadata("
        f"'{national_lake}/kind=*/month=*/*.parquet') WHERE path_in_schema = 'force_id'"
    ).fetchall()
    forces = {low for _, _, low, _ in groups}
    assert len(forces) == 43
    for force in forces:
        for path in files:
            read = [g for name, g, low, high in groups if name == str(path) and low <= force <= high]
            assert len(read) <= 2, (force, path, read)
    # A force's rows are in row groups of their own: DuckDB's scan reads one of each month file.
    plan = duckdb.sql(
        f"EXPLAIN ANALYZE SELECT count(*) FROM read_parquet('{national_lake}/kind=street/*/*.parquet') "
        "WHERE force_id = 'kent'"
    ).fetchall()[0][1]
    assert "Row Groups Scanned: 1 /" in plan or "Row Groups Scanned: 2 /" in plan, plan


def test_duckdb_and_spark_give_identical_indicators(national_lake: Path, spark: object) -> None:
    on_duckdb = run_duckdb(national_lake)
    on_spark = run_spark(national_lake, spark=spark)  # type: ignore[arg-type]
    assert len(on_duckdb) == 43 * MONTHS - 1
    assert on_spark == on_duckdb
    one = on_duckdb[0]
    assert one["crimes"] > 0 and 0 < one["asb_share"] < 1
    assert one["median_months_to_outcome"] is not None


def test_the_lake_gives_what_the_warehouse_views_give(national_lake: Path) -> None:
    con = connect(national_lake.parent / "w.duckdb", lake=lake_beside(national_lake.parent / "w.duckdb"))
    relation = outcome_indicators_by_force_month(con)
    columns = relation.columns
    from_views = [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]
    assert run_duckdb(national_lake) == from_views


def test_a_month_range_keeps_only_its_months(national_lake: Path, spark: object) -> None:
    february = dt.date(2014, 2, 1)
    on_duckdb = run_duckdb(national_lake, february, february)
    assert {r["month"] for r in on_duckdb} == {february}
    assert run_spark(national_lake, february, february, spark=spark) == on_duckdb  # type: ignore[arg-type]


def test_translation_keeps_a_64_bit_hash() -> None:
    assert "XXHASH64(crime_id)" in to_spark("SELECT hash(crime_id) FROM t")


def test_empty_lake_gives_no_rows(tmp_path: Path) -> None:
    assert run_duckdb(tmp_path / "lake") == []


def test_cli_prints_json_per_force_month(national_lake: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "lake",
            "indicators",
            "--lake",
            str(national_lake),
            "--from",
            "2014-02",
            "--to",
            "2014-02",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and {r["month"] for r in rows} == {"2014-02"}
    assert {"force_id", "crimes", "asb_share", "median_months_to_outcome"} <= set(rows[0])


def test_latest_outcome_is_the_latest_month_then_the_alphabetically_last_group() -> None:
    """Hand-worked: crime a has outcomes in 2014-03 (two: other, charged) and 2014-02; b has one
    from before its street month; c has none; d is ASB. Expected: a -> the later month's
    alphabetically last group 'other' ('charged_or_summonsed' < 'other'), 2 months after its
    2014-01 street row; b -> its outcome's group with no lag (the record predates the crime);
    c -> the street file's group; d -> no group."""
    from openpeel.indicators.record_level import crimes_sql

    street = """(SELECT * FROM (VALUES
        ('kent', DATE '2014-01-01', 'a', 'Burglary', 'under_investigation'),
        ('kent', DATE '2014-05-01', 'b', 'Burglary', 'under_investigation'),
        ('kent', DATE '2014-01-01', 'c', 'Robbery', 'no_suspect_identified'),
        ('kent', DATE '2014-01-01', NULL, 'Anti-social behaviour', NULL))
        AS t(force_id, month, crime_id, crime_type, outcome_group))"""
    outcomes = """(SELECT * FROM (VALUES
        (DATE '2014-03-01', 'a', 'charged_or_summonsed'),
        (DATE '2014-03-01', 'a', 'other'),
        (DATE '2014-02-01', 'a', 'under_investigation'),
        (DATE '2014-04-01', 'b', 'out_of_court_disposal'))
        AS t(month, crime_id, outcome_group))"""
    sql = f"SELECT grp, lag FROM ({crimes_sql(street, outcomes, 'true')}) ORDER BY grp NULLS LAST"
    rows = duckdb.connect().execute(sql).fetchall()
    assert rows == [
        ("no_suspect_identified", None),
        ("other", 2),
        ("out_of_court_disposal", None),
        (None, None),
    ]
