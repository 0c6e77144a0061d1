"""`openpeel audit verify` against an attacker with write access to the database (but not the
audit key): each tampering is caught and named; an untouched store verifies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.assessment.test_audit import NORTHANTS_2014, tamper
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.core.errors import OpenpeelError
from openpeel.evidence.store import import_paths
from openpeel.store import Store, open_store
from openpeel.store.audit import event_content, events, plain_hash, verify_chain
from openpeel.store.verify import verify_store


def _verify(store: Store, *heads: Path) -> tuple[int, str]:
    env = {"OPENPEEL_STORE": store.url}
    args = ["audit", "verify", *[a for h in heads for a in ("--head", str(h))]]
    result = CliRunner(env=env).invoke(app, args)
    return result.exit_code, result.output + result.stderr


def _recompute_plain_hashes(ws: sa.Connection, start: int) -> None:
    """What an attacker without the key can do after rewriting an event: relink the chain from
    `start` on with plain SHA-256, so every stored hash matches its (rewritten) content."""
    found = events(ws)
    prev = found[start - 2].hash if start > 1 else "0" * 64
    for event in found[start - 1 :]:
        new = plain_hash(prev, event_content(event))
        ws.execute(
            sa.text("UPDATE as_audit_events SET prev_hash = :p, hash = :h WHERE event_id = :e"),
            {"p": prev, "h": new, "e": event.event_id},
        )
        prev = new


@pytest.fixture
def busy(busy_store: Store) -> Store:
    """A store holding busy_history (a copy of one recorded once per session)."""
    return busy_store


def test_an_untouched_store_verifies(busy: Store, tmp_path: Path) -> None:
    head = tmp_path / "head.json"
    result = CliRunner(env={"OPENPEEL_STORE": busy.url}).invoke(app, ["audit", "head", "--out", str(head)])
    assert result.exit_code == 0, result.output
    document = json.loads(head.read_text())
    with busy.read() as ws:
        last = events(ws)[-1]
    assert (document["event_id"], document["hash"]) == (last.event_id, last.hash)
    code, output = _verify(busy, head)
    assert code == 0, output
    assert f"audit trail verified: {last.event_id} events" in output


def test_a_rewritten_event_with_recomputed_hashes_is_caught(busy: Store) -> None:
    with busy.write() as ws:
        tamper(ws, "UPDATE as_audit_events SET reason = 'nothing to see' WHERE event_id = 5")
        _recompute_plain_hashes(ws, 5)
    with busy.read() as ws:
        assert not verify_chain(ws).is_intact
    code, output = _verify(busy)
    assert code == 1 and "event 5:" in output and "plain SHA-256 after keyed events" in output


def test_relinking_the_whole_chain_without_the_key_is_caught(busy: Store) -> None:
    # Every link plain from event 1: no keyed event is left to expose the plain ones.
    with busy.write() as ws:
        tamper(ws, "UPDATE as_audit_events SET reason = 'nothing to see' WHERE event_id = 5")
        _recompute_plain_hashes(ws, 1)
    code, output = _verify(busy)
    assert code == 1 and "carry plain SHA-256 hashes" in output


def test_deleting_the_last_ten_events_is_caught(busy: Store, tmp_path: Path) -> None:
    head = tmp_path / "head.json"
    assert (
        CliRunner(env={"OPENPEEL_STORE": busy.url})
        .invoke(app, ["audit", "head", "--out", str(head)])
        .exit_code
        == 0
    )
    with busy.read() as ws:
        last = events(ws)[-1].event_id
    with busy.write() as ws:
        tamper(ws, f"DELETE FROM as_audit_events WHERE event_id > {last - 10}")
    code, output = _verify(busy)
    # The tables still hold what the cut events did: the replayed log no longer produces them.
    assert code == 1 and "differs from the audit log" in output
    code, output = _verify(busy, head)
    assert code == 1 and f"the store has no event {last}" in output


def test_a_judgement_row_edited_in_the_database_is_caught(busy: Store) -> None:
    with busy.write() as ws:
        tamper(ws, "SELECT 1")
        ws.execute(
            sa.text(
                "UPDATE as_judgements SET current_grade = 'outstanding' "
                "WHERE force_id = 'northamptonshire' AND year = 2014 AND question_id = 'reducing-crime'"
            )
        )
    with busy.read() as ws:
        assert verify_chain(ws).is_intact  # the chain alone cannot see it
    code, output = _verify(busy)
    assert code == 1
    assert "judgement reducing-crime (northamptonshire 2014): the row in as_judgements differs" in output
    assert "(current_grade)" in output


def test_a_forged_head_file_is_refused(busy: Store, tmp_path: Path) -> None:
    head = tmp_path / "head.json"
    CliRunner(env={"OPENPEEL_STORE": busy.url}).invoke(app, ["audit", "head", "--out", str(head)])
    document = json.loads(head.read_text())
    head.write_text(json.dumps({**document, "event_id": document["event_id"] - 3}))
    code, output = _verify(busy, head)
    assert code == 2 and "not signed with this store's audit key" in output


def test_a_store_without_a_key_writes_no_audit_events(
    store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("OPENPEEL_AUDIT_KEY")
    if store.backend == "sqlite":
        pytest.skip("an SQLite store generates its key")
    keyless = open_store(store.url)
    try:
        with pytest.raises(OpenpeelError, match="without the audit key"), keyless.write() as ws:
            import_paths(ws, [NORTHANTS_2014], by="alice")
        with keyless.read() as ws:
            assert events(ws) == []
            assert not verify_store(ws).ok
    finally:
        keyless.dispose()
