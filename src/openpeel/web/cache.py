"""A small cache of rendered pages, invalidated whenever the warehouse's data changes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import duckdb

# Tables whose change must invalidate rendered pages; missing tables are skipped.
VERSION_SOURCES = (
    "SELECT max(ingested_at)::VARCHAR FROM meta_source_files",
    "SELECT count(*)::VARCHAR FROM ind_values",
)


def data_version(con: duckdb.DuckDBPyConnection, extra: tuple[str, ...] = ()) -> str:
    parts = []
    for sql in (*VERSION_SOURCES, *extra):
        try:
            row = con.execute(sql).fetchone()
        except duckdb.CatalogException:
            row = None
        parts.append(str(row[0]) if row else "")
    return "|".join(parts)


class PageCache:
    def __init__(self, max_entries: int = 512) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str, ...], str] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: tuple[str, ...], render: Callable[[], str]) -> str:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        text = render()
        with self._lock:
            self._entries[key] = text
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return text

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
