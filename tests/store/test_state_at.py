"""The workspace as it stood at an audit event (what a publication recorded): rows changed, added
and removed since are read back as they were, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from tests.assessment.test_audit import NORTHANTS_2014

from openpeel.evidence import load_evidence_file
from openpeel.evidence.store import import_evidence, stored_evidence
from openpeel.store import Store
from openpeel.store.audit import chain_head, read_rows
from openpeel.store.state_at import rows_at

FORCE, YEAR = "northamptonshire", 2014


def test_rows_changed_added_and_removed_since_are_read_as_they_were(store: Store) -> None:
    evidence = load_evidence_file(NORTHANTS_2014)
    with store.write() as ws:
        import_evidence(ws, evidence, by="alice")
    with store.read() as ws:
        head = chain_head(ws).event_id
        then = {e: read_rows(ws, e, FORCE, YEAR) for e in ("inspection", "finding")}
        then_evidence = stored_evidence(ws, FORCE, YEAR)
    first, second, *rest = evidence.findings
    changed = first.model_copy(update={"text": "Rewritten after the publication (zq-4471)."})
    added = second.model_copy(update={"id": "added-later"})
    with store.write() as ws:
        import_evidence(ws, evidence.model_copy(update={"findings": (changed, *rest, added)}), by="bob")
    with store.read() as ws:
        now = read_rows(ws, "finding", FORCE, YEAR)
        assert now != then["finding"]
        for entity in ("inspection", "finding"):
            assert rows_at(ws, entity, FORCE, YEAR, head) == then[entity]
            assert list(rows_at(ws, entity, None, YEAR, head)) == list(then[entity])
        assert stored_evidence(ws, FORCE, YEAR, at=head) == then_evidence
        assert rows_at(ws, "finding", FORCE, YEAR, None) == now
        # Before anything was stored: nothing.
        assert rows_at(ws, "finding", FORCE, YEAR, 0) == {}
        assert ws.execute(sa.text("SELECT count(*) FROM ev_findings")).scalar_one() == len(now)
