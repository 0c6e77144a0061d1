"""Workspace users are audited: adding one, changing a role, disabling and removing are events in
the chain that `openpeel audit verify` replays against `web_users`, on SQLite and PostgreSQL;
users from before are recorded as they stood when the store is upgraded."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.conftest import TEST_AUDIT_KEY
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.core.errors import OpenpeelError
from openpeel.store import Store, open_store
from openpeel.store.audit import events
from openpeel.store.migrate import upgrade
from openpeel.store.verify import verify_store
from openpeel.web.users import set_role

PASSWORD = "correct horse battery"


def cli(store: Store, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner(env={"OPENPEEL_STORE": store.url}).invoke(app, list(args), input=stdin)
    return result.exit_code, result.output + result.stderr


def user_events(store: Store) -> list[tuple[str, str, str]]:
    with store.read() as ws:
        return [(e.action, e.entity_id, e.actor) for e in events(ws, entities=["user"])]


def verified(store: Store) -> None:
    code, output = cli(store, "audit", "verify")
    assert code == 0, output


def test_every_change_to_a_user_is_an_event_verify_replays(store: Store) -> None:
    add = ["users", "add", "--password-stdin", "--by", "ada"]
    assert cli(store, *add, "ivy", "--role", "inspector", stdin=PASSWORD + "\n")[0] == 0
    assert cli(store, *add, "mo", "--role", "moderator", stdin=PASSWORD + "\n")[0] == 0
    code, output = cli(store, "users", "role", "ivy", "lead-inspector", "--by", "ada", "--reason", "promoted")
    assert code == 0 and "ivy is now lead-inspector" in output
    assert cli(store, "users", "role", "ivy", "lead-inspector", "--by", "ada")[1].startswith(
        "ivy was already"
    )
    assert cli(store, "users", "disable", "ivy", "--by", "ada")[0] == 0
    assert cli(store, "users", "remove", "mo", "--by", "ada")[0] == 0
    assert user_events(store) == [
        ("add-user", "ivy", "ada"),
        ("add-user", "mo", "ada"),
        ("set-role", "ivy", "ada"),
        ("disable-user", "ivy", "ada"),
        ("remove-user", "mo", "ada"),
    ]
    with store.read() as ws:
        role = next(e for e in events(ws, entities=["user"]) if e.action == "set-role")
    assert role.reason == "promoted" and role.changed_fields() == ["role"]
    assert "password_hash" not in (role.after or {}), "the audit trail keeps a fingerprint, not the hash"
    verified(store)


def test_a_user_added_in_the_database_is_named_and_can_be_adopted(store: Store) -> None:
    with store.write() as ws:
        ws.execute(
            sa.text(
                "INSERT INTO web_users (username, display_name, role, password_hash, created_at, is_active) "
                "VALUES ('old', 'Old', 'viewer', 'x', '2020-01-01 00:00:00', TRUE)"
            )
        )
    code, output = cli(store, "audit", "verify")
    assert code == 1 and "user old: in web_users but not in the audit log" in output
    with pytest.raises(OpenpeelError, match="users adopt"), store.write() as ws:
        set_role(ws, "old", "admin", by="ada")
    code, output = cli(store, "users", "adopt", "--by", "ada")
    assert code == 0 and "recorded 1 user(s): old" in output
    assert user_events(store) == [("adopt-user", "old", "ada")]
    verified(store)


def test_users_from_before_are_recorded_at_the_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'workspace.sqlite'}"
    old = open_store(url, audit_key=TEST_AUDIT_KEY, upgrade=False)
    upgrade(old, "0004")
    with old.write() as ws:
        for name, role in (("ada", "admin"), ("vic", "viewer")):
            ws.execute(
                sa.text(
                    "INSERT INTO web_users (username, display_name, role, password_hash, created_at, is_active) "
                    f"VALUES ('{name}', '{name.title()}', '{role}', 'x', '2020-01-01 00:00:00', TRUE)"
                )
            )
    old.dispose()
    store = open_store(url, audit_key=TEST_AUDIT_KEY)
    try:
        assert user_events(store) == [
            ("adopt-user", "ada", "openpeel upgrade"),
            ("adopt-user", "vic", "openpeel upgrade"),
        ]
        with store.read() as ws:
            assert verify_store(ws).ok
        with store.write() as ws:
            assert set_role(ws, "vic", "inspector", by="ada")
        with store.write() as ws:
            ws.execute(sa.text("UPDATE web_users SET role = 'admin' WHERE username = 'vic'"))
        with store.read() as ws:
            problems = verify_store(ws).problems
        assert problems == [
            "user vic: the row in web_users differs from the audit log (role 'admin' in the table, "
            "'inspector' in the log)"
        ]
    finally:
        store.dispose()
