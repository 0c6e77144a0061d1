"""Who a request is for and from: allowed Host names, the public base URL, the client's address.

The Host header and X-Forwarded-For are written by the client. A link built from Host points
wherever the client says (and, cached, is served to everyone else); an address taken from
X-Forwarded-For is whatever the client says. So links come from the configured base URL only,
a request for any other host is refused with 400, and X-Forwarded-For is read only when the
connection comes from a configured proxy.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Sequence
from functools import lru_cache

from fastapi import Request

from openpeel.web.errors import error_body
from openpeel.web.response_cache import ASGIApp, Receive, Scope, Send

_NAME = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?")
_IPV6 = re.compile(r"[0-9a-f:.]+")


def host_name(header: str) -> str | None:
    """'Example.org:8000' -> 'example.org'; '[::1]:8000' -> '::1'; None if it is not a host."""
    header = header.strip().lower()
    if header.startswith("["):
        name, closed, rest = header[1:].partition("]")
        valid = bool(closed) and _IPV6.fullmatch(name) is not None and rest[:1] in ("", ":")
        port = rest[1:]
    else:
        name, _, port = header.partition(":")
        valid = _NAME.fullmatch(name) is not None
    if not valid or (port and not port.isdigit()):
        return None
    return name


def is_allowed(name: str, allowed: Sequence[str]) -> bool:
    for pattern in allowed:
        if pattern == "*" or name == pattern:
            return True
        if pattern.startswith(".") and (name.endswith(pattern) or name == pattern[1:]):
            return True
    return False


class AllowedHosts:
    """ASGI middleware: 400 for a request whose Host header names a host not allowed."""

    def __init__(self, app: ASGIApp, allowed: Sequence[str]) -> None:
        self.app = app
        self.allowed = list(allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        values = [v for k, v in scope.get("headers") or [] if k == b"host"]
        name = host_name(values[0].decode("latin-1")) if len(values) == 1 else None
        if name is not None and is_allowed(name, self.allowed):
            await self.app(scope, receive, send)
            return
        await _bad_host(scope, send)


async def _bad_host(scope: Scope, send: Send) -> None:
    message = "this server does not answer for the host named in the request's Host header"
    if str(scope.get("path", "")).startswith("/api/"):
        body, media = json.dumps(error_body(400, message)).encode(), b"application/json"
    else:
        body, media = f"<!DOCTYPE html><title>400</title><h1>400</h1><p>{message}</p>".encode(), b"text/html"
    headers = [(b"content-type", media), (b"content-length", str(len(body)).encode())]
    await send(
        {"type": "http.response.start", "status": 400, "headers": [*headers, (b"cache-control", b"no-store")]}
    )
    await send({"type": "http.response.body", "body": body})


@lru_cache(maxsize=64)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _is_proxy(address: str, proxies: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(proxies))


def client_address(peer: str, forwarded_for: Sequence[str], proxies: Sequence[str]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy; then the nearest
    address in X-Forwarded-For that is not itself a trusted proxy (the ones before it are the
    client's own say, and can be anything)."""
    trusted = tuple(proxies)
    if not trusted or not _is_proxy(peer, trusted):
        return peer
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_proxy(hop, trusted):
            return hop
    return hops[0] if hops else peer


def request_address(request: Request) -> str:
    """client_address for a request, with the app's trusted_proxies setting."""
    peer = request.client.host if request.client else "unknown"
    proxies = request.app.state.settings.trusted_proxies
    return client_address(peer, request.headers.getlist("x-forwarded-for"), proxies)


def absolute_url(request: Request, path_and_query: str) -> str:
    """An absolute link to `path_and_query` on the configured public base URL, never on Host."""
    base: str = request.app.state.settings.public_base_url
    return base + path_and_query
