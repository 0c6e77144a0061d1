from __future__ import annotations

import json
from pathlib import Path

import duckdb

from openpeel.assessment.audit import events, replay, table_state
from openpeel.assessment.judgements import confirm, current_judgements, moderate, publish
from openpeel.pipeline import build


def test_build_imports_shipped_evidence_and_keeps_published_judgements(
    db: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    build(db, 2014, tmp_path / "out", forces=["northamptonshire"], formats=["text"])
    found = current_judgements(db, "northamptonshire", 2014)
    assert [
        found[q].proposed_grade for q in ("reducing-crime", "investigating-offending", "tackling-asb")
    ] == [
        "good",
        "requires-improvement",
        "good",
    ]
    assert {e.actor for e in events(db)} == {"openpeel build"}
    judgements = json.loads((tmp_path / "out" / "2014" / "judgements.json").read_text())
    assert [q["proposed_grade"] for q in judgements[0]["questions"]] == [
        "good",
        "requires-improvement",
        "good",
    ]

    for q in ("reducing-crime", "investigating-offending", "tackling-asb"):
        confirm(db, "northamptonshire", 2014, q, by="bob")
    moderate(db, "northamptonshire", 2014, by="carol")
    publish(db, "northamptonshire", 2014, by="dan")
    count = len(events(db))
    build(db, 2014, tmp_path / "out", forces=["northamptonshire"], formats=["text"])
    assert len(events(db)) == count
    assert all(j.state == "published" for j in current_judgements(db, "northamptonshire", 2014).values())
    assert replay(db) == table_state(db)
