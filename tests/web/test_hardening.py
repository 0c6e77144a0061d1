"""The web app under attack: headers, Host and cache poisoning, redirects, sign-in guessing, docs offline."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, app_for

from openpeel.core.settings import Settings
from openpeel.web import workspace
from openpeel.web.hosts import client_address, host_name, is_allowed
from openpeel.web.ratelimit import ADDRESS_ALLOWANCE_FACTOR, LoginThrottle
from openpeel.web.security import SecurityHeaders, safe_next

PUBLIC = [
    "/",
    "/index.html",
    "/2014/index.html",
    "/2014/northamptonshire.html",
    "/forces/kent.html",
    "/api/v1/forces",
    "/api/v1/forces?format=csv",
    "/api/v1/forces/nowhere",
    "/no/such/page",
    "/openapi.json",
    "/docs",
    "/docs/init.js",
    "/docs/assets/swagger-ui-bundle.js",
    "/login",
    "/workspace",
]


def login_token(client: TestClient) -> str:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    return token.group(1)


def try_password(client: TestClient, username: str, password: str, **extra: str) -> httpx.Response:
    data = {"username": username, "password": password, "csrf_token": login_token(client), **extra}
    return client.post("/login", data=data, follow_redirects=False)


def assert_secured(response: httpx.Response) -> None:
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    script_src = next(p for p in csp.split("; ") if p.startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("path", PUBLIC)
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code < 500
    assert_secured(response)


def test_security_headers_on_cached_and_refused_responses(client: TestClient) -> None:
    for _ in range(2):  # the second answer comes from the response cache
        assert_secured(client.get("/2014/kent.html"))
    assert_secured(client.get("/2014/kent.html", headers={"host": "evil.example"}))


def test_every_inline_script_served_is_allowed_by_its_hash_and_no_other(client: TestClient) -> None:
    page = client.get("/2014/index.html")
    scripts = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
    assert scripts, "the overview's sorting script is inline"
    csp = page.headers["content-security-policy"]
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    injected = base64.b64encode(hashlib.sha256(b"alert(1)").digest()).decode()
    assert injected not in csp


def test_workspace_and_sign_in_are_never_stored(client: TestClient) -> None:
    assert client.get("/login").headers["cache-control"] == "no-store"
    response = try_password(client, "vic", PASSWORD)
    assert response.status_code == 303 and response.headers["cache-control"] == "no-store"
    for path in ("/workspace", "/workspace/2014/kent"):
        page = client.get(path)
        assert page.status_code == 200 and page.headers.get_list("cache-control") == ["no-store"]
    assert client.get("/2014/kent.html").headers["cache-control"].startswith("public")


def test_request_for_another_host_is_refused(client: TestClient) -> None:
    for path in ("/api/v1/forces", "/", "/2014/kent.html"):
        refused = client.get(path, headers={"host": "evil.example"})
        assert refused.status_code == 400, path
    api = client.get("/api/v1/forces", headers={"host": "evil.example"}).json()
    assert api["error"]["status"] == 400 and api["error"]["code"] == "bad_request"
    assert client.get("/api/v1/forces", headers={"host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/api/v1/forces", headers={"host": "localhost"}).status_code == 200


def test_host_parsing_and_patterns() -> None:
    assert host_name("Example.ORG:8000") == "example.org" and host_name("[::1]:8000") == "::1"
    for bad in ("", "evil.example@x", "a b", "x:y", "[::1", "ex/ample", "exa\r\nmple"):
        assert host_name(bad) is None, bad
    assert is_allowed("www.example.org", [".example.org"]) and is_allowed("example.org", [".example.org"])
    assert not is_allowed("evil-example.org", [".example.org"]) and is_allowed("x", ["*"])


def _client(web_home: Path, **settings: Any) -> TestClient:
    return TestClient(app_for(web_home, **settings))


def test_next_links_come_from_the_base_url_and_cannot_be_poisoned(web_home: Path) -> None:
    with _client(
        web_home, allowed_hosts=["a.example", "b.example"], base_url="https://peel.example.org/"
    ) as client:
        url = "/api/v1/forces?limit=10"
        assert client.get(url, headers={"host": "evil.example"}).status_code == 400
        first = client.get(url, headers={"host": "a.example"})
        second = client.get(url, headers={"host": "b.example"})  # from the cache
        assert first.content == second.content
        assert first.json()["meta"]["next"] == "https://peel.example.org/api/v1/forces?offset=10&limit=10"
        assert "a.example" not in first.text and "evil" not in second.text


def test_default_next_link_is_this_servers_address(client: TestClient) -> None:
    body = client.get("/api/v1/forces?limit=10", headers={"host": "localhost:1234"}).json()
    assert body["meta"]["next"] == "http://127.0.0.1:8000/api/v1/forces?offset=10&limit=10"


def test_settings_lists_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENPEEL_ALLOWED_HOSTS", "peel.example.org, .internal.example")
    monkeypatch.setenv("OPENPEEL_TRUSTED_PROXIES", "10.0.0.0/8,::1")
    monkeypatch.setenv("OPENPEEL_BASE_URL", "https://peel.example.org")
    settings = Settings()
    assert settings.allowed_hosts == ["peel.example.org", ".internal.example"]
    assert settings.trusted_proxies == ["10.0.0.0/8", "::1"]
    assert settings.hosts_allowed() == [".internal.example", "peel.example.org"]
    monkeypatch.setenv("OPENPEEL_TRUSTED_PROXIES", "proxy.example")
    with pytest.raises(ValueError, match="not an IP address or network"):
        Settings()
    monkeypatch.delenv("OPENPEEL_TRUSTED_PROXIES")
    monkeypatch.setenv("OPENPEEL_BASE_URL", "peel.example.org")
    with pytest.raises(ValueError, match="must be http"):
        Settings()


def test_docs_work_offline_from_local_files(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert urls and all(u.startswith("/") for u in urls), urls  # nothing from another host
    assert "<script>" not in page.text  # no inline script: the CSP would block it
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200 and asset.content, url
    assert "SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").text
    assert '"/openapi.json"' in client.get("/docs/init.js").text
    assert client.get("/redoc").status_code == 404


def test_safe_next() -> None:
    for bad in (
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
        "/a\r\nSet-Cookie: x=1",
        "x",
        "",
    ):
        assert safe_next(bad) == "/workspace", bad
    assert safe_next("/workspace/2014/kent?done=1") == "/workspace/2014/kent?done=1"


def test_crlf_in_redirects_is_never_sent(client: TestClient) -> None:
    for path in ("/reports/2014/kent%0d%0aSet-Cookie:%20x=1", "/workspace/2014/kent%0d%0aSet-Cookie:%20x=1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code in (303, 308, 400), path
        assert "x=1" not in response.headers.get("set-cookie", "")
        assert all("\r" not in v and "\n" not in v for v in response.headers.values())
    login = try_password(client, "vic", PASSWORD, next="/x\r\nSet-Cookie: x=1")
    assert login.status_code == 303 and login.headers["location"] == "/workspace"


def test_header_with_a_line_break_becomes_a_400() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 302, "headers": [(b"location", b"/a\r\nX: y")]})
        await send({"type": "http.response.body", "body": b""})

    response = TestClient(SecurityHeaders(app)).get("/", follow_redirects=False)  # type: ignore[arg-type]
    assert response.status_code == 400 and "location" not in response.headers


@pytest.fixture
def live_server(web_home: Path) -> Iterator[int]:
    """The app behind a real uvicorn (h11 checks every header it is asked to send)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app_for(web_home), port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield port
    server.should_exit = True
    thread.join(5)


