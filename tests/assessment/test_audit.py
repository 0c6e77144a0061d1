from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from tests.conftest import STORE_FIXTURE

from openpeel.assessment.judgements import confirm, moderate, override, propose_and_record, publish, reopen
from openpeel.core.errors import LockedError
from openpeel.evidence import load_evidence_file
from openpeel.evidence.store import import_evidence, import_paths, stored_evidence
from openpeel.store.audit import events, replay, table_state, verify_chain

REPO = Path(__file__).resolve().parents[2]
ILLUSTRATIVE_2015 = REPO / "docs" / "examples" / "cumbria-2015-illustrative.yaml"
# Stable ids and counts for the store tests (a fixture, not the shipped blind-1 file).
NORTHANTS_2014 = STORE_FIXTURE


def busy_history(db: duckdb.DuckDBPyConnection, ws: sa.Connection) -> None:
    """Imports, edits, removals, overrides and every state change, over two forces and years."""
    import_paths(ws, [NORTHANTS_2014, ILLUSTRATIVE_2015], by="alice")
    propose_and_record(db, ws, "northamptonshire", 2014, by="alice")
    propose_and_record(db, ws, "cumbria", 2015, by="alice")
    for question in ("reducing-crime", "investigating-offending", "tackling-asb"):
        confirm(ws, "northamptonshire", 2014, question, by="bob")
    override(
        ws, "northamptonshire", 2014, "investigating-offending", "good", by="bob", reason="Specialist teams"
    )
    moderate(ws, "northamptonshire", 2014, by="carol")
    publish(ws, "northamptonshire", 2014, by="dan")
    # Findings behind a published judgement are locked: changing them starts with reopening it.
    reopen(ws, "northamptonshire", 2014, "reducing-crime", by="erin", reason="correction after publication")
    ev = load_evidence_file(NORTHANTS_2014)
    edited = ev.findings[0].model_copy(update={"text": "Edited text."})
    import_evidence(
        ws,
        ev.model_copy(update={"findings": (edited, *ev.findings[2:])}),
        by="erin",
        reason="correction after publication",
    )
    reopen(ws, "northamptonshire", 2014, "tackling-asb", by="erin", reason="recheck")
    override(ws, "cumbria", 2015, "preventing-crime", "good", by="frank", reason="Data explained locally")


def test_audit_log_replays_to_the_current_state(busy_ws: sa.Connection) -> None:
    ws = busy_ws  # holding busy_history: tests/assessment/conftest.py
    state = table_state(ws)
    # Northamptonshire 2014 has 11 questions, the illustrative Cumbria 2015 file 11 findings and its
    # cycle 11 questions (legitimacy had four questions in 2015, crime recording among them).
    assert len(state["finding"]) == 17 - 1 + 11 and len(state["judgement"]) == 11 + 11
    assert replay(ws) == state
    assert verify_chain(ws).is_intact


def test_every_event_says_who_when_before_after_and_why(busy_ws: sa.Connection) -> None:
    ws = busy_ws  # holding busy_history: tests/assessment/conftest.py
    found = events(ws, force_id="northamptonshire", year=2014)
    removed = [e for e in found if e.after is None]
    assert [e.entity_id for e in removed] == ["rc-recording-accuracy"]
    assert removed[0].actor == "erin" and removed[0].reason == "correction after publication"
    changed = next(e for e in found if e.entity_id == "rc-targets" and e.before and e.after)
    assert changed.changed_fields() == ["text"]
    override_event = next(e for e in found if e.action == "override")
    assert override_event.before and override_event.after
    assert (override_event.before["current_grade"], override_event.after["current_grade"]) == (
        "requires-improvement",
        "good",
    )
    assert [e.event_id for e in events(ws)] == list(range(1, len(events(ws)) + 1))


def test_reimporting_the_same_file_records_nothing(db: duckdb.DuckDBPyConnection, ws: sa.Connection) -> None:
    import_paths(ws, [NORTHANTS_2014], by="alice")
    propose_and_record(db, ws, "northamptonshire", 2014, by="alice")
    before = len(events(ws))
    results = import_paths(ws, [NORTHANTS_2014], by="alice")
    assert results[0].is_unchanged
    assert propose_and_record(db, ws, "northamptonshire", 2014, by="alice") == []
    assert len(events(ws)) == before


def test_findings_behind_a_published_judgement_are_locked_until_it_is_reopened(
    busy_ws: sa.Connection,
) -> None:
    ws = busy_ws  # holding busy_history: tests/assessment/conftest.py
    before = table_state(ws)
    # The attack: turn a finding behind a published grade into a cause of concern, or drop it.
    stored = stored_evidence(ws, "northamptonshire", 2014)
    assert stored is not None
    target = next(f for f in stored.findings if f.question == "investigating-offending")
    worse = target.model_copy(update={"kind": "cause-of-concern"})
    changed = stored.model_copy(
        update={"findings": tuple(worse if f.id == target.id else f for f in stored.findings)}
    )
    removed = stored.model_copy(update={"findings": tuple(f for f in stored.findings if f.id != target.id)})
    for attempt in (changed, removed):
        # A reason is not enough: the published judgement has to be reopened first.
        with pytest.raises(
            LockedError, match=r"investigating-offending \(northamptonshire 2014\) is published"
        ):
            import_evidence(ws, attempt, by="erin", reason="just a small fix")
    assert table_state(ws) == before
    reopen(ws, "northamptonshire", 2014, "investigating-offending", by="erin", reason="new evidence")
    import_evidence(ws, changed, by="erin", reason="new evidence")
    after = stored_evidence(ws, "northamptonshire", 2014)
    assert after is not None and any(
        f.id == target.id and f.kind == "cause-of-concern" for f in after.findings
    )


def tamper(ws: sa.Connection, sql: str) -> None:
    """Change the audit table as someone with direct database access could: first switching off
    the database's append-only rule, which refuses the change otherwise."""
    if ws.dialect.name == "sqlite":
        ws.execute(sa.text("DROP TRIGGER as_audit_events_no_update"))
        ws.execute(sa.text("DROP TRIGGER as_audit_events_no_delete"))
    else:
        ws.execute(sa.text("ALTER TABLE as_audit_events DISABLE TRIGGER USER"))
    ws.execute(sa.text(sql))


def test_the_database_refuses_to_change_audit_events(busy_ws: sa.Connection) -> None:
    ws = busy_ws  # holding busy_history: tests/assessment/conftest.py
    for sql in ("UPDATE as_audit_events SET reason = 'x' WHERE event_id = 5", "DELETE FROM as_audit_events"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), ws.begin_nested():
            ws.execute(sa.text(sql))
    assert verify_chain(ws).is_intact


def test_a_tampered_event_breaks_the_chain(busy_ws: sa.Connection) -> None:
    ws = busy_ws  # holding busy_history: tests/assessment/conftest.py
    tamper(ws, "UPDATE as_audit_events SET reason = 'nothing to see' WHERE event_id = 5")
    check = verify_chain(ws)
    assert not check.is_intact and check.first_bad_event == 5


def test_no_code_updates_or_deletes_audit_events() -> None:
    source = REPO / "src" / "openpeel"
    pattern = re.compile(r"(UPDATE|DELETE\s+FROM|TRUNCATE|DROP\s+TABLE)\s+as_audit_events", re.IGNORECASE)
    offenders = [p for p in source.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
