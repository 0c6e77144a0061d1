"""One line on stderr per request: who asked for what, the answer's status and how long it took.

`openpeel serve` installs it unless `--quiet`. The line holds the path without its query string
(a query can carry a search term someone would not want in a log) and no header values.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class AccessLog:
    """ASGI middleware writing `CLIENT METHOD PATH STATUS MILLISECONDS ms` lines to `stream`."""

    def __init__(self, app: ASGIApp, stream: TextIO | None = None) -> None:
        self.app = app
        self.stream = stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client sees if the app fails before answering

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            client = scope.get("client")
            who = client[0] if client else "-"
            elapsed = (time.perf_counter() - started) * 1000
            stream = self.stream or sys.stderr
            stream.write(f"{who} {scope['method']} {scope['path']} {status} {elapsed:.1f} ms\n")
            stream.flush()
