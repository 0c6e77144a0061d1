"""`openpeel users disable` and `openpeel users remove`: a disabled user keeps the account but
cannot sign in and loses their sessions at once; only someone who never changed anything can be
removed."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, one, sign_in
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.store import Store


def _users(web_store: Store) -> list[str]:
    with web_store.read() as ws:
        return [str(r[0]) for r in ws.execute(sa.text("SELECT username FROM web_users ORDER BY username"))]


def test_disable_ends_sessions_and_keeps_the_account(client: TestClient, web_store: Store) -> None:
    sign_in(client, "vic")
    assert client.get("/workspace").status_code == 200
    env = {"OPENPEEL_STORE": web_store.url}
    result = CliRunner(env=env).invoke(app, ["users", "disable", "vic", "--by", "ada"])
    assert result.exit_code == 0, result.output
    assert "1 session(s) ended" in result.output
    # The open session stops working at once, and the password no longer signs in.
    assert client.get("/workspace", follow_redirects=False).status_code in (303, 401, 403)
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    refused = client.post("/login", data={"username": "vic", "password": PASSWORD, "csrf_token": token})
    assert refused.status_code == 401
    row = one(web_store, "SELECT is_active, disabled_by FROM web_users WHERE username = 'vic'")
    assert row is not None and not row[0] and row[1] == "ada"
    again = CliRunner(env=env).invoke(app, ["users", "disable", "vic", "--by", "ada"])
    assert again.exit_code == 2 and "already disabled" in again.stderr


def test_remove_only_users_who_never_made_a_change(client: TestClient, web_store: Store) -> None:
    env = {"OPENPEEL_STORE": web_store.url}
    # ivy adds a finding through the workspace: her name is in the audit trail.
    csrf = sign_in(client, "ivy")
    added = client.post(
        "/workspace/2014/northamptonshire/findings",
        data={"csrf_token": csrf, "question": "tackling-asb", "inspection": "crime-inspection-2014",
              "kind": "observation", "text": "An invented observation."},
    )  # fmt: skip
    assert added.status_code == 200, added.text
    refused = CliRunner(env=env).invoke(app, ["users", "remove", "ivy"])
    assert refused.exit_code == 2 and "disable the account instead" in refused.stderr
    assert "ivy" in _users(web_store)
    removed = CliRunner(env=env).invoke(app, ["users", "remove", "mo"])
    assert removed.exit_code == 0, removed.output
    assert "mo" not in _users(web_store)
    unknown = CliRunner(env=env).invoke(app, ["users", "remove", "nobody"])
    assert unknown.exit_code == 2 and "no user 'nobody'" in unknown.stderr
