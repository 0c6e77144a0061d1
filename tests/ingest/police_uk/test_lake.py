"""The Parquet lake: month files with a force per row group, months rewritten only when they change
(other forces' rows kept from the stored file), and crashes that leave it as it was."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from openpeel.core.locations import lake_beside
from openpeel.ingest.police_uk.demo_archive import DemoResult, generate
from openpeel.ingest.police_uk.load import ingest
from openpeel.warehouse import TABLES, connect, open_reader, writing
from openpeel.warehouse.lake import LAKE_TABLES

# Whole commands or national runs, seconds each: left to the full run (`make test-fast` skips them).
pytestmark = pytest.mark.slow

FORCES = ["city-of-london", "kent", "northamptonshire"]


@pytest.fixture(scope="module")
def demo(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    """Two months, three forces, with faults (so some partitions come from the row-by-row path)."""
    return generate(
        tmp_path_factory.mktemp("lake-demo"),
        shared_data=shared_data,
        months=2,
        start="2014-01",
        forces=FORCES,
        seed=5,
        faults=True,
    )


def _lake_files(lake: Path) -> dict[str, str]:
    """Every month file readers see, by path, with its SHA-256 (staging folders excluded)."""
    return {
        str(p.relative_to(lake)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(lake.glob("kind=*/month=*/part-*.parquet"))
    }


def _coverage(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute(
        "SELECT force_id, month, file_kind, sha256, rows_in_file, rows_stored, rows_quarantined "
        "FROM meta_police_uk_coverage ORDER BY ALL"
    ).fetchall()


def _partition_rows(lake: Path) -> dict[tuple[str, str, str], int]:
    """Rows of each force-month and kind in the lake's files, read from the files alone."""
    if not list(lake.glob("kind=*/month=*/part-*.parquet")):
        return {}
    rows = duckdb.sql(
        f"SELECT force_id, month, kind, count(*) FROM read_parquet('{lake}/kind=*/month=*/part-*.parquet', "
        "hive_partitioning=true) GROUP BY ALL"
    ).fetchall()
    return {(str(f), str(m), str(k)): int(n) for f, m, k, n in rows}


def _stored_by_partition(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str], int]:
    """Rows the coverage says are stored for each force-month and kind (a force-month stored with
    no rows has none in the lake)."""
    return {
        (str(f), m.strftime("%Y-%m"), str(k)): int(n)
        for f, m, k, n in con.execute(
            "SELECT force_id, month, file_kind, rows_stored FROM meta_police_uk_coverage WHERE rows_stored > 0"
        ).fetchall()
    }


