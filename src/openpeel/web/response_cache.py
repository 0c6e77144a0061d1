"""An ASGI middleware that serves repeated anonymous GETs of reports and the API from memory.

A cached response is reused while the data version the app reports is unchanged (see
`DataVersion`). ETags are kept, so a client's If-None-Match still gets a 304. Requests with a
session cookie or an Authorization header are never answered from, or stored in, the cache, and
neither are responses that set a cookie.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Public, anonymous pages and API responses; never the workspace or the sign-in form.
CACHED = re.compile(r"^/(api/v1/|\d{4}/|forces/|index\.html$|methodology\.html$|data-dictionary\.html$)")
SESSION_COOKIE_NAME = b"openpeel_session"


REPORT_PAGE = re.compile(r"^/(\d{4})/([a-z0-9-]+)\.html$")


def page_scope(path: str) -> tuple[str, int] | None:
    """The (force, year) a report page shows, or None for pages that span forces."""
    match = REPORT_PAGE.match(path)
    return (match.group(2), int(match.group(1))) if match else None


class DataVersion:
    """What cached pages depend on. A force's report page depends on the warehouse snapshot and
    on that force and year's workspace; every other page on the warehouse and the whole
    workspace. Each part is re-read at most once per `ttl` seconds, so a change made by another
    process (the CLI) shows within that time, and at once after a write through this app
    (`bump`). Scoping keeps one inspector's edits from re-rendering every force's report."""

    def __init__(
        self,
        read: Callable[[], str],
        read_scope: Callable[[str, int], str] | None = None,
        ttl: float = 1.0,
    ) -> None:
        self._read = read
        self._read_scope = read_scope
        self.ttl = ttl
        self.writes = 0
        self._values: dict[object, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def bump(self, scope: tuple[str, int] | None = None) -> None:
        with self._lock:
            self.writes += 1
            self._values.pop(None, None)
            if scope is not None:
                self._values.pop(scope, None)

    def key(self, path: str) -> tuple[str, int] | None:
        """What the version of `path` is kept under: its (force, year), or None for the whole."""
        return page_scope(path) if self._read_scope is not None else None

    @staticmethod
    def _label(key: tuple[str, int] | None, value: str, writes: int) -> str:
        # A scoped page's version is its own value; others also change with every local write.
        return ("scoped|" if key is not None else f"{writes}|") + value

    def _stored(self, path: str, max_age: float | None) -> str | None:
        key = self.key(path)
        with self._lock:
            found = self._values.get(key)
            writes = self.writes
        if found is None or (max_age is not None and time.monotonic() - found[1] > max_age):
            return None
        return self._label(key, found[0], writes)

    def known(self, path: str = "") -> str | None:
        """The last version read, however old, unless a write through this app has dropped it:
        what a page may be served at while a fresh version is read."""
        return self._stored(path, None)

    def fresh(self, path: str = "") -> str | None:
        """The version if it is known and fresh, without reading anything (safe on the event loop)."""
        return self._stored(path, self.ttl)

    def __call__(self, path: str = "") -> str:
        """The version, re-read when stale: this reads the databases, so call it off the event loop."""
        known = self.fresh(path)
        if known is not None:
            return known
        key = self.key(path)
        now = time.monotonic()
        with self._lock:
            writes_before = self.writes
        value = self._read_scope(*key) if key is not None and self._read_scope is not None else self._read()
        with self._lock:
            writes = self.writes
            # A write through this app while reading may not be in `value`: keep it unstored, so
            # the next request reads again rather than trusting it for `ttl` seconds.
            if writes == writes_before:
                self._values[key] = (value, now)
        return self._label(key, value, writes)


@dataclass(frozen=True)
class Entry:
    version: str
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes | None


class ResponseCache:
    """Bounded twice: at most `max_entries` answers and `max_bytes` of bodies (the least recently
    used go first; an answer over an eighth of `max_bytes` is never kept), and keyed on the path and
    only the query parameters some route reads (`known_query`), so a junk query string makes no
    new entry: `/2014/kent.html?x=1` is the same page as `/2014/kent.html`."""

    def __init__(
        self,
        app: ASGIApp,
        version: DataVersion,
        max_entries: int = 2048,
        max_bytes: int = 64 * 1024 * 1024,
        known_query: frozenset[str] | None = None,
    ) -> None:
        self.app = app
        self.version = version
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.known_query = known_query
        self.bytes = 0
        self._entries: OrderedDict[bytes, Entry] = OrderedDict()
        self._lock = threading.Lock()
        # One render per page and version at a time: concurrent misses wait for it.
        self._rendering: dict[tuple[bytes, str], asyncio.Event] = {}
        # One version read per scope at a time, however many requests find it stale.
        self._reading: dict[object, asyncio.Future[str]] = {}

    async def _current_version(self, path: str) -> str:
        """The data version for `path`. A stale one is re-read off the event loop, once however
        many requests ask meanwhile; until it is back they are served at the version last read
        (a second or so old), unless a write through this app dropped it, when they wait."""
        version = self.version.fresh(path)
        if version is not None:
            return version
        key = self.version.key(path)
        reading = self._reading.get(key)
        if reading is None:
            reading = asyncio.ensure_future(run_in_threadpool(self.version, path))
            self._reading[key] = reading

            def done(task: asyncio.Future[str], key: object = key) -> None:
                if self._reading.get(key) is task:
                    del self._reading[key]

            reading.add_done_callback(done)
        stale = self.version.known(path)
        if stale is not None and not reading.done():
            return stale
        return await asyncio.shield(reading)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not CACHED.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if SESSION_COOKIE_NAME in headers.get(b"cookie", b"") or b"authorization" in headers:
            await self.app(scope, receive, send)
            return
        key = _key(scope, headers, self.known_query)
        version = await self._current_version(scope["path"])
        entry = self._lookup(key, version)
        if entry is None and (key, version) in self._rendering:
            # Someone is rendering the new version: the page as it was a moment ago serves until
            # then, rather than every reader waiting (or all rendering it at once).
            entry = self._lookup(key, None)
            if entry is None:
                await self._rendering[(key, version)].wait()
                entry = self._lookup(key, version)
        if entry is not None:
            if entry.etag is not None and entry.etag in _tags(headers.get(b"if-none-match", b"")):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 304,
                        "headers": _without_body_headers(entry.headers),
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
            await send({"type": "http.response.start", "status": entry.status, "headers": entry.headers})
            await send({"type": "http.response.body", "body": entry.body})
            return
        done = self._rendering.setdefault((key, version), asyncio.Event())
        try:
            await self._render(scope, receive, send, key, version)
        finally:
            done.set()
            self._rendering.pop((key, version), None)

    def _lookup(self, key: bytes, version: str | None) -> Entry | None:
        """The stored answer for `key` at `version` (None: at whatever version it was stored)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and version in (None, entry.version):
                self._entries.move_to_end(key)
                return entry
        return None

    async def _render(self, scope: Scope, receive: Receive, send: Send, key: bytes, version: str) -> None:
        captured: dict[str, Any] = {"body": []}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured["body"].append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        if captured.get("status") == 200 and _shareable(captured["headers"]):
            response_headers = captured["headers"]
            etag = next((v for k, v in response_headers if k.lower() == b"etag"), None)
            stored = Entry(version, 200, response_headers, b"".join(captured["body"]), etag)
            if len(stored.body) > self.max_bytes // 8:
                return
            with self._lock:
                old = self._entries.pop(key, None)
                if old is not None:
                    self.bytes -= len(old.body)
                self._entries[key] = stored
                self.bytes += len(stored.body)
                while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
                    _key_dropped, dropped = self._entries.popitem(last=False)
                    self.bytes -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._entries)


def _key(scope: Scope, headers: dict[bytes, bytes], known: frozenset[str] | None = None) -> bytes:
    """Path, the query parameters a route reads (all of them when `known` is None) and the
    (already allowed) host: nothing else a client sends changes a public answer, since links are
    built on the configured base URL and the routes ignore other parameters. The host is kept
    anyway, so no code that ever reads it could serve one host's answer to another."""
    host = headers.get(b"host", b"").lower()
    path: str = scope["path"]
    query: bytes = scope.get("query_string", b"")
    if known is not None:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        query = urlencode([(k, v) for k, v in pairs if k in known]).encode("latin-1")
    return host + b"\x00" + path.encode() + b"?" + query


def _shareable(headers: list[tuple[bytes, bytes]]) -> bool:
    """A response that sets a cookie, says it varies with request headers, or may not be stored
    (`no-store`: a page with a form token) is one client's."""
    return not any(
        k.lower() in (b"set-cookie", b"vary") or (k.lower() == b"cache-control" and b"no-store" in v.lower())
        for k, v in headers
    )


def _tags(header: bytes) -> set[bytes]:
    return {t.strip() for t in header.split(b",") if t.strip()}


def _without_body_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"content-type")]
