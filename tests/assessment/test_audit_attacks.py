"""The attacks of issue 21, item 11, each written as the attacker would make it, against a store
whose history holds evidence, judgements, users and two publications: `openpeel audit verify`
exits 1 naming what it found, on SQLite and PostgreSQL, with nothing kept by the user beyond
what openpeel writes on its own (the head log in the home folder). An untouched store exits 0.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import duckdb
import pytest
import sqlalchemy as sa
from tests.assessment.test_audit import busy_history
from tests.assessment.test_audit_head_log import _publish, home_head_log
from tests.assessment.test_audit_verify import _verify
from tests.assessment.test_publication_verify import _open_tables
from tests.conftest import TEST_AUDIT_KEY

from openpeel.assessment.judgements import override
from openpeel.store import Store, open_store
from openpeel.store.audit import (
    ENTITIES,
    entity_columns,
    event_content,
    events,
    keyed_hash,
    replay,
    typed_values,
)
from openpeel.store.keys import key_id
from openpeel.store.publications import (
    publications,
    report_versions,
    row_mac,
)
from openpeel.store.schema import sa_table
from openpeel.store.user_audit import replay_users
from openpeel.store.verify import verify_store
from openpeel.web.users import add_user, disable_user, set_role

# Whole commands or national runs, seconds each: left to the full run (`make test-fast` skips them).
pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery"
OTHER_KEY = "a-key-the-attacker-made-0123456789abcdef"


@pytest.fixture
def history(db: duckdb.DuckDBPyConnection, store: Store) -> Iterator[Store]:
    """Evidence and judgements, a publication, users added, a role changed, an account disabled,
    another override and a second publication; the store opened as a command opens it, with the
    head log in the home folder."""
    logged = open_store(store.url, audit_key=TEST_AUDIT_KEY, head_log=home_head_log())
    with logged.write() as ws:
        busy_history(db, ws)
        _publish(ws, 1)
    with logged.write() as ws:
        add_user(ws, "ivy", PASSWORD, "inspector", by="ada")
        add_user(ws, "vic", PASSWORD, "viewer", by="ada")
        set_role(ws, "vic", "moderator", by="ada", reason="covering for mo")
        disable_user(ws, "vic", by="ada")
        override(ws, "cumbria", 2015, "preventing-crime", "inadequate", by="frank", reason="Second look")
        _publish(ws, 2)
    yield logged
    logged.dispose()


def _restore_tables(ws: sa.Connection) -> None:
    """Set inspections, findings, judgements and users back to what the audit log replays."""
    state = replay(ws)
    users, _ = replay_users(ws)
    for entity in ("judgement", "finding", "inspection"):
        ws.execute(sa.delete(sa_table(ENTITIES[entity].table)))
    for entity in ("inspection", "finding", "judgement"):
        columns = entity_columns(entity)
        for snapshot in state[entity].values():
            values = dict(zip(columns, typed_values(entity, snapshot), strict=True))
            ws.execute(sa.insert(sa_table(ENTITIES[entity].table)).values(**values))
    table = sa_table("web_users")
    ws.execute(sa.delete(sa_table("web_sessions")))
    for name in {r[0] for r in ws.execute(sa.select(table.c.username))} - set(users):
        ws.execute(sa.delete(table).where(table.c.username == name))


def test_an_untouched_store_verifies(history: Store) -> None:
    lines = home_head_log().read_text().splitlines()
    assert [json.loads(line)["what"] for line in lines] == ["publication 1", "publication 2"]
    code, output = _verify(history)
    assert code == 0, output
    assert "head log" in output and "2 line(s)" in output


def test_a_rollback_of_the_last_ten_events_is_caught(history: Store) -> None:
    with history.read() as ws:
        last = events(ws)[-1].event_id
    with history.write() as ws:
        _open_tables(ws)
        ws.execute(sa.text(f"DELETE FROM as_audit_events WHERE event_id > {last - 10}"))
        kept = {int(e.entity_id) for e in events(ws, entities=["publication"])}
        for pub in publications(ws):
            if pub.publication_id not in kept:
                ws.execute(
                    sa.text(f"DELETE FROM pb_report_versions WHERE publication_id = {pub.publication_id}")
                )
                ws.execute(
                    sa.text(f"DELETE FROM pb_publications WHERE publication_id = {pub.publication_id}")
                )
        _restore_tables(ws)
    # The rollback is consistent: the database alone no longer shows it.
    with open_store(history.url, audit_key=TEST_AUDIT_KEY).read() as ws:
        assert verify_store(ws).ok
    code, output = _verify(history)
    assert code == 1
    assert (
        f"records event {last}, but the store has no event {last} (its chain ends at event {last - 10})"
        in output
    )
    assert "events were cut from the log (a rollback or a wipe)" in output


def test_a_wipe_of_every_event_row_and_publication_is_caught(history: Store) -> None:
    with history.write() as ws:
        _open_tables(ws)
        for table in (
            "as_audit_events", "pb_report_versions", "pb_publications", "pb_blobs", "as_judgements",
            "ev_findings", "ev_inspections", "web_sessions", "web_users",
        ):  # fmt: skip
            ws.execute(sa.text(f"DELETE FROM {table}"))
    with open_store(history.url, audit_key=TEST_AUDIT_KEY).read() as ws:
        assert verify_store(ws).ok  # the database alone: 0 events, nothing to contradict
    code, output = _verify(history)
    assert code == 1
    assert "but the store has no event" in output and "it has no audit events at all" in output


def _resign(ws: sa.Connection, key: bytes) -> None:
    """What an attacker with database access and a key of their own can do: recompute every
    link, publication and report version with it, so the database is consistent under that key."""
    _open_tables(ws)
    new_hashes: dict[int, str] = {}
    prev = "0" * 64
    for event in events(ws):
        after = event.after
        if event.entity == "publication" and after is not None:
            pub = next(p for p in publications(ws) if p.publication_id == int(event.entity_id))
            head_hash = new_hashes.get(pub.head_event_id, pub.head_hash)
            fields = {**pub.signed_fields(), "head_hash": head_hash}
            mac = row_mac(key, fields)
            ws.execute(
                sa.text("UPDATE pb_publications SET head_hash = :h, mac = :m WHERE publication_id = :p"),
                {"h": head_hash, "m": mac, "p": pub.publication_id},
            )
            after = {**after, "head_hash": head_hash, "mac": mac}
            ws.execute(
                sa.text("UPDATE as_audit_events SET after_json = :a WHERE event_id = :e"),
                {"a": json.dumps(after, ensure_ascii=False), "e": event.event_id},
            )
        content = {**event_content(event), "after": after}
        new = keyed_hash(key, prev, content)
        ws.execute(
            sa.text("UPDATE as_audit_events SET prev_hash = :p, hash = :h WHERE event_id = :e"),
            {"p": prev, "h": new, "e": event.event_id},
        )
        new_hashes[event.event_id] = new
        prev = new
    for version in report_versions(ws):
        ws.execute(
            sa.text(
                "UPDATE pb_report_versions SET mac = :m WHERE force_id = :f AND year = :y AND version = :v"
            ),
            {
                "m": row_mac(key, version.signed_fields()),
                "f": version.force_id,
                "y": version.year,
                "v": version.version,
            },
        )


def test_a_chain_re_signed_with_a_new_key_is_caught(history: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    with history.write() as ws:
        _resign(ws, OTHER_KEY.encode())
    # The attacker's key in place of the store's: the database is consistent under it...
    with open_store(history.url, audit_key=OTHER_KEY).read() as ws:
        assert verify_store(ws).ok
    monkeypatch.setenv("OPENPEEL_AUDIT_KEY", OTHER_KEY)
    code, output = _verify(history)
    # ...but the head log was signed with the store's own key, and names other hashes.
    assert code == 1
    original = key_id(TEST_AUDIT_KEY.encode())
    assert (
        f"signed with key {original}, which is neither this store's key nor one its chain was rotated from"
        in output
    )
    assert "with another hash than the store's: the chain was rewritten or re-signed up to it" in output
    # With the store's own key, the chain itself fails at its first event.
    monkeypatch.setenv("OPENPEEL_AUDIT_KEY", TEST_AUDIT_KEY)
    code, output = _verify(history)
    assert code == 1 and "event 1: its content does not match its hash" in output


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        (
            "UPDATE web_users SET role = 'admin'",
            "user ivy: the row in web_users differs from the audit log (role 'admin' in the table, "
            "'inspector' in the log)",
        ),
        (
            "UPDATE web_users SET is_active = TRUE, disabled_at = NULL, disabled_by = NULL WHERE username = 'vic'",
            "user vic: the row in web_users differs from the audit log (is_active True in the table, False in the log",
        ),
        (
            "UPDATE web_users SET password_hash = 'swapped' WHERE username = 'ivy'",
            "user ivy: the row in web_users differs from the audit log (password hash: not the one the log recorded)",
        ),
        (
            "INSERT INTO web_users (username, display_name, role, password_hash, created_at, is_active) "
            "VALUES ('mallory', 'Mallory', 'admin', 'x', '2026-01-01 00:00:00', TRUE)",
            "user mallory: in web_users but not in the audit log",
        ),
        (
            "DELETE FROM web_users WHERE username = 'ivy'",
            "user ivy: in the audit log but missing from web_users",
        ),
    ],
)
def test_a_user_changed_in_the_database_is_caught(history: Store, sql: str, named: str) -> None:
    with history.write() as ws:
        ws.execute(sa.text(sql))
    code, output = _verify(history)
    assert code == 1 and named in output, output
