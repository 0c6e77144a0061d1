"""Throttling failed sign-ins, per client address and per user name."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class LoginThrottle:
    """At most `attempts` failures per key within `window` seconds; success clears the key."""

    def __init__(self, attempts: int, window: float) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        entries = self._failures[key]
        while entries and now - entries[0] > self.window:
            entries.popleft()
        return entries

    def retry_after(self, *keys: str) -> int:
        """Seconds to wait before another attempt is allowed (0 if allowed now)."""
        now = time.monotonic()
        with self._lock:
            waits = []
            for key in keys:
                entries = self._recent(key, now)
                if len(entries) >= self.attempts:
                    waits.append(int(self.window - (now - entries[0])) + 1)
            return max(waits, default=0)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
