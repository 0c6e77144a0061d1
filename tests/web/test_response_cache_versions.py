"""How the response cache learns the data version: one read at a time, stale pages while it runs,
and never a version that may predate a write through the app."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx

from openpeel.web.response_cache import DataVersion, ResponseCache


def test_a_version_read_across_a_write_is_not_trusted() -> None:
    reads: list[str] = []
    version: DataVersion

    def read() -> str:
        reads.append("read")
        if len(reads) == 1:
            version.bump()  # a write lands while the first read is running
        return str(len(reads))

    version = DataVersion(read, ttl=60)
    version()
    assert version.fresh() is None  # the first answer was not kept
    version()
    assert version.fresh() is not None
    assert len(reads) == 2


def test_one_read_for_many_requests_and_the_last_version_serves_meanwhile() -> None:
    """Ten requests for a page whose version has gone stale: all answered from the stored page at
    once while a single slow read of the version runs; after it, the new version renders."""
    release = threading.Event()
    reads: list[float] = []
    renders: list[str] = []
    value = {"v": "1"}

    def read() -> str:
        reads.append(time.monotonic())
        if len(reads) > 1:
            release.wait(5)
        return value["v"]

    version = DataVersion(read, ttl=0.0)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        renders.append(value["v"])
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
        )
        await send({"type": "http.response.body", "body": f"version {value['v']}".encode()})

    cache = ResponseCache(app, version=version)  # type: ignore[arg-type]

    async def scenario() -> tuple[list[str], list[str]]:
        transport = httpx.ASGITransport(app=cache)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/2014/kent.html")).text == "version 1"
            value["v"] = "2"
            await asyncio.sleep(0.01)  # the version read is now stale (ttl 0)
            during = await asyncio.gather(*(client.get("/2014/kent.html") for _ in range(10)))
            release.set()
            for _ in range(100):
                await asyncio.sleep(0.01)
                if not cache._reading:
                    break
            after = await client.get("/2014/kent.html")
            return [r.text for r in during], [after.text]

    during, after = asyncio.run(scenario())
    assert during == ["version 1"] * 10
    assert len(reads) == 2  # the first page's read, and one re-read for all ten
    assert after == ["version 2"]
    assert renders == ["1", "2"]


def test_after_a_write_through_the_app_requests_wait_for_the_new_version() -> None:
    value = {"v": "1"}
    version = DataVersion(lambda: value["v"], ttl=60)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
        )
        await send({"type": "http.response.body", "body": f"version {value['v']}".encode()})

    cache = ResponseCache(app, version=version)  # type: ignore[arg-type]

    async def scenario() -> list[str]:
        transport = httpx.ASGITransport(app=cache)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            first = (await client.get("/index.html")).text
            value["v"] = "2"
            version.bump()
            second = (await client.get("/index.html")).text
            return [first, second]

    assert asyncio.run(scenario()) == ["version 1", "version 2"]
