"""Zip members inflated by ISA-L: the same bytes as zipfile gives, bounded chunks, damage refused."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from openpeel.ingest.police_uk.inflate import INFLATE_ERRORS, Budget, InflateLimitError, member_chunks

CSV = b"Crime ID,Month\n" + b"".join(b"%064x,2014-06\n" % i for i in range(20_000))
DAMAGE = (zipfile.BadZipFile, EOFError, *INFLATE_ERRORS)


def _archive(tmp_path: Path, members: dict[str, tuple[bytes, int]]) -> Path:
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as z:
        for name, (data, method) in members.items():
            z.writestr(name, data, compress_type=method)
    return path


def _read(path: Path, name: str, chunk: int = 1000, budget: Budget | None = None) -> list[bytes]:
    with zipfile.ZipFile(path) as z:
        return list(member_chunks(z, path, name, chunk, budget))


def test_deflated_and_stored_members_come_out_as_zipfile_gives_them(tmp_path: Path) -> None:
    path = _archive(
        tmp_path,
        {"2014-06/d.csv": (CSV, zipfile.ZIP_DEFLATED), "2014-06/s.csv": (CSV, zipfile.ZIP_STORED)},
    )
    for name in ("2014-06/d.csv", "2014-06/s.csv"):
        assert b"".join(_read(path, name)) == CSV


def test_a_member_that_inflates_a_thousandfold_still_comes_in_bounded_chunks(tmp_path: Path) -> None:
    path = _archive(tmp_path, {"bomb.csv": (b"\0" * (20 << 20), zipfile.ZIP_DEFLATED)})
    assert path.stat().st_size < 100_000
    no_ratio_cap = Budget(member=1 << 30, archive=1 << 30, ratio=None)
    sizes = [len(c) for c in _read(path, "bomb.csv", chunk=1 << 16, budget=no_ratio_cap)]
    assert sum(sizes) == 20 << 20 and max(sizes) <= 1 << 16
    with pytest.raises(InflateLimitError, match="ratio cap"):  # the default caps refuse it
        _read(path, "bomb.csv", chunk=1 << 16)


def _damaged(tmp_path: Path, at: int, value: bytes) -> Path:
    path = _archive(tmp_path, {"2014-06/d.csv": (CSV, zipfile.ZIP_DEFLATED)})
    data = bytearray(path.read_bytes())
    data[at : at + len(value)] = value
    path.write_bytes(bytes(data))
    return path


def test_a_flipped_byte_in_the_deflate_data_is_refused(tmp_path: Path) -> None:
    path = _damaged(tmp_path, 30 + len("2014-06/d.csv") + 500, b"\xff\x00\xff")
    with pytest.raises(DAMAGE):
        _read(path, "2014-06/d.csv")


def test_a_local_header_that_is_not_one_is_refused(tmp_path: Path) -> None:
    with pytest.raises(zipfile.BadZipFile, match="signature"):
        _read(_damaged(tmp_path, 0, b"XXXX"), "2014-06/d.csv")


def test_a_local_header_naming_another_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(zipfile.BadZipFile, match="names another file"):
        _read(_damaged(tmp_path, 30, b"9999"), "2014-06/d.csv")


def test_a_member_whose_directory_size_lies_is_refused(tmp_path: Path) -> None:
    path = _archive(tmp_path, {"2014-06/d.csv": (CSV, zipfile.ZIP_DEFLATED)})
    with zipfile.ZipFile(path) as z:
        z.getinfo("2014-06/d.csv").file_size += 1  # what a forged central directory would say
        with pytest.raises(zipfile.BadZipFile, match="directory says"):
            list(member_chunks(z, path, "2014-06/d.csv", 1000))


def test_a_member_whose_crc_does_not_match_is_refused(tmp_path: Path) -> None:
    path = _archive(tmp_path, {"2014-06/d.csv": (CSV, zipfile.ZIP_DEFLATED)})
    with zipfile.ZipFile(path) as z:
        z.getinfo("2014-06/d.csv").CRC ^= 1
        with pytest.raises(zipfile.BadZipFile, match="CRC"):
            list(member_chunks(z, path, "2014-06/d.csv", 1000))
