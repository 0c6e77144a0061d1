"""Security headers on every response, no caching of private pages, and safe redirect targets.

The Content-Security-Policy allows scripts from this origin only, plus the inline scripts that
ship in openpeel's own templates, by their SHA-256 hashes (computed from the template files at
start-up, so a script injected into a page by any other means does not run). Styles may be inline
(the reports' charts and templates use style attributes); nothing may frame the pages.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from openpeel.web.response_cache import ASGIApp, Message, Receive, Scope, Send

TEMPLATE_PACKAGES = ("openpeel.publish", "openpeel.web")
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
PRIVATE = re.compile(r"^/(workspace|login|logout)(/|$)")
"""Pages for one signed-in person (or the sign-in form): never stored by a browser or proxy."""

FIXED_HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def _template_texts() -> Iterable[str]:
    for package in TEMPLATE_PACKAGES:
        folder = resources.files(package).joinpath("templates")
        for entry in folder.iterdir():
            if entry.name.endswith(".j2"):
                yield entry.read_text(encoding="utf-8")


@cache
def inline_script_hashes() -> tuple[str, ...]:
    """CSP sources ('sha256-...') of every inline script in the shipped templates.

    A script holding template syntax would differ once rendered, so none may: the test suite
    checks that every inline script of every page served is among these hashes.
    """
    out = set()
    for text in _template_texts():
        for script in _INLINE_SCRIPT.findall(text):
            if "{{" in script or "{%" in script:
                raise ValueError("an inline <script> in a template must not contain template syntax")
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            out.add(f"'sha256-{digest}'")
    return tuple(sorted(out))


def content_security_policy() -> str:
    scripts = " ".join(("'self'", *inline_script_hashes()))
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def _unsafe_header(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(any(c in value for c in b"\r\n\x00") for _, value in headers)


class SecurityHeaders:
    """ASGI middleware adding the security headers; private pages get `Cache-Control: no-store`.

    A response whose headers hold a CR, LF or NUL (a redirect to a URL built from input, say) is
    replaced by a 400: sent as is, it would split the response or make the server fail.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.csp = content_security_policy().encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = PRIVATE.match(scope["path"]) is not None
        replaced = False

        async def send_secured(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if _unsafe_header(headers):
                    replaced = True
                    message = _bad_request_start()
                    headers = list(message["headers"])
                message["headers"] = self._secured(headers, private)
            elif replaced:
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": _BAD_REQUEST_BODY}
            await send(message)

        await self.app(scope, receive, send_secured)

    def _secured(self, headers: list[tuple[bytes, bytes]], private: bool) -> list[tuple[bytes, bytes]]:
        names = {k.lower() for k, _ in headers}
        out = [(k, v) for k, v in headers if not (private and k.lower() == b"cache-control")]
        out += [(k, v) for k, v in FIXED_HEADERS if k not in names]
        if b"content-security-policy" not in names:
            out.append((b"content-security-policy", self.csp))
        if private:
            out.append((b"cache-control", b"no-store"))
        return out


_BAD_REQUEST_BODY = (
    b"<!DOCTYPE html><title>400</title><h1>400</h1><p>The request asked for an unsafe address.</p>"
)


def _bad_request_start() -> Message:
    return {
        "type": "http.response.start",
        "status": 400,
        "headers": [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", str(len(_BAD_REQUEST_BODY)).encode()),
        ],
    }


def safe_next(target: str, default: str = "/workspace") -> str:
    """A same-site path to go to after signing in; anything else (another host, a scheme, a
    backslash that browsers read as a slash, control characters) gives `default`."""
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ord(c) < 32 or ord(c) == 127 or c == "\\" for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
