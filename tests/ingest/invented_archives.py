"""Invented data.police.uk files and archives for the attack tests.

Every row made here is invented: one made-up anti-social behaviour record at a fixed place, repeated.
None is a published record. Archives are built byte by byte where zipfile cannot make the attack
(a member that inflates a thousandfold, a member whose directory entry lies about its size).
"""

from __future__ import annotations

import struct
import warnings
import zipfile
import zlib
from pathlib import Path

import duckdb

from openpeel.core.locations import lake_beside
from openpeel.ingest.police_uk.layout import FileKind
from openpeel.ingest.police_uk.schema import header_line
from openpeel.warehouse import connect

LABELS = {
    "warwickshire": "Warwickshire Police",
    "kent": "Kent Police",
    "derbyshire": "Derbyshire Constabulary",
}
_ROW = (
    ",{month},{label},{label},-1.452923,52.385012,On or near Invented Street,"
    "E01009539,Coventry 039A,Anti-social behaviour,,"
)


def street_row(month: str, force: str = "warwickshire") -> bytes:
    return _ROW.format(month=month, label=LABELS[force]).encode()


def street_csv(
    month: str, rows: int = 50, *, force: str = "warwickshire", bad: int = 0, row_month: str | None = None
) -> bytes:
    """An invented street file: `rows` good rows (for `row_month`, default the file's month), then
    `bad` rows with an unknown crime type."""
    good = street_row(row_month or month, force)
    broken = good.replace(b"Anti-social behaviour", b"Invented crime type")
    lines = [header_line(FileKind.STREET).encode(), *([good] * rows), *([broken] * bad)]
    return b"\n".join(lines) + b"\n"


def header_only(kind: FileKind = FileKind.STREET) -> bytes:
    return header_line(kind).encode() + b"\n"


def member(month: str, force: str = "warwickshire", kind: str = "street") -> str:
    return f"{month}/{month}-{force}-{kind}.csv"


def make_zip(path: Path, members: list[tuple[str, bytes]] | dict[str, bytes]) -> Path:
    """A zip of the members in order; a list may name a member twice (zipfile warns, and allows it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    items = list(members.items()) if isinstance(members, dict) else members
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for name, data in items:
                z.writestr(name, data)
    return path


def write_folder(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def repeated_deflate(block: bytes, times: int) -> bytes:
    """A raw deflate stream of `block` repeated `times` times, made without inflating it: each block
    is compressed after a full flush, so its bytes are the same every time."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    once = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    return once * times + zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)


def raw_zip(path: Path, name: str, compressed: bytes, *, size: int, crc: int = 0) -> Path:
    """A one-member zip whose member holds `compressed` (raw deflate) and declares `size` bytes
    inflated. `size` and `crc` may lie: that is the point of some attacks."""
    encoded = name.encode()
    local = struct.pack(
        "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(compressed), size, len(encoded), 0
    )
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(compressed), size, len(encoded), 0, 0, 0, 0, 0, 0,
    )  # fmt: skip
    body = local + encoded + compressed
    directory = central + encoded
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(body), 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body + directory + end)
    return path


def stored(db: Path | duckdb.DuckDBPyConnection, force: str | None = None, month: str | None = None) -> int:
    """Rows in the lake's street view (for one force-month when given)."""
    con = connect(db, lake=lake_beside(db)) if isinstance(db, Path) else db
    try:
        sql = "SELECT count(*) FROM raw_police_uk_street"
        params: list[object] = []
        if force and month:
            sql += " WHERE force_id = ? AND strftime(month, '%Y-%m') = ?"
            params = [force, month]
        row = con.execute(sql, params).fetchone()
    finally:
        if isinstance(db, Path):
            con.close()
    assert row is not None
    return int(row[0])
