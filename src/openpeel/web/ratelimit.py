"""Slowing down password guessing without locking the owner out.

Failures are counted per account and client address, and per address alone (with a larger
allowance, against one address trying many accounts). After the allowance, each further try
from there waits twice as long as the one before (1 s, 2 s, 4 s, ... up to a maximum). The
account itself is never locked: its owner, signing in from another address, is not slowed by an
attacker's failures, and signing in clears the owner's own count. Counts are forgotten after a
quiet window. The table of counts is bounded, so a flood of invented names cannot fill memory.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

ADDRESS_ALLOWANCE_FACTOR = 4
"""An address may fail this many times the per-account allowance, over all accounts, before it
is slowed: an office behind one address has several people mistyping."""
MAX_TRACKED = 100_000


@dataclass
class _Count:
    failures: int
    last: float


class LoginThrottle:
    """Exponential backoff of failed sign-ins per (account, address) and per address."""

    def __init__(
        self, attempts: int, window: float, max_backoff: float = 900, *, max_tracked: int = MAX_TRACKED
    ) -> None:
        self.attempts = attempts
        self.window = window
        self.max_backoff = max_backoff
        self.max_tracked = max_tracked
        self._counts: OrderedDict[str, _Count] = OrderedDict()
        self._lock = threading.Lock()
        self.clock = time.monotonic

    def _keys(self, username: str, address: str) -> tuple[tuple[str, int], tuple[str, int]]:
        return (
            (f"account:{username}\x00address:{address}", self.attempts),
            (f"address:{address}", self.attempts * ADDRESS_ALLOWANCE_FACTOR),
        )

    def _wait(self, key: str, allowance: int, now: float) -> float:
        count = self._counts.get(key)
        if count is None or now - count.last > self.window:
            return 0.0
        over = count.failures - allowance
        if over < 0:
            return 0.0
        delay = min(self.max_backoff, 2.0**over)
        return max(0.0, count.last + delay - now)

    def retry_after(self, username: str, address: str) -> int:
        """Whole seconds before this account may be tried again from this address (0: now)."""
        now = self.clock()
        with self._lock:
            wait = max(self._wait(k, a, now) for k, a in self._keys(username, address))
        return math.ceil(wait)

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key, _ in self._keys(username, address):
                count = self._counts.pop(key, None)
                if count is None or now - count.last > self.window:
                    count = _Count(0, now)
                count.failures += 1
                count.last = now
                self._counts[key] = count
            self._prune()

    def succeeded(self, username: str, address: str) -> None:
        """Clear this account's count from this address (not the address's: signing in to one's
        own account must not reset the count of guesses at others)."""
        with self._lock:
            self._counts.pop(self._keys(username, address)[0][0], None)

    def _prune(self) -> None:
        # Oldest first (a failure moves its keys to the end). A flood of invented names from one
        # address keeps that address's own key fresh, so the flood stays slowed while it evicts.
        while len(self._counts) > self.max_tracked:
            self._counts.popitem(last=False)
