from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from openpeel.assessment.judgements import confirm, current_judgements, moderate, publish
from openpeel.core.locations import Locations
from openpeel.pipeline import build
from openpeel.store import Store
from openpeel.store.audit import events, replay, table_state

# Whole commands or national runs, seconds each: left to the full run (`make test-fast` skips them).
pytestmark = pytest.mark.slow


def test_build_imports_shipped_evidence_and_keeps_published_judgements(
    statistics_db: Path, store: Store, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    shutil.copyfile(statistics_db, warehouse)
    build(
        Locations.in_folder(tmp_path).with_warehouse(warehouse),
        store,
        2014,
        tmp_path / "out",
        forces=["northamptonshire"],
        formats=["text"],
    )
    with store.read() as ws:
        found = current_judgements(ws, "northamptonshire", 2014)
        assert [
            found[q].proposed_grade for q in ("reducing-crime", "investigating-offending", "tackling-asb")
        ] == ["good", "requires-improvement", "good"]
        assert {e.actor for e in events(ws)} == {"openpeel build"}
    judgements = json.loads((tmp_path / "out" / "2014" / "judgements.json").read_text())
    assert [q["proposed_grade"] for q in judgements[0]["questions"]] == [
        "good",
        "requires-improvement",
        "good",
    ]

    with store.write() as ws:
        for q in ("reducing-crime", "investigating-offending", "tackling-asb"):
            confirm(ws, "northamptonshire", 2014, q, by="bob")
        moderate(ws, "northamptonshire", 2014, by="carol")
        publish(ws, "northamptonshire", 2014, by="dan")
    with store.read() as ws:
        count = len(events(ws))
    build(
        Locations.in_folder(tmp_path).with_warehouse(warehouse),
        store,
        2014,
        tmp_path / "out",
        forces=["northamptonshire"],
        formats=["text"],
    )
    with store.read() as ws:
        assert len(events(ws)) == count
        assert all(j.state == "published" for j in current_judgements(ws, "northamptonshire", 2014).values())
        assert replay(ws) == table_state(ws)
