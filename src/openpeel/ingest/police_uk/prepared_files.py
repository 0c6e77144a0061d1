"""Getting data.police.uk files ready for DuckDB: extracted from their archives (every member's
path checked to stay inside the work folder, its inflation capped while it streams: see
inflate.Budget), header checked on the first bytes before more are written, and fingerprinted
(SHA-256, size, line count) on a background thread while the previous batch loads.

A failure reading an archive is the archive's (InputError); a failure writing the work folder is
the disk's (warehouse.disk.DiskError), and says so."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from openpeel.core.errors import InputError
from openpeel.ingest.police_uk import bounds
from openpeel.ingest.police_uk.inflate import INFLATE_ERRORS, Budget, InflateLimitError, member_chunks
from openpeel.ingest.police_uk.layout import SourceFile
from openpeel.ingest.police_uk.members import READ_ERRORS, member_path
from openpeel.ingest.police_uk.schema import header_line
from openpeel.warehouse.disk import disk_error, megabytes, on_disk

_CHUNK = 4 << 20


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    bytes: int
    rows_in_file: int


@dataclass
class PreparedFile:
    """A file on local disk, ready for DuckDB; its fingerprint may still be computing."""

    source: SourceFile
    local_path: Path
    fingerprint: Fingerprint | Future[Fingerprint]

    def done(self) -> Fingerprint:
        if isinstance(self.fingerprint, Future):
            self.fingerprint = self.fingerprint.result()
        return self.fingerprint

    @property
    def rows_in_file(self) -> int:
        return self.done().rows_in_file


def _check_header(source: SourceFile, first: bytes) -> None:
    if not first:
        raise InputError("empty file: it has not even a header line", path=source.display_path, line=1)
    header = first.split(b"\n", 1)[0].rstrip(b"\r").removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    expected = header_line(source.kind)
    if header != expected:
        raise InputError(
            f"header is {header!r}, expected {expected!r}",
            path=source.display_path,
            line=1,
            field="header",
            hint=f"a {source.kind.value} file must have the published header; is the file name's kind right?",
        )


class _Digest:
    """SHA-256, size and line count of a byte stream, computed as it passes."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()
        self.size = 0
        self.newlines = 0
        self.last = b""

    def update(self, chunk: bytes | bytearray | memoryview) -> None:
        self.sha.update(chunk)
        self.size += len(chunk)
        if isinstance(chunk, memoryview):  # only a file's last, partial buffer
            chunk = chunk.tobytes()
        self.newlines += chunk.count(b"\n")
        self.last = bytes(chunk[-1:])

    def result(self) -> Fingerprint:
        lines = self.newlines + (0 if self.last in (b"\n", b"") else 1)
        return Fingerprint(self.sha.hexdigest(), self.size, max(lines - 1, 0))


_READ_BUFFER = 1 << 20


def _fingerprint(local: Path) -> Fingerprint:
    # One reused buffer the size of a core's cache, hashed and counted while it is still there:
    # 1.1 GB/s where fresh 4 MiB chunks gave 1.0; this pass shares the cores with DuckDB.
    digest = _Digest()
    buffer = bytearray(_READ_BUFFER)
    view = memoryview(buffer)
    with local.open("rb", buffering=0) as fh:
        while size := fh.readinto(buffer):
            digest.update(buffer if size == _READ_BUFFER else view[:size])
    return digest.result()


def _write(dst: BinaryIO, chunk: bytes) -> None:
    """One chunk of an extracted member onto the disk (a seam the disk-full tests replace)."""
    dst.write(chunk)


def _reading(source: SourceFile, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The member's chunks; a failure to read them is the archive's, or the disk's, never the work folder's."""
    try:
        yield from chunks
    except InflateLimitError as exc:
        raise InputError(
            f"refusing archive member: {exc}",
            path=source.display_path,
            hint="no published file inflates so; nothing past the cap was written",
        ) from None
    except (*READ_ERRORS, *INFLATE_ERRORS) as exc:
        found = disk_error(exc, source.container, reading=True) if isinstance(exc, OSError) else None
        if found is not None:
            raise found from None
        raise InputError(
            f"cannot read this member of the archive ({type(exc).__name__}: {exc})",
            path=source.display_path,
            hint="the archive may be truncated or corrupt: download it again; nothing was stored",
        ) from None


class Preparer:
    """Gets a batch's files onto local disk (extracting from zips) and fingerprints them.

    Runs in a worker thread, one batch ahead of the loader. Plain files are not copied: their
    header is checked now and their fingerprint computed on a second thread while DuckDB reads
    them, unless an earlier copy is in the warehouse (then the checksum decides whether to load).
    """

    def __init__(
        self, workdir: Path, hasher: ThreadPoolExecutor, known: set[tuple[dt.date, str, str]]
    ) -> None:
        self.workdir = workdir
        self.hasher = hasher
        self.known = known
        self._zips: dict[Path, zipfile.ZipFile] = {}
        self._budgets: dict[Path, Budget] = {}

    def _zip(self, path: Path) -> zipfile.ZipFile:
        if path not in self._zips:
            self._zips[path] = zipfile.ZipFile(path)
        return self._zips[path]

    def _budget(self, archive: Path) -> Budget:
        if archive not in self._budgets:
            self._budgets[archive] = Budget(bounds.MAX_MEMBER_BYTES, bounds.MAX_ARCHIVE_BYTES)
        return self._budgets[archive]

    def _extract(self, source: SourceFile, batch: int) -> PreparedFile:
        local = member_path(self.workdir / str(batch), source.container, source.member)
        need = megabytes(source.size)
        digest = _Digest()
        head = b""
        with on_disk(local, need=need):
            local.parent.mkdir(parents=True, exist_ok=True)
            dst = local.open("wb")
        with dst:
            for chunk in _reading(source, self._chunks(source)):
                if len(head) < 4096 and b"\n" not in head:
                    head += chunk[:4096]
                    if len(head) >= 4096 or b"\n" in head:
                        _check_header(source, head)  # before the rest of the member is written
                digest.update(chunk)
                with on_disk(local, need=need):
                    _write(dst, chunk)
        if len(head) < 4096 and b"\n" not in head:
            _check_header(source, head)
        return PreparedFile(source, local, digest.result())

    def _chunks(self, source: SourceFile) -> Iterator[bytes]:
        # A generator, so opening the archive fails inside _reading, as the archive's failure.
        archive = self._zip(source.container)
        yield from member_chunks(
            archive, source.container, source.member, _CHUNK, self._budget(source.container)
        )

    def prepare(self, sources: list[SourceFile], batch: int) -> list[PreparedFile]:
        out = []
        for source in sources:
            if source.is_zip:
                out.append(self._extract(source, batch))
                continue
            local = source.container / source.member
            try:
                with local.open("rb") as fh:
                    first = fh.read(4096)
            except OSError as exc:
                found = disk_error(exc, local, reading=True)
                if found is None:
                    raise
                raise found from None
            _check_header(source, first)
            if (source.month, source.force_id, source.kind.value) in self.known:
                out.append(PreparedFile(source, local, _fingerprint(local)))
            else:
                out.append(PreparedFile(source, local, self.hasher.submit(_fingerprint, local)))
        return out

    def release(self, batch: int) -> None:
        shutil.rmtree(self.workdir / str(batch), ignore_errors=True)

    def close(self) -> None:
        for handle in self._zips.values():
            handle.close()
