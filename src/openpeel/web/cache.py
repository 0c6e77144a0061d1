"""A small cache of rendered pages; keys carry the data version, so a change of data misses."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable


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
