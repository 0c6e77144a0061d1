from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, one, sign_in

from openpeel.core.errors import OpenpeelError
from openpeel.core.settings import DEV_SECRET, Settings
from openpeel.store import Store
from openpeel.web.session import SESSION_COOKIE
from openpeel.web.users import add_user, authenticate


def test_passwords_are_argon2_hashes(web_store: Store) -> None:
    stored = one(web_store, "SELECT password_hash FROM web_users WHERE username = 'ivy'")
    assert stored and str(stored[0]).startswith("$argon2id$") and PASSWORD not in str(stored[0])
    with web_store.read() as ws:
        assert authenticate(ws, "ivy", PASSWORD) is not None
        assert authenticate(ws, "ivy", "wrong password!") is None
        assert authenticate(ws, "nobody", PASSWORD) is None


def test_user_rules(web_store: Store) -> None:
    with web_store.write() as ws:
        with pytest.raises(OpenpeelError, match="at least 10 characters"):
            add_user(ws, "short", "abc", "viewer")
        with pytest.raises(OpenpeelError, match="unknown role 'chief'"):
            add_user(ws, "newbie", PASSWORD, "chief")
        with pytest.raises(OpenpeelError, match="already exists"):
            add_user(ws, "ivy", PASSWORD, "viewer")


def test_session_cookie_is_httponly_and_samesite(client: TestClient) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    response = client.post(
        "/login",
        data={"username": "ivy", "password": PASSWORD, "csrf_token": token.group(1), "next": "/workspace"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/workspace"
    cookie = response.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_login_needs_its_csrf_token(client: TestClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "ivy", "password": PASSWORD})
    assert response.status_code == 403


def test_login_is_throttled(client: TestClient) -> None:
    for _ in range(3):
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        bad = client.post(
            "/login", data={"username": "mo", "password": "not the password", "csrf_token": token.group(1)}
        )
        assert bad.status_code == 401
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    blocked = client.post(
        "/login", data={"username": "mo", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0


def test_workspace_needs_sign_in(client: TestClient) -> None:
    response = client.get("/workspace", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    sign_in(client, "vic")
    assert client.get("/workspace").status_code == 200


def test_logout_needs_csrf(client: TestClient) -> None:
    csrf = sign_in(client, "ivy")
    refused = client.post("/logout", data={})
    assert refused.status_code == 403
    done = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert client.get("/workspace", follow_redirects=False).status_code == 303


def test_default_secret_refused_off_loopback() -> None:
    Settings(host="127.0.0.1").check_safe()
    Settings(host="::1").check_safe()
    with pytest.raises(OpenpeelError, match="development secret"):
        Settings(host="0.0.0.0").check_safe()
    with pytest.raises(OpenpeelError, match="OPENPEEL_BASE_URL"):
        Settings(host="0.0.0.0", secret_key="a-long-random-production-secret-value").check_safe()
    Settings(
        host="0.0.0.0",
        secret_key="a-long-random-production-secret-value",
        base_url="https://peel.example.org",
    ).check_safe()
    assert Settings().secret_key == DEV_SECRET


def test_settings_from_environment_and_toml(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OPENPEEL_PORT", "9123")
    assert Settings().port == 9123
    config = tmp_path / "openpeel.toml"
    config.write_text('host = "127.0.0.2"\nsession_hours = 2.5\n', encoding="utf-8")
    monkeypatch.setenv("OPENPEEL_CONFIG", str(config))
    settings = Settings()
    assert settings.host == "127.0.0.2" and settings.session_hours == 2.5
    config.write_text('colour = "blue"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="colour"):
        Settings()


def test_the_sign_in_token_must_be_signed_with_the_secret_key(client: TestClient) -> None:
    """Observation (issue 21): `secret_key` was checked at start-up and used nowhere. It now signs
    the sign-in form's security token: a matching cookie and form token that the server did not
    make (planted by a sibling host, or signed with another key) are refused."""
    from openpeel.web.session import LOGIN_CSRF_COOKIE, login_token, login_token_valid

    secret = client.app.state.settings.secret_key  # type: ignore[attr-defined]
    made = login_token(secret)
    assert login_token_valid(secret, made) and not login_token_valid("another-secret-0123456789", made)
    for planted in ("attacker-chosen-token", login_token("another-secret-0123456789"), "x." + "0" * 64):
        client.cookies.set(LOGIN_CSRF_COOKIE, planted)
        refused = client.post("/login", data={"username": "ivy", "password": PASSWORD, "csrf_token": planted})
        assert refused.status_code == 403 and "not this server" in refused.text
    client.cookies.clear()
    sign_in(client, "ivy")  # the server's own token still works
