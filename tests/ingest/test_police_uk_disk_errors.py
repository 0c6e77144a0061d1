"""Disk full and permission denied during an ingest (issue 21, failure 12): one line naming the path
and what is needed, never a traceback, never a word against the input, and nothing stored lost.

The disk errors are simulated: a write raises OSError(ENOSPC) or OSError(EACCES). The archives are
invented.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from tests.ingest.invented_archives import make_zip, member, stored, street_csv, write_folder
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.ingest.police_uk import load, prepared_files, row_by_row
from openpeel.warehouse import connection, month_files

BLAME = ("truncated", "corrupt", "download it again", "check the files", "published CSVs", "damaged")


def _setup(tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "w.duckdb"
    first = write_folder(tmp_path / "first", {member("2014-01"): street_csv("2014-01", 40)})
    assert CliRunner().invoke(app, ["ingest", str(first), "--db", str(db)]).exit_code == 0
    archive = make_zip(
        tmp_path / "2014-02.zip",
        {member("2014-01"): street_csv("2014-01", 45), member("2014-02"): street_csv("2014-02", 30, bad=2)},
    )
    return db, archive


def _fails_cleanly(db: Path, archive: Path, *words: str) -> str:
    result = CliRunner().invoke(app, ["ingest", str(archive), "--db", str(db)])
    assert result.exit_code == 2, result.output
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(
        result.exception, SystemExit
    )
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    line = errors[0]
    for word in words:
        assert word in line, line
    assert not any(b in line for b in BLAME), line
    assert stored(db) == 40
    home = Path(os.environ["OPENPEEL_HOME"])
    assert not list((home / "tmp").glob("ingest-*"))
    return line


def _enospc(path: object) -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


def test_disk_full_while_extracting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, archive = _setup(tmp_path)

    def full(dst: object, chunk: bytes) -> None:
        raise _enospc(getattr(dst, "name", "?"))

    monkeypatch.setattr(prepared_files, "_write", full)
    home = Path(os.environ["OPENPEEL_HOME"])
    line = _fails_cleanly(db, archive, "no space left", str(home / "tmp"), "--home")
    assert "2014-01-warwickshire-street.csv" in line


def test_disk_full_while_staging_rows_for_the_quarantine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, archive = _setup(tmp_path)
    real = row_by_row._open_staged

    def full(path: Path) -> object:
        real(path).close()
        raise _enospc(path)

    monkeypatch.setattr(row_by_row, "_open_staged", full)
    _fails_cleanly(db, archive, "no space left", "slow-")


def test_disk_full_inside_duckdb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, archive = _setup(tmp_path)
    target = tmp_path / "lake" / "part.parquet"

    def full(*args: object, **kwargs: object) -> object:
        raise duckdb.IOException(f'IO Error: Could not write file "{target}": No space left on device')

    monkeypatch.setattr(load, "good_rows", full)
    _fails_cleanly(db, archive, "no space left", str(target))


def test_disk_full_writing_a_month_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, archive = _setup(tmp_path)
    real_writer = month_files.pq.ParquetWriter

    def onto_a_full_disk(where: object, schema: object, **options: object) -> object:
        return real_writer("/dev/full", schema, **options)  # every write fails with ENOSPC

    monkeypatch.setattr(month_files.pq, "ParquetWriter", onto_a_full_disk)
    line = _fails_cleanly(db, archive, "no space left", str(tmp_path / "w-lake"), "--home")
    assert "month=" in line
    assert not list((tmp_path / "w-lake").glob(".staging-*"))


def test_permission_denied_making_the_work_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, archive = _setup(tmp_path)
    real_mkdtemp = __import__("tempfile").mkdtemp

    def denied(*args: object, **kwargs: object) -> str:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(kwargs.get("dir")))

    monkeypatch.setattr("openpeel.ingest.police_uk.workdir.tempfile.mkdtemp", denied)
    _fails_cleanly(db, archive, "permission denied", "writable")
    assert real_mkdtemp


def test_disk_full_copying_the_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, archive = _setup(tmp_path)
    real_copy = shutil.copyfile

    def full(src: str, dst: str) -> str:
        real_copy(src, dst)
        raise _enospc(dst)

    monkeypatch.setattr(connection.shutil, "copyfile", full)
    line = _fails_cleanly(db, archive, "no space left", str(db.parent), "MB")
    assert not list(db.parent.glob(".w.duckdb.next-*"))
    assert "warehouse" in line
