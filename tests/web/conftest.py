from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from fastapi.testclient import TestClient

from openpeel.pipeline import prepare_warehouse
from openpeel.warehouse import connect
from openpeel.web.app import create_app
from openpeel.web.settings import Settings
from openpeel.web.users import add_user

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def web_con() -> duckdb.DuckDBPyConnection:
    con = connect(":memory:")
    prepare_warehouse(con, None, with_evidence=True)
    for name, role in [
        ("ivy", "inspector"),
        ("lee", "lead-inspector"),
        ("mo", "moderator"),
        ("vic", "viewer"),
        ("ada", "admin"),
    ]:
        add_user(con, name, PASSWORD, role, name.capitalize())
    return con


@pytest.fixture
def client(web_con: duckdb.DuckDBPyConnection) -> Iterator[TestClient]:
    app = create_app(Settings(login_attempts=3, login_window_seconds=60), web_con)
    with TestClient(app) as c:
        yield c


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the real form; returns the session's CSRF token for later posts."""
    import re

    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token.group(1), "next": "/workspace"},
    )
    assert response.status_code == 200, response.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert csrf
    return csrf.group(1)
