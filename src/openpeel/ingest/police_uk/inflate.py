"""Reading a zip member's bytes, inflated by ISA-L where the member is deflated.

Extraction is the ingest's biggest cost after DuckDB itself when the input is the published
archive: zipfile inflates with zlib at about 0.4 GB/s, so a national year (1.7 GB of CSV in a
0.5 GB zip) spends 4.4 s of a core inflating while DuckDB wants both cores. ISA-L (the `isal`
package) inflates the same deflate streams at about 0.9 GB/s. zipfile has no way to swap its
inflater, so a deflated member is read here from the local header that zipfile's own central
directory points at, and checked as zipfile checks it: the header's signature and name, the
stream's end, the size and the CRC-32. Anything else (stored members, other methods, encrypted
members) is read through zipfile.

Inflation is bounded while it streams (`Budget`): a member stops as soon as it passes the size its
directory entry declares, the cap for one member, what is left of its archive's cap, or (past the
first megabytes) a ratio of inflated to compressed bytes read so far. Each check comes before the
bytes are handed on, so nothing past a cap is ever written.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from isal import isal_zlib

from openpeel.ingest.police_uk import bounds

# isal's stubs declare its error class as an instance of Exception; it is the class itself.
INFLATE_ERRORS: tuple[type[Exception], ...] = (cast("type[Exception]", isal_zlib.error),)
"""What ISA-L raises on corrupt deflate data (not a zlib.error)."""

_LOCAL_HEADER = struct.Struct("<4s22xHH")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_ENCRYPTED = 0x1
_UTF8_NAME = 0x800


class InflateLimitError(Exception):
    """A member inflates past one of its caps; raised before the bytes past the cap are handed on."""


def size_text(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}".replace(".0 ", " ")
        n /= 1024
    raise AssertionError  # unreachable


@dataclass
class Budget:
    """What one member may inflate to: `member` bytes, and no more than `archive` bytes left for
    its whole archive (shared by the archive's members: `spend` lowers it); `ratio` caps inflated
    over compressed bytes once past `floor` bytes (None: no ratio cap)."""

    member: int
    archive: int
    ratio: float | None = bounds.MAX_RATIO
    floor: int = bounds.RATIO_FLOOR_BYTES

    def check(self, info: zipfile.ZipInfo, size: int, consumed: int) -> None:
        """Raise InflateLimitError if `size` bytes inflated from `consumed` compressed ones pass a cap."""
        if size > info.file_size:
            raise InflateLimitError(
                f"it inflates to more than the {info.file_size:,} bytes its directory entry declares"
            )
        if size > self.member:
            raise InflateLimitError(
                f"it inflates to more than the {size_text(self.member)} cap for one member"
            )
        if size > self.archive:
            raise InflateLimitError(
                f"its archive inflates to more than the archive cap ({size_text(self.archive)} were left)"
            )
        if self.ratio is not None and size > self.floor and size > self.ratio * max(consumed, 1):
            raise InflateLimitError(
                f"it inflates to more than {self.ratio:g} times the compressed bytes read "
                f"({size_text(size)} from {size_text(consumed)}), past the ratio cap"
            )

    def spend(self, size: int) -> None:
        self.archive -= size


def member_chunks(
    archive: zipfile.ZipFile, path: Path, name: str, chunk: int, budget: Budget | None = None
) -> Iterator[bytes]:
    """The inflated bytes of member `name` of `archive` (opened from `path`), at most `chunk`
    bytes at a time however well the member compresses, and never past `budget` (default: the
    caps of openpeel.ingest.police_uk.bounds). Raises InflateLimitError past a cap,
    zipfile.BadZipFile for a header, size or CRC that does not match, EOFError for data cut short,
    and INFLATE_ERRORS or zlib.error for corrupt deflate data."""
    info = archive.getinfo(name)
    budget = budget or Budget(bounds.MAX_MEMBER_BYTES, bounds.MAX_ARCHIVE_BYTES)
    if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & _ENCRYPTED:
        size = 0
        with archive.open(info) as member:
            while data := member.read(chunk):
                size += len(data)
                # zipfile stops at the declared size; the compressed size is all there is to go by.
                budget.check(info, size, info.compress_size)
                yield data
        budget.spend(size)
        return
    with path.open("rb") as raw:
        raw.seek(info.header_offset)
        header = raw.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size:
            raise EOFError(f"the local header of {name} is cut short")
        signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
        if signature != _LOCAL_SIGNATURE:
            raise zipfile.BadZipFile(f"bad local header signature for {name}")
        encoding = "utf-8" if info.flag_bits & _UTF8_NAME else "cp437"
        if raw.read(name_length).decode(encoding, "replace") != info.orig_filename:
            raise zipfile.BadZipFile(f"the local header of {name} names another file")
        raw.seek(extra_length, 1)
        yield from _inflated(raw, info, chunk, budget)


def _inflated(raw: BinaryIO, info: zipfile.ZipInfo, chunk: int, budget: Budget) -> Iterator[bytes]:
    inflater = isal_zlib.decompressobj(-15)
    left = info.compress_size
    size = 0
    crc = 0
    pending = b""
    while left or pending:
        if not pending:
            pending = raw.read(min(left, chunk))
            if not pending:
                raise EOFError(f"{info.filename}: the archive ends inside this member")
            left -= len(pending)
        # max_length bounds what one call may produce: a member that inflates a thousandfold
        # still comes out `chunk` bytes at a time.
        data = inflater.decompress(pending, chunk)
        pending = inflater.unconsumed_tail
        if data:
            size += len(data)
            budget.check(info, size, info.compress_size - left - len(pending))
            crc = zlib.crc32(data, crc)
            yield data
        if inflater.eof:
            break
    rest = inflater.flush()
    if rest:
        size += len(rest)
        budget.check(info, size, info.compress_size - left)
        crc = zlib.crc32(rest, crc)
        yield rest
    budget.spend(size)
    if not inflater.eof:
        raise EOFError(f"{info.filename}: the deflate stream ends early")
    if size != info.file_size:
        raise zipfile.BadZipFile(
            f"{info.filename}: {size} bytes inflated, the directory says {info.file_size}"
        )
    if crc != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
