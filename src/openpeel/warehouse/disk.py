"""A full disk or a folder openpeel may not write, said in one line: the path and what is needed.

Such an error is the machine's, never the input's: an ingest that runs out of space while it
extracts an archive must not say the archive is corrupt. `disk_error` recognises one (an OSError
with its errno, or DuckDB's IO error carrying the system's message) and words it; callers raise
what it returns in place of the original, so the CLI prints one line and no traceback.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from openpeel.core.errors import OpenpeelError

_SPACE = "no space left on the disk"
_QUOTA = "the disk quota is used up"
_DENIED = "permission denied"
_READ_ONLY = "the file system is read-only"

_BY_ERRNO = {
    errno.ENOSPC: _SPACE,
    errno.EDQUOT: _QUOTA,
    errno.EACCES: _DENIED,
    errno.EPERM: _DENIED,
    errno.EROFS: _READ_ONLY,
}
# DuckDB reports the system's message inside its own: 'IO Error: Could not write file "X": No space ...'.
_BY_MESSAGE = {
    "No space left on device": _SPACE,
    "Disk quota exceeded": _QUOTA,
    "Permission denied": _DENIED,
    "Read-only file system": _READ_ONLY,
}
_QUOTED_PATH = re.compile(r'"([^"]+)"')


class DiskError(OpenpeelError):
    """The disk, not the input: no space, no permission, a read-only file system."""

    def __init__(
        self,
        path: str | Path | None,
        problem: str,
        need: str | None = None,
        *,
        reading: bool = False,
        after: str = "Nothing stored was changed.",
    ) -> None:
        self.path = str(path) if path is not None else None
        self.problem = problem
        if problem in (_SPACE, _QUOTA):
            advice = f"free {need or 'space'} on that disk, or point --home (or --db) at a disk with room"
        elif reading:
            advice = "make it readable for this user"
        else:
            advice = "make the folder writable for this user, or point --home (or --db) at one you can write"
        verb = "read" if reading else "write"
        where = f" {self.path}" if self.path else ""
        self.after = after
        super().__init__(f"cannot {verb}{where}: {problem}; {advice}. {after}")


def disk_error(
    exc: BaseException,
    path: str | Path | None = None,
    *,
    need: str | None = None,
    reading: bool = False,
    after: str | None = None,
) -> DiskError | None:
    """The DiskError `exc` stands for, or None if it is not a disk's error. `path` names the place
    when the error itself does not; `need` says how much space the step needs, when known; `after`
    replaces "Nothing stored was changed." when that is not so."""
    extra = {"after": after} if after else {}
    if isinstance(exc, DiskError):
        return exc if not after else DiskError(exc.path, exc.problem, need, reading=reading, after=after)
    if isinstance(exc, OSError):
        problem = _BY_ERRNO.get(exc.errno or 0)
        if problem is None:
            return None
        return DiskError(exc.filename or path, problem, need, reading=reading, **extra)
    if not isinstance(exc, duckdb.Error):
        return None
    text = str(exc)
    for marker, problem in _BY_MESSAGE.items():
        if marker in text:
            quoted = _QUOTED_PATH.search(text)
            return DiskError(quoted.group(1) if quoted else path, problem, need, reading=reading, **extra)
    return None


@contextmanager
def on_disk(path: str | Path | None = None, *, need: str | None = None) -> Iterator[None]:
    """Turn a disk's error inside the block into a DiskError naming `path` (if the error does not)."""
    try:
        yield
    except Exception as exc:
        found = disk_error(exc, path, need=need)
        if found is None or found is exc:
            raise
        raise found from None


def megabytes(n: int) -> str:
    return f"about {max(n, 1 << 20) / (1 << 20):,.0f} MB"
