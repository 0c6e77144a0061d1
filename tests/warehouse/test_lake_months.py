"""Migration 11: a lake of force-month files (the layout before month files) rewritten into month
files, losing nothing: every row, every coverage record, and a writer killed or failing at any
point leaves a warehouse reading a whole lake, the old one or the new one."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from openpeel.core.errors import OpenpeelError
from openpeel.core.sql import sql_str
from openpeel.ingest.police_uk.demo_archive import generate
from openpeel.ingest.police_uk.load import ingest
from openpeel.warehouse import connect, open_reader, writing
from openpeel.warehouse.lake import LAKE_TABLES, file_columns
from openpeel.warehouse.migrations import MONTH_FILES, migrate

META = ("meta_police_uk_coverage", "meta_police_uk_refusals", "meta_quarantine", "meta_source_files")


@pytest.fixture(scope="module")
def source(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding street, outcome and stop-and-search rows (faults quarantined too), from
    which each test builds the force-month layout an earlier openpeel wrote."""
    folder = tmp_path_factory.mktemp("source")
    demo = generate(
        folder / "demo",
        shared_data=shared_data,
        months=2,
        forces=["city-of-london", "kent", "northamptonshire"],
        seed=5,
        faults=True,
    )
    con = connect(folder / "w.duckdb", lake=folder / "w-lake")
    ingest(con, [demo.archive])
    october = dt.date(2015, 10, 1)
    ingest(
        con,
        [shared_data / "police-uk"],
        forces=["city-of-london", "metropolitan"],
        month_from=october,
        month_to=october,
    )
    kinds = con.execute("SELECT DISTINCT file_kind FROM meta_police_uk_coverage").fetchall()
    assert {k for (k,) in kinds} == set(LAKE_TABLES)
    con.close()
    return folder


def _old_view(lake: Path, kind: str) -> str:
    """The record view as openpeel wrote it before month files: force and month from the path."""
    rest = ", ".join(c for c, _ in file_columns(kind) if c != "force_id")
    glob = str(lake / f"kind={kind}" / "month=*" / "force=*" / "part.parquet")
    return (
        f"SELECT force AS force_id, CAST(month || '-01' AS DATE) AS month, {rest} FROM read_parquet("
        f"{sql_str(glob)}, hive_partitioning=true, hive_types={{'kind': VARCHAR, 'month': VARCHAR, 'force': VARCHAR}})"
    )


def _old_layout(source: Path, target: Path) -> tuple[Path, Path]:
    """A warehouse at migration 10 and its lake of force-month files (`part.parquet` per kind,
    month and force; force_id and month in the path only), built from `source`'s rows."""
    db, lake = target / "old.duckdb", target / "old-lake"
    lake.mkdir()
    con = duckdb.connect(str(db))
    migrate(con, up_to=MONTH_FILES - 1)
    con.execute(f"ATTACH {sql_str(str(source / 'w.duckdb'))} AS src (READ_ONLY)")
    for name in META:
        con.execute(f"INSERT INTO {name} SELECT * FROM src.{name}")
    for kind, view in LAKE_TABLES.items():
        columns = ", ".join(c for c, _ in file_columns(kind) if c != "force_id")
        files = str(source / "w-lake" / f"kind={kind}" / "month=*" / "part-*.parquet")
        con.execute(
            f"COPY (SELECT {columns}, month, force_id AS force FROM read_parquet({sql_str(files)}, "
            "hive_partitioning=true, hive_types={'kind': VARCHAR, 'month': VARCHAR})) "
            f"TO {sql_str(str(lake / f'kind={kind}'))} (FORMAT parquet, PARTITION_BY (month, force))"
        )
        for folder in (lake / f"kind={kind}").glob("month=*/force=*"):
            (written,) = folder.glob("*.parquet")
            written.rename(folder / "part.parquet")
        con.execute(f"CREATE OR REPLACE VIEW {view} AS {_old_view(lake, kind)}")
    con.execute("DETACH src")
    con.close()
    return db, lake