def test_crlf_redirect_over_real_http(live_server: int) -> None:
    with socket.create_connection(("127.0.0.1", live_server), timeout=5) as sock:
        sock.sendall(b"GET /reports/2014/kent%0d%0aSet-Cookie:%20x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        head = sock.recv(65536).split(b"\r\n\r\n")[0].decode("latin-1")
    status = head.split("\r\n")[0]
    assert status.startswith("HTTP/1.1 308") or status.startswith("HTTP/1.1 400"), head
    assert "set-cookie: x=1" not in head.lower()


def test_an_attackers_failures_do_not_lock_out_the_owner(web_home: Path) -> None:
    app = app_for(web_home, login_attempts=3)
    with TestClient(app, client=("203.0.113.9", 4000)) as attacker:
        for _ in range(3):
            assert try_password(attacker, "mo", "not the password").status_code == 401
        blocked = try_password(attacker, "mo", PASSWORD)
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
        # A new X-Forwarded-For per try changes nothing: no proxy is trusted.
        spoofed = try_password(attacker, "mo", PASSWORD, **{})
        assert spoofed.status_code == 429
        attacker.headers["x-forwarded-for"] = "198.51.100.77"
        assert try_password(attacker, "mo", PASSWORD).status_code == 429
    with TestClient(app, client=("192.0.2.1", 5000)) as owner:
        assert try_password(owner, "mo", PASSWORD).status_code == 303


def test_forwarded_for_is_read_only_from_trusted_proxies(web_home: Path) -> None:
    assert client_address("203.0.113.9", ["198.51.100.1"], []) == "203.0.113.9"
    assert client_address("203.0.113.9", ["198.51.100.1"], ["10.0.0.0/8"]) == "203.0.113.9"
    assert client_address("10.0.0.5", ["1.1.1.1, 198.51.100.1"], ["10.0.0.0/8"]) == "198.51.100.1"
    assert client_address("10.0.0.5", ["198.51.100.1, 10.0.0.7"], ["10.0.0.0/8"]) == "198.51.100.1"
    app = app_for(web_home, login_attempts=2, trusted_proxies=["10.0.0.1"])
    with TestClient(app, client=("10.0.0.1", 4000)) as proxy:
        # Not the address of the test above: the store keeps its counts for every app instance.
        proxy.headers["x-forwarded-for"] = "203.0.113.10"
        for _ in range(2):
            assert try_password(proxy, "mo", "not the password").status_code == 401
        assert try_password(proxy, "mo", PASSWORD).status_code == 429
        # Another client behind the same proxy is someone else.
        proxy.headers["x-forwarded-for"] = "192.0.2.1"
        assert try_password(proxy, "mo", PASSWORD).status_code == 303


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_backoff_doubles_is_capped_and_is_forgotten() -> None:
    throttle = LoginThrottle(3, window=600, max_backoff=30)
    clock = throttle.clock = FakeClock()
    waits = []
    for _ in range(9):
        throttle.failed("mo", "a")
        waits.append(throttle.retry_after("mo", "a"))
    assert waits == [0, 0, 1, 2, 4, 8, 16, 30, 30]
    assert throttle.retry_after("mo", "b") == 0  # the owner elsewhere
    clock.now += 29.5
    assert throttle.retry_after("mo", "a") == 1
    clock.now += 601
    assert throttle.retry_after("mo", "a") == 0


def test_address_trying_many_accounts_is_slowed_and_success_does_not_reset_it() -> None:
    throttle = LoginThrottle(3, window=600)
    throttle.clock = FakeClock()
    allowance = 3 * ADDRESS_ALLOWANCE_FACTOR
    for i in range(allowance):
        throttle.failed(f"user{i}", "a")
    assert throttle.retry_after("someone-new", "a") >= 1
    throttle.succeeded("own-account", "a")
    assert throttle.retry_after("someone-new", "a") >= 1
    assert throttle.retry_after("someone-new", "b") == 0


def test_throttle_memory_is_bounded() -> None:
    throttle = LoginThrottle(3, window=600, max_tracked=100)
    for i in range(1000):
        throttle.failed(f"invented{i}", "a")
    assert throttle.counts.size() <= 100
    assert throttle.retry_after("anyone", "a") >= 1  # the flooding address stays slowed


@pytest.mark.slow
def test_password_hashing_does_not_stall_other_requests(
    web_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = workspace.authenticate

    def slow_authenticate(*args: Any) -> Any:
        time.sleep(1.0)  # a slow argon2 check
        return real(*args)

    monkeypatch.setattr(workspace, "authenticate", slow_authenticate)
    app = app_for(web_home)

    async def scenario() -> tuple[float, bool]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            page = await c.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token
            data = {"username": "vic", "password": PASSWORD, "csrf_token": token.group(1)}
            login = asyncio.create_task(c.post("/login", data=data))
            await asyncio.sleep(0.2)
            start = time.perf_counter()
            other = await c.get("/api/v1/forces")
            elapsed = time.perf_counter() - start
            assert other.status_code == 200
            pending = not login.done()
            assert (await login).status_code == 303
            return elapsed, pending

    elapsed, pending = asyncio.run(scenario())
    assert pending and elapsed < 0.5


def test_response_cache_keeps_hosts_apart_and_never_stores_a_cookie() -> None:
    from openpeel.web.response_cache import DataVersion, ResponseCache

    calls: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        host = dict(scope["headers"]).get(b"host", b"")
        calls.append(host)
        headers = [(b"content-type", b"text/plain")]
        if scope["path"].endswith("cookie.html"):
            headers.append((b"set-cookie", b"a=1"))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"for " + host})

    client = TestClient(ResponseCache(app, version=DataVersion(lambda: "1")))  # type: ignore[arg-type]
    assert client.get("/2014/kent.html", headers={"host": "a.example"}).text == "for a.example"
    assert client.get("/2014/kent.html", headers={"host": "b.example"}).text == "for b.example"
    assert client.get("/2014/kent.html", headers={"host": "a.example"}).text == "for a.example"
    assert calls == [b"a.example", b"b.example"]
    client.get("/2014/cookie.html")
    client.get("/2014/cookie.html")
    client.get("/2014/kent.html", headers={"host": "a.example", "authorization": "Bearer x"})
    assert len(calls) == 5


