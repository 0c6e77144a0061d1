"""Zip members as untrusted input: names that could leave the extraction folder, and read failures.

An archive is data from the internet. A member name is only a string: `../../x/2014-02/...csv`
or `/tmp/2014-02/...csv` would, joined to a folder, write outside it. Every member name of an
archive is checked before anything is extracted, and every extraction path is resolved and
checked again to sit inside its folder.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from openpeel.core.errors import InputError

# What reading a damaged archive raises: a bad CRC or header (BadZipFile), corrupt deflate data
# (zlib.error, which zipfile lets through), data cut short (EOFError), an unsupported compression
# method (NotImplementedError), an encrypted member (RuntimeError), or the disk (OSError).
READ_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    OSError,
)

_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_reason(name: str) -> str | None:
    """Why a member name may not be extracted, or None for a plain relative name."""
    if not name:
        return "its name is empty"
    if "\x00" in name:
        return "its name contains a NUL character"
    if name.startswith("/") or _DRIVE.match(name):
        return "its name is an absolute path"
    if "\\" in name:
        return "its name contains a backslash (a Windows path separator)"
    if any(part == ".." for part in PurePosixPath(name).parts):
        return "its name climbs out of the archive's folder with '..'"
    return None


def check_member_names(archive: Path, names: list[str]) -> None:
    """Refuse the whole archive if any member name could write outside the extraction folder."""
    for name in names:
        reason = unsafe_reason(name)
        if reason is not None:
            raise InputError(
                f"refusing archive member {name!r}: {reason}",
                path=f"{archive}!{name}",
                hint="nothing was extracted; a published archive never holds such names, so this "
                "archive is damaged or not from data.police.uk",
            )


def member_path(root: Path, archive: Path, name: str) -> Path:
    """Where member `name` is extracted under `root`; never outside it."""
    check_member_names(archive, [name])
    base = root.resolve()
    target = (base / name).resolve()
    if not target.is_relative_to(base):
        raise InputError(
            f"refusing archive member {name!r}: it resolves to {target}, outside {base}",
            path=f"{archive}!{name}",
        )
    return target