def _rows(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    """Per record view: its row count and one digest of its rows, order-free."""
    out = {}
    for view in LAKE_TABLES.values():
        rows = sorted(repr(r) for r in con.execute(f"SELECT * FROM {view}").fetchall())
        out[view] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out


def _meta(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    return {name: con.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall() for name in META}


def _layout(lake: Path) -> tuple[list[str], list[str]]:
    """(force-month files, month files) in the lake, staging folders excluded."""
    old = sorted(str(p.relative_to(lake)) for p in lake.glob("kind=*/month=*/force=*/part.parquet"))
    new = sorted(str(p.relative_to(lake)) for p in lake.glob("kind=*/month=*/part-*.parquet"))
    return old, new


@pytest.mark.slow
def test_force_month_files_become_month_files_with_every_row_and_record(source: Path, tmp_path: Path) -> None:
    db, lake = _old_layout(source, tmp_path)
    con = duckdb.connect(str(db))
    rows_before, meta_before = _rows(con), _meta(con)
    months = {
        f"kind={kind}/month={month:%Y-%m}"
        for kind, month in con.execute(
            "SELECT DISTINCT file_kind, month FROM meta_police_uk_coverage"
        ).fetchall()
    }
    con.close()
    assert sum(n for n, _ in rows_before.values()) > 10_000
    assert _layout(lake)[0] and not _layout(lake)[1]

    con = connect(db, lake=lake)
    assert _rows(con) == rows_before
    assert _meta(con) == meta_before
    old, new = _layout(lake)
    assert old == [] and new == sorted(f"{m}/part-0.parquet" for m in months)
    assert not [p for p in lake.rglob("*") if p.is_dir() and p.name.startswith(("force=", "."))]
    groups = con.execute(
        "SELECT stats_min_value, stats_max_value FROM parquet_metadata(?) WHERE path_in_schema = 'force_id'",
        [str(lake / "kind=*" / "month=*" / "part-*.parquet")],
    ).fetchall()
    assert groups and all(low == high for low, high in groups)
    # The warehouse as its owner reads it, after the swap: the same rows from the new files.
    con.close()
    with writing(db, lake):
        pass
    assert _rows(open_reader(db)) == rows_before


@pytest.mark.slow
def test_a_writer_failing_after_the_rewrite_leaves_the_old_lake_whole(source: Path, tmp_path: Path) -> None:
    db, lake = _old_layout(source, tmp_path)
    rows_before = _rows(open_reader(db))
    old_files = _layout(lake)[0]

    with pytest.raises(RuntimeError), writing(db, lake):
        assert _layout(lake)[1]  # the month files are written, beside the force-month files
        raise RuntimeError("the command failed")

    reader = open_reader(db)
    assert max(v for (v,) in reader.execute("SELECT version FROM meta_migrations").fetchall()) == 10
    assert _layout(lake)[0] == old_files  # nothing the old warehouse reads was touched
    assert _rows(reader) == rows_before

    with writing(db, lake):  # the next writer migrates again, and this time the swap happens
        pass
    assert _layout(lake)[0] == []
    assert _rows(open_reader(db)) == rows_before


_KILLED_MID_REWRITE = """
import sys, time
from pathlib import Path
from openpeel.warehouse import lake_months, writing
real = lake_months.write_month
done = []
def write_then_hold(*args, **kwargs):
    written = real(*args, **kwargs)
    done.append(1)
    if len(done) == 2:  # one month in place, the next written in staging: killed here
        print("HELD", flush=True)
        time.sleep(60)
    return written
lake_months.write_month = write_then_hold
with writing(Path(sys.argv[1]), Path(sys.argv[2])):
    pass
"""

_KILLED_MID_SWAP = """
import sys, time
from pathlib import Path
from openpeel.warehouse import lake, writing
real_apply = lake.LakeCommit.apply
def remove_one_then_hold(self):
    self.removed[0].unlink()  # the journal is written, one force-month file is gone: killed here
    print("HELD", flush=True)
    time.sleep(60)
lake.LakeCommit.apply = remove_one_then_hold
with writing(Path(sys.argv[1]), Path(sys.argv[2])):
    pass
"""


def _run_and_kill(script: str, *args: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("HELD"), proc.stderr.read() if proc.stderr else line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.parametrize("script", [_KILLED_MID_REWRITE, _KILLED_MID_SWAP], ids=["mid-rewrite", "mid-swap"])
def test_kill_9_during_the_migration_leaves_a_whole_lake_and_the_next_writer_finishes(
    source: Path, tmp_path: Path, script: str
) -> None:
    db, lake = _old_layout(source, tmp_path)
    rows_before = _rows(open_reader(db))

    _run_and_kill(script, db, lake)

    if script is _KILLED_MID_REWRITE:  # killed before its warehouse existed: the old one, whole
        assert _rows(open_reader(db)) == rows_before
    with writing(db, lake):  # finishes the swap, or migrates again
        pass
    reader = open_reader(db)
    assert _rows(reader) == rows_before
    assert _layout(lake)[0] == []
    assert not list(lake.glob(".staging-*")) and not list(tmp_path.glob(".old.duckdb.*"))


def test_a_warehouse_with_records_opened_without_its_lake_is_not_migrated(
    source: Path, tmp_path: Path
) -> None:
    db, _ = _old_layout(source, tmp_path)
    with pytest.raises(OpenpeelError, match="open it with its lake named"):
        connect(db)
    reader = open_reader(db)
    assert max(v for (v,) in reader.execute("SELECT version FROM meta_migrations").fetchall()) == 10
