"""An ASGI middleware that serves repeated anonymous GETs of reports and the API from memory.

A cached response is reused while the data version the app reports is unchanged (see
`DataVersion`). ETags are kept, so a client's If-None-Match still gets a 304. Requests with a
session cookie or an Authorization header are never answered from, or stored in, the cache, and
neither are responses that set a cookie.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Public, anonymous pages and API responses; never the workspace or the sign-in form.
CACHED = re.compile(r"^/(api/v1/|\d{4}/|forces/|index\.html$|methodology\.html$|data-dictionary\.html$)")
SESSION_COOKIE_NAME = b"openpeel_session"


class DataVersion:
    """What cached pages depend on: a counter bumped by every write through the app, plus the
    warehouse's own version, re-read at most once per `ttl` seconds so a change made by another
    process (the CLI) shows within that time."""

    def __init__(self, read: Callable[[], str], ttl: float = 1.0) -> None:
        self._read = read
        self.ttl = ttl
        self.writes = 0
        self._db = ""
        self._db_at = -1e9
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self.writes += 1
            self._db_at = -1e9

    def __call__(self) -> str:
        now = time.monotonic()
        if now - self._db_at > self.ttl:
            value = self._read()
            with self._lock:
                self._db, self._db_at = value, now
        return f"{self.writes}|{self._db}"


@dataclass(frozen=True)
class Entry:
    version: str
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes | None


class ResponseCache:
    def __init__(self, app: ASGIApp, version: Callable[[], str], max_entries: int = 2048) -> None:
        self.app = app
        self.version = version
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, Entry] = OrderedDict()
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not CACHED.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if SESSION_COOKIE_NAME in headers.get(b"cookie", b"") or b"authorization" in headers:
            await self.app(scope, receive, send)
            return
        key = _key(scope, headers)
        version = self.version()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.version == version:
                self._entries.move_to_end(key)
            else:
                entry = None
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
            with self._lock:
                self._entries[key] = stored
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)


def _key(scope: Scope, headers: dict[bytes, bytes]) -> bytes:
    """Path, query and the (already allowed) host: nothing else a client sends changes a public
    answer, since links are built on the configured base URL. The host is kept anyway, so no code
    that ever reads it could serve one host's answer to another."""
    host = headers.get(b"host", b"").lower()
    path: str = scope["path"]
    query: bytes = scope.get("query_string", b"")
    return host + b"\x00" + path.encode() + b"?" + query


def _shareable(headers: list[tuple[bytes, bytes]]) -> bool:
    """A response that sets a cookie, or says it varies with request headers, is one client's."""
    return not any(k.lower() in (b"set-cookie", b"vary") for k, _ in headers)


def _tags(header: bytes) -> set[bytes]:
    return {t.strip() for t in header.split(b",") if t.strip()}


def _without_body_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"content-type")]
