"""Errors that name the file and place a problem was found, so a user can fix the input."""

from __future__ import annotations

import errno
from pathlib import Path


class OpenpeelError(Exception):
    """Base error: every user-facing failure is one of these, with a message that says what to do."""


class InputError(OpenpeelError):
    """A problem in an input file, located as precisely as the format allows."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        self.hint = hint
        self.reason = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.path:
            where.append(self.path)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field '{self.field}'")
        text = (", ".join(where) + ": " if where else "") + self.reason
        if self.hint:
            text += f" ({self.hint})"
        return text


class UnknownNameError(OpenpeelError, KeyError):
    """A name that is not in a registry; carries the closest known names."""

    def __init__(self, kind: str, name: str, suggestions: list[str]) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean {' or '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"unknown {kind} {name!r}{hint}")

    def __str__(self) -> str:
        return str(self.args[0])


class ConflictError(OpenpeelError):
    """An edit that started from an older version of a row than the one now stored."""

    def __init__(self, message: str, *, current: dict[str, object] | None = None) -> None:
        self.current = current
        super().__init__(message)


class LockedError(OpenpeelError):
    """A change to findings behind a published judgement: the judgement must be reopened first."""


class StorageError(OpenpeelError):
    """The disk or the database refused a write (full, read-only, no permission): names the place
    and what is needed. Nothing was changed: the write's transaction or file was abandoned."""


# What each refusal needs from the person running openpeel.
_NEEDED = {
    errno.ENOSPC: "the disk is full: free some space there (or choose another place) and run the command again",
    errno.EDQUOT: "the disk quota is used up: free some space there (or choose another place) and run it again",
    errno.EACCES: "permission denied: the user running openpeel needs write access there",
    errno.EPERM: "permission denied: the user running openpeel needs write access there",
    errno.EROFS: "the filesystem is read-only: choose a writable place (--home, --out or --store)",
}


def storage_error(exc: OSError, what: str = "write") -> StorageError | None:
    """`exc` as one line naming the path and what is needed, if it is a full disk or a refused
    write; None for any other error (a missing input file, say, which has its own message)."""
    needed = _NEEDED.get(exc.errno or 0)
    if needed is None:
        return None
    where = exc.filename if exc.filename is not None else "a file"
    return StorageError(f"cannot {what} {where}: {needed}")