def test_every_page_holding_a_csrf_token_is_never_stored(client: TestClient) -> None:
    """Observation (issue 21): the signed-in home page carried the CSRF token without no-store."""
    anonymous = client.get("/")
    assert 'name="csrf_token"' not in anonymous.text
    try_password(client, "ivy", PASSWORD)
    # A finding's edit form: the first finding the force's workspace page links to.
    force_page = "/workspace/2014/northamptonshire"
    finding = re.search(rf'href="({force_page}/findings/[a-z0-9-]+)"', client.get(force_page).text)
    assert finding
    pages = ("/", "/workspace", force_page, finding.group(1))
    for path in pages:
        page = client.get(path)
        assert page.status_code == 200 and 'name="csrf_token"' in page.text, path
        assert page.headers.get_list("cache-control") == ["no-store"], path
    client.cookies.clear()
    login = client.get("/login")
    assert 'name="csrf_token"' in login.text and login.headers["cache-control"] == "no-store"


@pytest.mark.slow
def test_junk_query_strings_do_not_grow_the_response_cache(web_home: Path) -> None:
    """Observation (issue 21): junk query strings grew the cache by about 0.8 GB. The cache keys on
    the query parameters some route reads, and is bounded in entries and bytes."""
    from openpeel.web.response_cache import ResponseCache

    app = app_for(web_home)
    with TestClient(app) as client:
        assert client.get("/2014/kent.html").status_code == 200
        cache = next(m for m in _middlewares(app) if isinstance(m, ResponseCache))
        before, size = len(cache), cache.bytes
        for n in range(300):
            assert client.get(f"/2014/kent.html?junk={n}&x{n}=1").status_code == 200
            assert client.get("/api/v1/forces", params={"limit": 5, f"junk{n}": "y" * 100}).status_code == 200
        assert len(cache) == before + 1  # the one API page, whatever junk came with it
        assert cache.bytes < size + 20_000
        # A parameter a route reads still makes its own entry.
        client.get("/api/v1/forces", params={"limit": 6})
        assert len(cache) == before + 2


def _middlewares(app: Any) -> list[Any]:
    found, layer = [], app.middleware_stack
    while layer is not None:
        found.append(layer)
        layer = getattr(layer, "app", None)
    return found


def test_the_response_cache_is_bounded_in_bytes_and_entries() -> None:
    from openpeel.web.response_cache import DataVersion, ResponseCache

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
        )
        await send({"type": "http.response.body", "body": b"x" * 1000})

    cache = ResponseCache(app, version=DataVersion(lambda: "1"), max_entries=50, max_bytes=20_000)  # type: ignore[arg-type]
    client = TestClient(cache)  # type: ignore[arg-type]
    for n in range(100):
        client.get(f"/api/v1/forces?limit={n + 1}")
    assert cache.bytes <= 20_000 and len(cache) == 20
    small = ResponseCache(app, version=DataVersion(lambda: "1"), max_entries=10)  # type: ignore[arg-type]
    small_client = TestClient(small)  # type: ignore[arg-type]
    for n in range(30):
        small_client.get(f"/api/v1/forces?limit={n + 1}")
    assert len(small) == 10
