"""Where an ingest's month files wait until the warehouse takes them (see openpeel.warehouse.lake).

Month files are written on threads of their own (pyarrow releases the interpreter while it
encodes), so one kind's files are written while DuckDB reads the next kind's CSVs. At most two
kinds' rows are held at once: the one being written and the one just read.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import duckdb

from openpeel.core.months import month_text
from openpeel.warehouse.disk import on_disk
from openpeel.warehouse.lake import STAGING_PREFIX, LakeCommit, current_parts, month_dir
from openpeel.warehouse.month_files import RowSource, write_month

_Written = Future[list[tuple[Path, int]]]


class Stage:
    """A run's staging folder inside the lake, its month writes, and the commit they make."""

    _runs = itertools.count()

    def __init__(self, root: Path, workdir: Path, writer: ThreadPoolExecutor) -> None:
        self.root = root
        self.workdir = workdir
        self._writer = writer
        self.folder = root / f"{STAGING_PREFIX}{os.getpid()}-{next(self._runs)}"
        self.folder.mkdir(parents=True)
        self.pieces = self.folder / "pieces"
        self.pieces.mkdir()
        self.commit = LakeCommit(root, staging=[self.folder])
        self._groups: list[list[tuple[Path, _Written]]] = []

    def write_months(
        self, con: duckdb.DuckDBPyConnection, kind: str, months: Mapping[dt.date, Mapping[str, RowSource]]
    ) -> None:
        """Write each month's new file: the forces given with their new rows, every other force
        with the rows stored for it now."""
        group = []
        for month, forces in sorted(months.items()):
            place = month_dir(self.root, kind, month)
            stored = current_parts(con, place)
            staged = self.folder / f"kind={kind}" / f"month={month_text(month)}"
            group.append((place, self._writer.submit(_write, staged, kind, dict(forces), stored)))
        self._groups.append(group)

    def settle(self, *, keep: int = 0) -> None:
        """Wait for the month writes of all but the last `keep` calls of `write_months`, and add
        the files written to the commit."""
        while len(self._groups) > keep:
            for place, written in self._groups.pop(0):
                parts = written.result()
                self.commit.moves += [(path, place / path.name) for path, _ in parts]
                self.commit.months.append((place, len(parts)))

    def abandon(self) -> None:
        """The run failed: stop the writes not begun, wait for those running, remove the folder."""
        for group in self._groups:
            for _, written in group:
                written.cancel()
        for group in self._groups:
            for _, written in group:
                if not written.cancelled():
                    written.exception()  # wait: the folder goes next
        self._groups.clear()
        self.commit.discard()


def _write(
    folder: Path, kind: str, forces: dict[str, RowSource], stored: list[Path]
) -> list[tuple[Path, int]]:
    with on_disk(folder):
        return write_month(folder, kind, forces, stored)
