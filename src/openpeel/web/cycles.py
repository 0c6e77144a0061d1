"""The web app's cycles: each PEEL cycle's warehouse inputs read once per warehouse snapshot.

A `Cycle` (openpeel.publish.cycle) holds what every page of a cycle draws on. The web app keeps a
bare one per cycle and snapshot, reading through a cursor of its own (DuckDB cursors are one
thread's at a time; the Cycle's lock serialises its own reads), and lays the public evidence and
judgements of a page over it with `Cycle.with_public`. A new warehouse snapshot starts afresh;
a publication only changes what is laid over it, so a page made cold by one costs its own
force's sentences, not the cycle's queries.
"""

from __future__ import annotations

import threading

import duckdb

from openpeel.publish.cycle import Cycle
from openpeel.warehouse import WarehouseReader


class Cycles:
    """Bare cycles by (snapshot, year); older snapshots' are dropped and their cursors closed."""

    def __init__(self, reader: WarehouseReader) -> None:
        self._reader = reader
        self._lock = threading.Lock()
        self._snapshot: str | None = None
        self._cycles: dict[int, tuple[Cycle, duckdb.DuckDBPyConnection]] = {}

    def get(self, year: int) -> Cycle:
        snapshot = self._reader.snapshot()
        with self._lock:
            if snapshot != self._snapshot:
                self._drop()
                self._snapshot = snapshot
            found = self._cycles.get(year)
            if found is None:
                cursor = self._reader.current().cursor()
                found = (Cycle(cursor, year), cursor)
                self._cycles[year] = found
            return found[0]

    def _drop(self) -> None:
        for _cycle, cursor in self._cycles.values():
            cursor.close()  # a request still holding the Cycle finishes on what it has read
        self._cycles.clear()

    def close(self) -> None:
        with self._lock:
            self._drop()
