"""Slowing down password guessing without locking the owner out.

Failures are counted per account and client address, and per address alone (with a larger
allowance, against one address trying many accounts). After the allowance, each further try
from there waits twice as long as the one before (1 s, 2 s, 4 s, ... up to a maximum). The
account itself is never locked: its owner, signing in from another address, is not slowed by an
attacker's failures, and signing in clears the owner's own count. Counts are forgotten after a
quiet window, and their number is bounded, so a flood of invented names cannot fill memory.

The server keeps the counts in the workspace store (`StoreCounts`), so every server process
(`openpeel serve --workers N`), and every server sharing a PostgreSQL store, counts the same
tries: an attacker gains nothing by having their guesses spread over processes.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from openpeel.store import Store
from openpeel.store.schema import sa_table

ADDRESS_ALLOWANCE_FACTOR = 4
"""An address may fail this many times the per-account allowance, over all accounts, before it
is slowed: an office behind one address has several people mistyping."""
MAX_TRACKED = 100_000


@dataclass
class Count:
    failures: int
    last: float


class Counts(Protocol):
    """Where failure counts are kept."""

    def load(self, keys: Sequence[str]) -> dict[str, Count]: ...

    def record(self, keys: Sequence[str], now: float, window: float) -> None:
        """One more failure for each key; a count quiet for `window` seconds starts again."""

    def forget(self, key: str) -> None: ...

    def size(self) -> int: ...


class MemoryCounts:
    """Counts in this process only (tests, and a throttle used without a store)."""

    def __init__(self, max_tracked: int = MAX_TRACKED) -> None:
        self.max_tracked = max_tracked
        self._counts: OrderedDict[str, Count] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, keys: Sequence[str]) -> dict[str, Count]:
        with self._lock:
            return {k: Count(c.failures, c.last) for k in keys if (c := self._counts.get(k)) is not None}

    def record(self, keys: Sequence[str], now: float, window: float) -> None:
        with self._lock:
            for key in keys:
                count = self._counts.pop(key, None)
                if count is None or now - count.last > window:
                    count = Count(0, now)
                count.failures += 1
                count.last = now
                self._counts[key] = count
            # Oldest first (a failure moves its keys to the end). A flood of invented names from
            # one address keeps that address's own key fresh, so the flood stays slowed.
            while len(self._counts) > self.max_tracked:
                self._counts.popitem(last=False)

    def forget(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)

    def size(self) -> int:
        with self._lock:
            return len(self._counts)


class StoreCounts:
    """Counts in the workspace store's `web_login_failures`, shared by every server process.

    Each failure is one upsert, atomic on its own, so it does not take the writers' turn that
    audited changes take; quiet counts are deleted as failures arrive, and beyond `max_tracked`
    the oldest go first."""

    def __init__(self, store: Store, max_tracked: int = MAX_TRACKED) -> None:
        self.store = store
        self.max_tracked = max_tracked
        self._table = sa_table("web_login_failures")

    def load(self, keys: Sequence[str]) -> dict[str, Count]:
        t = self._table
        with self.store.read() as ws:
            rows = ws.execute(
                sa.select(t.c.throttle_key, t.c.failures, t.c.last_failure).where(t.c.throttle_key.in_(keys))
            ).all()
        return {key: Count(int(failures), float(last)) for key, failures, last in rows}

    def _upsert(self, key: str, now: float, window: float) -> sa.Insert:
        t = self._table
        insert = (postgresql.insert if self.store.backend == "postgresql" else sqlite.insert)(t)
        stmt = insert.values(throttle_key=key, failures=1, last_failure=now)
        restarted = t.c.last_failure < now - window
        return stmt.on_conflict_do_update(
            index_elements=[t.c.throttle_key],
            set_={
                "failures": sa.case((restarted, 1), else_=t.c.failures + 1),
                "last_failure": now,
            },
        )

    def record(self, keys: Sequence[str], now: float, window: float) -> None:
        t = self._table
        with self.store.write(lock=False) as ws:
            for key in keys:
                ws.execute(self._upsert(key, now, window))
            ws.execute(sa.delete(t).where(t.c.last_failure < now - window))
            oldest_kept = (
                sa.select(t.c.last_failure)
                .order_by(t.c.last_failure.desc())
                .offset(self.max_tracked - 1)
                .limit(1)
                .scalar_subquery()
            )
            ws.execute(sa.delete(t).where(t.c.last_failure < oldest_kept))

    def forget(self, key: str) -> None:
        t = self._table
        with self.store.write(lock=False) as ws:
            ws.execute(sa.delete(t).where(t.c.throttle_key == key))

    def size(self) -> int:
        with self.store.read() as ws:
            return int(ws.execute(sa.select(sa.func.count()).select_from(self._table)).scalar_one())


class LoginThrottle:
    """Exponential backoff of failed sign-ins per (account, address) and per address."""

    def __init__(
        self,
        attempts: int,
        window: float,
        max_backoff: float = 900,
        *,
        max_tracked: int = MAX_TRACKED,
        counts: Counts | None = None,
    ) -> None:
        self.attempts = attempts
        self.window = window
        self.max_backoff = max_backoff
        self.counts: Counts = counts if counts is not None else MemoryCounts(max_tracked)
        # Wall-clock time: counts kept in the store are compared across processes.
        self.clock: Callable[[], float] = time.time

    def _keys(self, username: str, address: str) -> tuple[tuple[str, int], tuple[str, int]]:
        return (
            # Quoted: a typed name may hold anything, a NUL (which PostgreSQL text refuses) or a
            # space, and must not be able to pass for another account's key.
            (f"account:{quote(username, safe='')} address:{quote(address, safe='')}", self.attempts),
            (f"address:{quote(address, safe='')}", self.attempts * ADDRESS_ALLOWANCE_FACTOR),
        )

    def _wait(self, count: Count | None, allowance: int, now: float) -> float:
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
        keys = self._keys(username, address)
        found = self.counts.load([k for k, _ in keys])
        wait = max(self._wait(found.get(k), a, now) for k, a in keys)
        return math.ceil(wait)

    def failed(self, username: str, address: str) -> None:
        self.counts.record([k for k, _ in self._keys(username, address)], self.clock(), self.window)

    def succeeded(self, username: str, address: str) -> None:
        """Clear this account's count from this address (not the address's: signing in to one's
        own account must not reset the count of guesses at others)."""
        self.counts.forget(self._keys(username, address)[0][0])
