"""Every input bounded before it touches the disk (issue 21, failures 4 and 5).

The archives are invented and built without inflating them (tests/ingest/invented_archives.py): a
4 MB zip that inflates to 1 GB of bad rows, 3 MB that inflate to 3 GB of zeros, a member that lies
about its size. Each must be refused before its bytes reach the disk, quickly, with nothing
stored lost and no work file left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from tests.ingest.invented_archives import (
    make_zip,
    member,
    raw_zip,
    repeated_deflate,
    stored,
    street_csv,
    street_row,
    write_folder,
)

from openpeel.core.errors import InputError
from openpeel.core.locations import lake_beside
from openpeel.ingest.police_uk import bounds, prepared_files
from openpeel.ingest.police_uk.inflate import Budget, InflateLimitError, member_chunks
from openpeel.ingest.police_uk.load import ingest
from openpeel.warehouse import connect

NAME = member("2014-02")


def _store(tmp_path: Path, rows: int = 50) -> Path:
    db = tmp_path / "w.duckdb"
    con = connect(db, lake=lake_beside(db))
    ingest(con, [write_folder(tmp_path / "first", {NAME: street_csv("2014-02", rows)})])
    con.close()
    return db


def _bad_rows_block(size: int = 1 << 20) -> bytes:
    bad = street_row("2014-02").replace(b"Anti-social behaviour", b"Invented crime type") + b"\n"
    return bad * (size // len(bad))


def _work_files() -> list[Path]:
    tmp = Path(os.environ["OPENPEEL_HOME"]) / "tmp"
    return sorted(tmp.rglob("*")) if tmp.exists() else []


def test_a_gigabyte_of_bad_rows_in_a_small_zip_is_refused_before_extraction(tmp_path: Path) -> None:
    db = _store(tmp_path)
    block = _bad_rows_block()
    # The CRC is left wrong: the ingest must refuse long before it could check it.
    archive = raw_zip(tmp_path / "2014-02.zip", NAME, repeated_deflate(block, 1024), size=len(block) * 1024)
    assert archive.stat().st_size < 5_000_000
    con = connect(db, lake=lake_beside(db))
    start = time.monotonic()
    with pytest.raises(InputError) as info:
        ingest(con, [archive])
    con.close()
    assert time.monotonic() - start < 10
    message = str(info.value)
    assert f"{archive}!{NAME}" in message and "inflates to" in message
    assert stored(db) == 50 and _work_files() == []


def test_three_gigabytes_of_zeros_are_refused_before_a_byte_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = raw_zip(tmp_path / "2014-02.zip", NAME, repeated_deflate(b"\0" * (1 << 20), 3072), size=3 << 30)
    assert archive.stat().st_size < 4_000_000
    written: list[int] = []
    monkeypatch.setattr(prepared_files, "_write", lambda dst, chunk: written.append(len(chunk)))
    con = connect(":memory:", lake=tmp_path / "lake")
    with pytest.raises(InputError, match="inflates to"):
        ingest(con, [archive])
    assert written == [] and _work_files() == []


def test_a_member_that_lies_about_its_size_stops_at_the_size_it_declared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _store(tmp_path)
    block = street_csv("2014-02", 4000)  # a real header, then 64 MiB of rows
    archive = raw_zip(
        tmp_path / "2014-02.zip", NAME, repeated_deflate(block, 64 << 20 // len(block)), size=len(block)
    )
    real_write = prepared_files._write
    written: list[int] = []

    def counting(dst: object, chunk: bytes) -> None:
        written.append(len(chunk))
        real_write(dst, chunk)  # type: ignore[arg-type]

    monkeypatch.setattr(prepared_files, "_write", counting)
    con = connect(db, lake=lake_beside(db))
    with pytest.raises(InputError) as info:
        ingest(con, [archive])
    con.close()
    assert "more than the" in str(info.value) and f"{archive}!{NAME}" in str(info.value)
    assert sum(written) <= len(block)
    assert stored(db) == 50 and _work_files() == []


def test_inflation_is_capped_by_ratio_and_size_while_streaming(tmp_path: Path) -> None:
    """member_chunks itself refuses, whatever the directory says, before it yields past a cap."""
    block = b"x" * (1 << 20)
    archive = make_zip(tmp_path / "a.zip", {NAME: block * 64})
    with zipfile.ZipFile(archive) as z:
        got = 0
        with pytest.raises(InflateLimitError, match="compressed"):
            for chunk in member_chunks(z, archive, NAME, 1 << 20, Budget(member=1 << 40, archive=1 << 40)):
                got += len(chunk)
        assert got <= bounds.RATIO_FLOOR_BYTES + (1 << 20)
        got = 0
        budget = Budget(member=1 << 40, archive=3 << 20, ratio=None)
        with pytest.raises(InflateLimitError, match="archive"):
            for chunk in member_chunks(z, archive, NAME, 1 << 20, budget):
                got += len(chunk)
        assert got <= 3 << 20


def test_the_archive_cap_counts_every_member(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounds, "MAX_ARCHIVE_BYTES", 5_000)
    archive = make_zip(
        tmp_path / "2014-03.zip", {member(m): street_csv(m, 20) for m in ("2014-01", "2014-02", "2014-03")}
    )
    con = connect(":memory:", lake=tmp_path / "lake")
    with pytest.raises(InputError, match="archive cap") as info:
        ingest(con, [archive])
    assert str(archive) in str(info.value)


def test_quarantine_keeps_the_first_rows_and_counts_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bounds, "QUARANTINE_KEEP", 10)
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    report = ingest(con, [write_folder(tmp_path / "in", {NAME: street_csv("2014-02", 100, bad=30)})])
    assert report.rows_quarantined == 30 and report.rows_stored == 100
    lines = [r[0] for r in con.execute("SELECT line FROM meta_quarantine ORDER BY line").fetchall()]
    assert lines == list(range(102, 112))  # header line 1, 100 good rows, then the first 10 bad
    assert con.execute("SELECT rows_quarantined FROM meta_police_uk_coverage").fetchone() == (30,)


_BIG_BAD_FILE = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from openpeel.ingest.police_uk.load import ingest
    from openpeel.core.locations import lake_beside
    from openpeel.warehouse import connect
    con = connect(sys.argv[1], lake=lake_beside(Path(sys.argv[1])))
    start = time.monotonic()
    report = ingest(con, [Path(sys.argv[2])], memory_limit="256MB")
    (result,) = report.files
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, from the pytest process that forked us.
    (peak,) = [int(line.split()[1]) // 1024 for line in open("/proc/self/status") if line.startswith("VmHWM")]
    print(result.status, round(time.monotonic() - start, 1), peak, flush=True)
    print(result.refusal, flush=True)
    """
)


