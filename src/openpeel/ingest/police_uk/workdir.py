"""The ingest's work folder: extracted members and the quarantine path's staged rows.

It lives under the home folder (`HOME/tmp/ingest-PID-XXXX`), not the system's /tmp: the user chose
that disk for openpeel's data, and a system /tmp is often small or memory-backed. It is removed
when the ingest ends, however it ends short of a kill. A killed ingest cannot remove it, so each
ingest first removes the work folders of ingests no longer running: a running one holds a lock on
its folder's `.lock` file, which the system releases when its process dies (even by kill -9).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TMP = "tmp"
PREFIX = "ingest-"
_LOCK = ".lock"
_UNLOCKED_GRACE_SECONDS = 60.0
"""A folder without a lock file yet may be one an ingest has just made; older than this, it is stale."""


def work_root(home: Path) -> Path:
    return home / TMP


def remove_stale(root: Path) -> list[Path]:
    """Remove the work folders under `root` that no running ingest holds; the folders removed."""
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    for folder in root.glob(f"{PREFIX}*"):
        if folder.is_dir() and _is_stale(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _is_stale(folder: Path) -> bool:
    try:
        handle = open(folder / _LOCK, "rb")  # noqa: SIM115 - held only for the test below
    except FileNotFoundError:
        return time.time() - folder.stat().st_mtime > _UNLOCKED_GRACE_SECONDS
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


@contextmanager
def work_folder(home: Path) -> Iterator[Path]:
    """A fresh work folder under `home`, locked while the block runs and removed after it."""
    root = work_root(home)
    root.mkdir(parents=True, exist_ok=True)
    remove_stale(root)
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=root))
    try:
        lock = open(folder / _LOCK, "wb")  # noqa: SIM115 - held for the whole block
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        lock.close()