def _row_hashes(con: duckdb.DuckDBPyConnection, view: str, where: str = "true") -> str:
    """One digest of every row of a view (order-free): equal digests, equal rows."""
    rows = sorted(repr(r) for r in con.execute(f"SELECT * FROM {view} WHERE {where}").fetchall())
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def test_one_file_per_kind_and_month_sorted_by_force_and_readable_without_the_warehouse(
    demo: DemoResult, tmp_path: Path
) -> None:
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    report = ingest(con, [demo.archive])
    lake = tmp_path / "w-lake"
    assert report.rows_quarantined > 0  # the faults went through the row-by-row path
    files = sorted(str(p.relative_to(lake)) for p in lake.rglob("*") if p.is_file())
    assert files == [
        f"kind={k}/month={m}/part-0.parquet" for k in ("outcomes", "street") for m in ("2014-01", "2014-02")
    ]
    assert _partition_rows(lake) == _stored_by_partition(con)
    # Rows sorted by force, one force per row group, force_id's statistics telling which.
    groups = duckdb.sql(
        f"SELECT file_name, row_group_id, stats_min_value, stats_max_value FROM parquet_metadata('{lake}/*/*/*.parquet') "
        "WHERE path_in_schema = 'force_id' ORDER BY file_name, row_group_id"
    ).fetchall()
    by_file: dict[str, list[str]] = {}
    for name, _, low, high in groups:
        assert low == high
        by_file.setdefault(name, []).append(low)
    assert all(forces == sorted(set(forces)) for forces in by_file.values())
    # Any Parquet reader gets the rows and the month from the files alone.
    direct = duckdb.sql(
        f"SELECT force_id, month, count(*) FROM read_parquet('{lake}/kind=street/*/*.parquet', "
        "hive_partitioning=true) GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    via_view = con.execute(
        "SELECT force_id, strftime(month, '%Y-%m'), count(*) FROM raw_police_uk_street GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert direct == via_view
    assert sum(n for *_, n in direct) == sum(
        f.rows_stored for f in report.files if f.source.kind.value == "street"
    )
    assert not list(lake.glob(".staging-*"))


def test_views_over_an_empty_lake_are_typed_and_empty() -> None:
    con = connect(":memory:")
    for name in LAKE_TABLES.values():
        assert con.execute(f"SELECT count(*) FROM {name}").fetchone() == (0,)
        types = {r[0]: r[1] for r in con.execute(f"DESCRIBE {name}").fetchall()}
        spec = next(t for t in TABLES if t.name == name)
        assert types == {c.name: c.type for c in spec.columns}


def test_reingest_rewrites_only_the_months_it_changes(demo: DemoResult, tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    lake = tmp_path / "w-lake"
    ingest(con, [demo.archive])
    files = {p: p.stat().st_ino for p in lake.glob("kind=*/month=*/part-*.parquet")}
    coverage = _coverage(con)
    content = _lake_files(lake)
    rows = {view: _row_hashes(con, view) for view in ("raw_police_uk_street", "raw_police_uk_outcomes")}

    again = ingest(con, [demo.archive])  # the same bytes: nothing is rewritten
    assert again.count("unchanged") == len(again.files)
    assert {p: p.stat().st_ino for p in files} == files
    assert _lake_files(lake) == content and _coverage(con) == coverage

    month = dt.date(2014, 1, 1)
    ingest(con, [demo.archive], forces=["kent"], month_from=month, month_to=month, recheck=True)
    changed = {p for p, ino in files.items() if p.stat().st_ino != ino}
    assert changed == {p for p in files if "month=2014-01" in str(p)}  # street and outcomes
    assert {view: _row_hashes(con, view) for view in rows} == rows  # the same files: the same rows
    assert _coverage(con) == coverage


def test_a_force_month_replaced_keeps_the_other_forces_rows_without_their_csvs(
    demo: DemoResult, tmp_path: Path
) -> None:
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    lake = tmp_path / "w-lake"
    ingest(con, [demo.archive])
    others = "NOT (force_id = 'kent' AND month = DATE '2014-02-01')"
    before = _row_hashes(con, "raw_police_uk_street", others)
    # Kent's February again, alone in a folder, with its last fifth of rows gone.
    name = "2014-02/2014-02-kent-street.csv"
    with zipfile.ZipFile(demo.archive) as archive:
        lines = archive.read(name).decode().splitlines(keepends=True)
    kept = lines[: 1 + (len(lines) - 1) * 4 // 5]
    (tmp_path / "in" / "2014-02").mkdir(parents=True)
    (tmp_path / "in" / name).write_text("".join(kept))
    report = ingest(con, [tmp_path / "in"])
    assert report.count("ingested") == 1
    assert _row_hashes(con, "raw_police_uk_street", others) == before
    kent = con.execute(
        "SELECT count(*) FROM raw_police_uk_street WHERE force_id = 'kent' AND month = DATE '2014-02-01'"
    ).fetchone()
    assert kent is not None and kent[0] <= len(kept) - 1 and kent[0] > 0
    assert _partition_rows(lake) == _stored_by_partition(con)


def test_a_refused_file_leaves_its_month_file_untouched(demo: DemoResult, tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    lake = tmp_path / "w-lake"
    ingest(con, [demo.archive])
    month = lake / "kind=street" / "month=2014-02" / "part-0.parquet"
    before = (month.stat().st_ino, _lake_files(lake))
    (tmp_path / "in" / "2014-02").mkdir(parents=True)
    with zipfile.ZipFile(demo.archive) as archive:
        header = archive.read("2014-02/2014-02-kent-street.csv").decode().splitlines(keepends=True)[0]
    (tmp_path / "in" / "2014-02" / "2014-02-kent-street.csv").write_text(header)
    report = ingest(con, [tmp_path / "in"])
    assert [f.status for f in report.files] == ["refused"]
    assert (month.stat().st_ino, _lake_files(lake)) == before


def test_two_ingests_in_one_write_build_on_each_other(demo: DemoResult, tmp_path: Path) -> None:
    """The second ingest's month file starts from the first's, still waiting to move in."""
    db, lake = tmp_path / "w.duckdb", tmp_path / "lake"
    with writing(db, lake) as con:
        ingest(con, [demo.archive], forces=["kent"])
        ingest(con, [demo.archive], forces=["northamptonshire"])
    reader = open_reader(db)
    assert {r[0] for r in _coverage(reader)} == {"kent", "northamptonshire"}
    assert _partition_rows(lake) == _stored_by_partition(reader)


_HOLD = """
import sys, time
from pathlib import Path
from openpeel.ingest.police_uk import load
from openpeel.warehouse import writing
load.BATCH_BYTES = 1  # one month per batch: the kill lands between writes
def progress(done, what):
    if what.startswith("ingested"):  # the first batch's files are staged; hold here to be killed
        print("BATCH", what, flush=True)
        time.sleep(60)
with writing(Path(sys.argv[1]), Path(sys.argv[3])) as con:
    load.ingest(con, [Path(sys.argv[2])], progress=progress, recheck=True)
"""

_HOLD_IN_COMMIT = """
import sys, time, os
from pathlib import Path
from openpeel.ingest.police_uk import load
from openpeel.warehouse import lake, writing
real_apply = lake.LakeCommit.apply
def apply_one_then_hold(self):
    src, dst = self.moves[0]
    dst.parent.mkdir(parents=True, exist_ok=True)
    os.replace(src, dst)  # the journal is written, one file is in place: killed here
    print("MOVED", flush=True)
    time.sleep(60)
lake.LakeCommit.apply = apply_one_then_hold
with writing(Path(sys.argv[1]), Path(sys.argv[3])) as con:
    load.ingest(con, [Path(sys.argv[2])], recheck=True)
"""


def _run_and_kill(script: str, marker: str, *args: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith(marker), proc.stderr.read() if proc.stderr else line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def test_kill_9_mid_ingest_leaves_lake_and_coverage_as_they_were(demo: DemoResult, tmp_path: Path) -> None:
    db, lake = tmp_path / "w.duckdb", tmp_path / "lake"
    with writing(db, lake) as con:
        ingest(con, [demo.archive], forces=["city-of-london"])
    before_files, before_coverage = _lake_files(lake), _coverage(open_reader(db))
    assert before_files and before_coverage

    _run_and_kill(_HOLD, "BATCH", db, demo.archive, lake)

    assert _lake_files(lake) == before_files
    reader = open_reader(db)
    assert _coverage(reader) == before_coverage
    assert _partition_rows(lake) == _stored_by_partition(reader)
    assert list(lake.glob(".staging-*"))  # the dead writer's staged files, never seen by readers
    with writing(db, lake) as con:  # the next writer clears them away
        ingest(con, [demo.archive])
    assert not list(lake.glob(".staging-*"))
    assert _partition_rows(lake) == _stored_by_partition(open_reader(db))


def test_kill_9_while_moving_files_in_is_finished_by_the_next_writer(
    demo: DemoResult, tmp_path: Path
) -> None:
    db, lake = tmp_path / "w.duckdb", tmp_path / "lake"
    with writing(db, lake) as con:
        ingest(con, [demo.archive], forces=["city-of-london"])
    old_coverage = _coverage(open_reader(db))

    _run_and_kill(_HOLD_IN_COMMIT, "MOVED", db, demo.archive, lake)

    # The commit was decided (its journal written): the next writer completes it, so lake and
    # coverage agree again, and hold every force.
    assert _coverage(open_reader(db)) == old_coverage
    with writing(db, lake):
        pass
    reader = open_reader(db)
    assert {r[0] for r in _coverage(reader)} == set(FORCES)
    assert _partition_rows(lake) == _stored_by_partition(reader)
    assert reader.execute("SELECT count(*) FROM raw_police_uk_street").fetchone() == (
        sum(n for (_, _, kind), n in _stored_by_partition(reader).items() if kind == "street"),
    )
    assert not list(lake.glob(".staging-*"))
    assert not list(tmp_path.glob(".w.duckdb.*"))
