"""Archives as an attacker would make them: climbing and absolute member names, corrupt data.

Each test builds its own zip; none needs the shared data.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.core.errors import InputError
from openpeel.core.locations import lake_beside
from openpeel.ingest.police_uk.download import _check_zip
from openpeel.ingest.police_uk.layout import FileKind
from openpeel.ingest.police_uk.load import ingest
from openpeel.ingest.police_uk.members import member_path, unsafe_reason
from openpeel.ingest.police_uk.schema import header_line
from openpeel.warehouse import connect

ROW = (
    ",{month},Warwickshire Police,Warwickshire Police,-1.452923,52.385012,On or near Leyside,"
    "E01009539,Coventry 039A,Anti-social behaviour,,"
)


def street_csv(month: str, rows: int = 50) -> bytes:
    lines = [header_line(FileKind.STREET), *(ROW.format(month=month) for _ in range(rows))]
    return ("\n".join(lines) + "\n").encode()


def make_zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def counts(db: Path) -> tuple[int, int]:
    con = connect(db, lake=lake_beside(db))
    try:
        row = con.execute(
            "SELECT (SELECT count(*) FROM raw_police_uk_street), (SELECT count(*) FROM meta_police_uk_coverage)"
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0]), int(row[1])


CLIMBING = "../../x/2014-02/2014-02-warwickshire-street.csv"


@pytest.mark.parametrize(
    "name",
    [CLIMBING, "/tmp/x.csv", "/tmp/2014-02/2014-02-warwickshire-street.csv", "2014-02/../../2014-02-x.csv"],
)
def test_climbing_or_absolute_member_is_refused_and_nothing_is_written(tmp_path: Path, name: str) -> None:
    work = tmp_path / "deep" / "er" / "work"
    work.mkdir(parents=True)
    archive = make_zip(
        work / "2014-02.zip",
        {"2014-01/2014-01-warwickshire-street.csv": street_csv("2014-01"), name: street_csv("2014-02")},
    )
    before = {p for p in tmp_path.rglob("*")}
    absolute_existed = name.startswith("/") and Path(name).exists()
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    with pytest.raises(InputError) as info:
        ingest(con, [archive])
    message = str(info.value)
    assert str(archive) in message and name in message and "refusing archive member" in message
    # Nothing was extracted anywhere: not beside the archive, not at the absolute path.
    if name.startswith("/") and not absolute_existed:
        assert not Path(name).exists()
    assert not (tmp_path / "deep" / "x").exists()
    assert {p for p in tmp_path.rglob("*")} - before <= {tmp_path / "w.duckdb", tmp_path / "w.duckdb.wal"}
    assert con.execute("SELECT count(*) FROM raw_police_uk_street").fetchone() == (0,)


def test_absolute_member_path_is_never_opened_for_writing(tmp_path: Path) -> None:
    target = tmp_path / "victim" / "2014-02" / "2014-02-warwickshire-street.csv"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"precious")
    archive = make_zip(tmp_path / "in" / "2014-02.zip", {str(target): street_csv("2014-02")})
    con = connect(":memory:", lake=tmp_path / "lake")
    with pytest.raises(InputError, match="absolute path"):
        ingest(con, [archive])
    assert target.read_bytes() == b"precious"


def test_member_path_resolves_inside_the_folder(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    assert member_path(tmp_path, archive, "2014-01/x.csv") == (tmp_path / "2014-01" / "x.csv").resolve()
    for bad in (CLIMBING, "/etc/passwd", "C:/x.csv", "a\\..\\..\\x.csv", "a/\x00b", ""):
        assert unsafe_reason(bad) is not None, bad
        with pytest.raises(InputError, match="refusing archive member"):
            member_path(tmp_path, archive, bad)
    # A symlinked folder inside the extraction folder that points out of it is caught on resolve.
    (tmp_path / "link").symlink_to(tmp_path.parent)
    with pytest.raises(InputError, match="outside"):
        member_path(tmp_path, archive, "link/2014-01-x.csv")


def test_download_check_refuses_climbing_member(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "2014-02.zip", {CLIMBING: street_csv("2014-02")})
    with pytest.raises(InputError, match="refusing archive member"):
        _check_zip(archive)


def _corrupt_deflate(archive: Path, member: str) -> None:
    """Make one member's deflate stream invalid (block type 3 is reserved), the zip intact around it.

    zlib then raises its own error (not zipfile's CRC error), which reading used to let through."""
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as z:
        info = z.getinfo(member)
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start : start + 4] = b"\xff\xff\xff\xff"
    archive.write_bytes(bytes(data))


def _good_then_corrupt(tmp_path: Path) -> tuple[Path, Path, str]:
    good = make_zip(
        tmp_path / "good" / "2014-01.zip",
        {"2014-01/2014-01-warwickshire-street.csv": street_csv("2014-01")},
    )
    member = "2014-02/2014-02-warwickshire-street.csv"
    bad = make_zip(
        tmp_path / "bad" / "2014-02.zip",
        {"2014-01/2014-01-warwickshire-street.csv": street_csv("2014-01", 60), member: street_csv("2014-02")},
    )
    _corrupt_deflate(bad, member)
    return good, bad, member


def test_corrupt_deflate_data_names_archive_and_member_and_keeps_what_was_stored(tmp_path: Path) -> None:
    good, bad, member = _good_then_corrupt(tmp_path)
    db = tmp_path / "w.duckdb"
    con = connect(db, lake=lake_beside(db))
    ingest(con, [good])
    con.close()
    stored = counts(db)
    assert stored == (50, 1)
    con = connect(db, lake=lake_beside(db))
    with pytest.raises(InputError) as info:
        ingest(con, [bad])
    con.close()
    assert f"{bad}!{member}" in str(info.value)
    assert "cannot read this member" in str(info.value)
    assert counts(db) == stored  # the earlier month is untouched, the replacement rolled back


def test_cli_reports_corrupt_member_without_a_traceback(tmp_path: Path) -> None:
    _, bad, member = _good_then_corrupt(tmp_path)
    result = CliRunner().invoke(app, ["ingest", str(bad), "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert member in result.output.replace("\n", "")


def test_download_check_names_the_corrupt_member(tmp_path: Path) -> None:
    _, bad, member = _good_then_corrupt(tmp_path)
    with pytest.raises(InputError) as info:
        _check_zip(bad)
    assert f"{bad}!{member}" in str(info.value)


def test_truncated_zip_keeps_what_was_stored(tmp_path: Path) -> None:
    good, bad, _ = _good_then_corrupt(tmp_path)
    db = tmp_path / "w.duckdb"
    con = connect(db, lake=lake_beside(db))
    ingest(con, [good])
    con.close()
    cut = tmp_path / "cut" / "2014-02.zip"
    cut.parent.mkdir()
    cut.write_bytes(bad.read_bytes()[: bad.stat().st_size // 2])
    con = connect(db, lake=lake_beside(db))
    with pytest.raises(InputError) as info:
        ingest(con, [cut])
    con.close()
    assert str(cut) in str(info.value) and "not a readable zip" in str(info.value)
    assert counts(db) == (50, 1)