@pytest.mark.slow
def test_a_large_plain_file_of_bad_rows_ends_fast_within_the_memory_limit(tmp_path: Path) -> None:
    """No zip to cap: 200 MB of bad rows on disk go through the quarantine path, which stops once the
    file is certain to be refused, and never holds the file in memory. Before: 76 s, a peak of 624 MB
    (three times the file), 1,476,850 rows quarantined and the stored month replaced by 10 rows."""
    db = _store(tmp_path)
    folder = tmp_path / "big"
    path = folder / NAME
    path.parent.mkdir(parents=True)
    block = _bad_rows_block(8 << 20)
    with path.open("wb") as fh:
        fh.write(street_csv("2014-02", 10))
        for _ in range(25):
            fh.write(block)
    assert path.stat().st_size > 200_000_000
    done = subprocess.run(
        [sys.executable, "-c", _BIG_BAD_FILE, str(db), str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    status, seconds, peak_mb = done.stdout.split("\n")[0].split()
    assert status == "refused" and "failed validation" in done.stdout
    assert float(seconds) < 30, done.stdout
    assert int(peak_mb) < 512, done.stdout  # DuckDB's 256 MB, Python and the libraries
    assert stored(db) == 50


def test_work_files_live_under_home_and_are_removed_after_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = Path(os.environ["OPENPEEL_HOME"])
    seen: list[Path] = []
    real_extract = prepared_files.Preparer._extract

    def spy(self: prepared_files.Preparer, source: object, batch: int) -> prepared_files.PreparedFile:
        got = real_extract(self, source, batch)  # type: ignore[arg-type]
        seen.append(got.local_path)
        return got

    monkeypatch.setattr(prepared_files.Preparer, "_extract", spy)
    archive = make_zip(
        tmp_path / "2014-02.zip",
        {member("2014-01"): street_csv("2014-01"), member("2014-02"): b"not,the,header\n"},
    )
    con = connect(":memory:", lake=tmp_path / "lake")
    with pytest.raises(InputError, match="header"):
        ingest(con, [archive], home=home)  # as `openpeel ingest` passes its home folder
    assert seen and all(p.is_relative_to(home / "tmp") for p in seen)
    assert _work_files() == []


_KILLED = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from openpeel.core.locations import lake_beside
    from openpeel.ingest.police_uk import load
    from openpeel.warehouse import connect
    load.BATCH_BYTES = 1
    con = connect(sys.argv[1], lake=lake_beside(Path(sys.argv[1])))
    def progress(done, what):
        if what.startswith("ingested"):
            print("BATCH", flush=True)
            time.sleep(60)
    load.ingest(con, [Path(sys.argv[2])], progress=progress, home=Path(os.environ["OPENPEEL_HOME"]))
    """
)


def test_work_files_of_a_killed_ingest_are_removed_at_the_next_start(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "2014-03.zip", {member(m): street_csv(m, 30) for m in ("2014-01", "2014-02", "2014-03")}
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED, str(tmp_path / "w.duckdb"), str(archive)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("BATCH"), proc.stderr.read() if proc.stderr else line
    left = [p for p in _work_files() if p.parent.name == "tmp"]
    assert left, "the running ingest keeps its work folder under home/tmp"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert all(p.exists() for p in left)
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    home = Path(os.environ["OPENPEEL_HOME"])
    ingest(
        con, [make_zip(tmp_path / "b" / "2014-01.zip", {member("2014-01"): street_csv("2014-01")})], home=home
    )
    con.close()
    assert not any(p.exists() for p in left) and _work_files() == []


def test_sigterm_ends_an_ingest_as_ctrl_c_does_and_leaves_no_work_files(tmp_path: Path) -> None:
    from openpeel.ingest.police_uk import load
    from openpeel.ingest.police_uk.commands import _terminate_as_exit

    db = _store(tmp_path)
    months = ("2014-01", "2014-02", "2014-03")
    archive = make_zip(tmp_path / "2014-03.zip", {member(m): street_csv(m, 70) for m in months})

    def terminate(done: int, what: str) -> None:
        if what.startswith("ingested"):  # the end of a batch, on the ingest's own thread
            os.kill(os.getpid(), signal.SIGTERM)

    con = connect(db, lake=lake_beside(db))
    with pytest.raises(SystemExit) as info, _terminate_as_exit():
        load.ingest(con, [archive], progress=terminate)
    con.close()
    assert info.value.code == 128 + signal.SIGTERM
    assert stored(db) == 50 and _work_files() == []
