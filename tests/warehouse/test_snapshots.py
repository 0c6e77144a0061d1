"""Writing the warehouse through a private copy: readers never blocked, failures leave no trace."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from openpeel.core.locations import lake_beside
from openpeel.warehouse import WarehouseReader, open_reader, writing


def count(path: Path) -> int:
    con = open_reader(path)
    try:
        row = con.execute("SELECT count(*) FROM ref_areas").fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


def add_area(path: Path, area_id: str) -> None:
    with writing(path, lake_beside(path)) as con:
        con.execute(
            "INSERT INTO ref_areas VALUES (?, 'Invented', NULL, 'Invented', NULL, 'England', 'special')",
            [area_id],
        )


def test_a_reader_keeps_its_snapshot_and_then_follows_the_new_one(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    add_area(path, "a")
    reader = WarehouseReader(path, check_every=0)
    cursor = reader.current().cursor()
    add_area(path, "b")  # a writer is not blocked by the open reader
    assert cursor.execute("SELECT count(*) FROM ref_areas").fetchone() == (1,)
    assert reader.current().execute("SELECT count(*) FROM ref_areas").fetchone() == (2,)
    before = reader.snapshot()
    add_area(path, "c")
    assert reader.snapshot() != before


def test_a_failed_write_leaves_the_warehouse_and_the_folder_as_they_were(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    add_area(path, "a")
    listing = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(RuntimeError), writing(path, lake_beside(path)) as con:
        con.execute("DELETE FROM ref_areas")
        raise RuntimeError("half-way")
    assert count(path) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


def test_a_writer_killed_half_way_changes_nothing_and_the_next_writer_cleans_up(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    add_area(path, "a")
    script = (
        "import sys, time; from pathlib import Path; from openpeel.warehouse import writing\n"
        "from openpeel.core.locations import lake_beside\n"
        "with writing(Path(sys.argv[1]), lake_beside(Path(sys.argv[1]))) as con:\n"
        "    con.execute('DELETE FROM ref_areas'); print('inside', flush=True); time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "inside"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert count(path) == 1
    assert any(p.name.startswith(".w.duckdb.next-") for p in tmp_path.iterdir())  # its private copy
    add_area(path, "b")
    assert count(path) == 2
    assert not any(p.name.startswith(".w.duckdb.next-") for p in tmp_path.iterdir())


@pytest.mark.slow
def test_a_second_writer_waits_for_the_first(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    add_area(path, "a")
    script = (
        "import sys, time; from pathlib import Path; from openpeel.warehouse import writing\n"
        "from openpeel.core.locations import lake_beside\n"
        "with writing(Path(sys.argv[1]), lake_beside(Path(sys.argv[1]))) as con:\n"
        "    print('inside', flush=True); time.sleep(1.0)\n"
        "    con.execute(\"INSERT INTO ref_areas VALUES ('first', 'x', NULL, 'x', NULL, 'England', 'special')\")\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "inside"
    waited: list[float] = []
    started = time.monotonic()
    with writing(path, lake_beside(path), on_wait=lambda: waited.append(time.monotonic() - started)) as con:
        rows = con.execute("SELECT area_id FROM ref_areas ORDER BY area_id").fetchall()
        con.execute("INSERT INTO ref_areas VALUES ('second', 'x', NULL, 'x', NULL, 'England', 'special')")
    assert proc.wait(timeout=30) == 0
    assert waited, "the second writer was told it had to wait"
    assert [r[0] for r in rows] == ["a", "first"]  # it started from the first writer's result
    assert count(path) == 3
