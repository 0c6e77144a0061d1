"""The bulk import path writes exactly what one `apply_change` per item writes: the same rows and
the same audit events (one per change, in the same order, chained with the key)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from tests.conftest import STORE_FIXTURE, TEST_AUDIT_KEY

from openpeel.evidence import load_evidence_file
from openpeel.evidence.models import EvidenceFile
from openpeel.evidence.store import import_evidence
from openpeel.store import Store, open_store
from openpeel.store.audit import events, replay, table_state, verify_chain

# Stable ids and counts for the store tests (a fixture, not the shipped blind-1 file).
NORTHANTS_2014 = STORE_FIXTURE


def _history(ws: sa.Connection, *, bulk: bool) -> None:
    """Create, then edit one finding, remove two, add one, move a finding to a new inspection and
    remove its old inspection: inserts, updates and removals of both entities."""
    ev = load_evidence_file(NORTHANTS_2014)
    import_evidence(ws, ev, by="alice", bulk=bulk)
    new_inspection = ev.inspections[0].model_copy(
        update={"id": "invented-revisit", "title": "Invented revisit"}
    )
    moved = [f.model_copy(update={"inspection": "invented-revisit"}) for f in ev.findings]
    edited = moved[0].model_copy(update={"text": "Edited text."})
    added = moved[1].model_copy(update={"id": "invented-new", "text": "An invented finding."})
    later = EvidenceFile(
        force=ev.force,
        year=ev.year,
        inspections=(new_inspection, *ev.inspections[1:]),
        findings=(edited, *moved[3:], added),
    )
    import_evidence(ws, later, by="bob", reason="revisit", bulk=bulk)
    import_evidence(ws, later, by="bob", bulk=bulk)  # unchanged: records nothing


def _comparable(ws: sa.Connection) -> list[tuple[object, ...]]:
    return [
        (
            e.event_id,
            e.actor,
            e.action,
            e.entity,
            e.force_id,
            e.year,
            e.entity_id,
            e.before,
            e.after,
            e.reason,
        )
        for e in events(ws)
    ]


def test_bulk_import_writes_the_same_rows_and_events_as_one_change_at_a_time(
    store: Store, tmp_path: Path
) -> None:
    with store.write() as ws:
        _history(ws, bulk=True)
    reference = open_store(f"sqlite:///{tmp_path / 'per-row.sqlite'}", audit_key=TEST_AUDIT_KEY)
    with reference.write() as ws:
        _history(ws, bulk=False)
    with store.read() as bulk_ws, reference.read() as row_ws:
        assert _comparable(bulk_ws) == _comparable(row_ws)
        assert len(events(bulk_ws)) > 20
        assert table_state(bulk_ws) == table_state(row_ws)
        assert replay(bulk_ws) == table_state(bulk_ws)
        check = verify_chain(bulk_ws)
        assert check.is_intact and check.plain == 0
    reference.dispose()
