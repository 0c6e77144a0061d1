"""Putting a new site in place of the old one so that a killed publish leaves one of them whole.

The new site is written in a sibling folder, `.NAME.openpeel-new-XXXX` beside `DIR`, and only
when it is complete does it change places with `DIR` in one step: on Linux the two folders are
exchanged by a single `renameat2(RENAME_EXCHANGE)`, so at every instant `DIR` is either the old
site or the new one, whole. The old site is then at the sibling's name and is deleted; a kill
during that deletion leaves a half-deleted sibling, never a half-deleted `DIR`. Where the kernel
or filesystem cannot exchange (other systems), `DIR` is renamed aside and the new folder renamed
into its place: two renames with nothing at `DIR` for the moment between them.

`DIR` stays a plain folder (no symbolic link), so any static host, `cp -r` or `rsync` takes it
as it is. Each publish removes the siblings a killed one left behind before it starts, and holds
a lock (`.NAME.openpeel.lock`, released by the kernel if the process dies) so two publishes to
the same folder cannot remove each other's work.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from openpeel.core.errors import OpenpeelError

MARKER = ".openpeel-site"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _sibling_prefix(out_dir: Path) -> str:
    return f".{out_dir.name}.openpeel-"


def leftovers(out_dir: Path) -> list[Path]:
    """Folders a killed publish left beside `out_dir`: a half-written new site, or the old site
    it had swapped out and not finished deleting."""
    parent = out_dir.parent
    if not parent.is_dir():
        return []
    prefix = _sibling_prefix(out_dir)
    return sorted(
        p for p in parent.iterdir() if p.name.startswith(prefix) and p.is_dir() and not p.is_symlink()
    )


def check_target(out_dir: Path) -> None:
    """Refuse to replace a folder openpeel did not write."""
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise OpenpeelError(f"{out_dir} is not a folder; choose an empty or new folder for --out")
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise OpenpeelError(
            f"{out_dir} exists and is not an openpeel site (it has no {MARKER} file); "
            "choose an empty or new folder for --out"
        )


@contextlib.contextmanager
def site_lock(out_dir: Path) -> Iterator[None]:
    """Hold the folder's publish lock; refuse at once if another publish holds it."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    path = out_dir.parent / f".{out_dir.name}.openpeel.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OpenpeelError(
                f"another openpeel publish is writing {out_dir}; wait for it to finish"
            ) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock; the file stays, empty, for the next publish


def new_staging(out_dir: Path, *, site: bool = True) -> Path:
    """A fresh folder beside `out_dir` to build the new one in, after removing what killed runs
    left there; `site`: `out_dir` must be an openpeel site (or empty, or new)."""
    if site:
        check_target(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    for old in leftovers(out_dir):
        shutil.rmtree(old)
    return Path(tempfile.mkdtemp(prefix=_sibling_prefix(out_dir) + "new-", dir=out_dir.parent))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where that is not supported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except AttributeError:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def swap_in(staging: Path, out_dir: Path) -> None:
    """Put the complete site at `staging` in `out_dir`'s place, then delete the old one."""
    if not out_dir.exists():
        staging.rename(out_dir)
        _sync_dir(out_dir.parent)
        return
    if _exchange(staging, out_dir):
        old = staging  # the old site now has the sibling's name
    else:
        old = Path(tempfile.mkdtemp(prefix=_sibling_prefix(out_dir) + "old-", dir=out_dir.parent))
        old.rmdir()
        out_dir.rename(old)
        staging.rename(out_dir)
    _sync_dir(out_dir.parent)
    shutil.rmtree(old, ignore_errors=True)
