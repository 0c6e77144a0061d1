from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.conftest import STORE_FIXTURE

from openpeel.core.errors import InputError, OpenpeelError
from openpeel.evidence import load_evidence_file
from openpeel.evidence.store import (
    export_evidence,
    import_paths,
    read_evidence,
    stored_evidence,
    stored_force_years,
    sync_bundled_evidence,
)
from openpeel.store.audit import events, table_state

REPO = Path(__file__).resolve().parents[2]
ILLUSTRATIVE_2015 = REPO / "docs" / "examples" / "cumbria-2015-illustrative.yaml"
# Stable ids and counts for the store tests (a fixture, not the shipped blind-1 file).
NORTHANTS_2014 = STORE_FIXTURE


def test_import_stores_exactly_the_file_and_is_idempotent(ws: sa.Connection) -> None:
    results = import_paths(ws, [NORTHANTS_2014, ILLUSTRATIVE_2015], by="alice")
    assert [(r.force_id, r.year, len(r.added)) for r in results] == [
        ("northamptonshire", 2014, 4 + 17),
        ("cumbria", 2015, 2 + 11),
    ]
    assert stored_evidence(ws, "northamptonshire", 2014) == load_evidence_file(NORTHANTS_2014)
    assert stored_evidence(ws, "Cumbria Constabulary", 2015) == load_evidence_file(ILLUSTRATIVE_2015)
    assert stored_force_years(ws) == [("northamptonshire", 2014), ("cumbria", 2015)]
    count = len(events(ws))
    again = import_paths(ws, [NORTHANTS_2014, ILLUSTRATIVE_2015], by="alice")
    assert all(r.is_unchanged for r in again) and len(events(ws)) == count


def test_yaml_and_csv_round_trip(ws: sa.Connection, tmp_path: Path) -> None:
    import_paths(ws, [NORTHANTS_2014, ILLUSTRATIVE_2015], by="alice")
    yaml_files = export_evidence(ws, tmp_path / "yaml")
    assert sorted(p.name for p in yaml_files) == ["cumbria-2015.yaml", "northamptonshire-2014.yaml"]
    assert load_evidence_file(tmp_path / "yaml" / "northamptonshire-2014.yaml") == load_evidence_file(
        NORTHANTS_2014
    )
    export_evidence(ws, tmp_path / "csv", fmt="csv")
    from_csv = {ev.force: ev for ev in read_evidence(tmp_path / "csv")}
    assert from_csv["cumbria"] == load_evidence_file(ILLUSTRATIVE_2015)
    assert from_csv["northamptonshire"] == load_evidence_file(NORTHANTS_2014)
    # Importing the export changes nothing.
    assert all(r.is_unchanged for r in import_paths(ws, [tmp_path / "csv"], by="alice"))


def test_question_typo_refused_with_suggestion_and_nothing_changes(ws: sa.Connection, tmp_path: Path) -> None:
    import_paths(ws, [NORTHANTS_2014], by="alice")
    before = table_state(ws)
    bad = tmp_path / "cumbria-2015.yaml"
    text = ILLUSTRATIVE_2015.read_text(encoding="utf-8").replace(
        "question: investigating-crime", "question: investigating-crim", 1
    )
    bad.write_text(text, encoding="utf-8")
    # The finding's mapping starts two lines above its question (1-based line numbers).
    line = text.splitlines().index("    question: investigating-crim") + 1 - 2
    with pytest.raises(InputError) as info:
        import_paths(ws, [NORTHANTS_2014, bad], by="alice")
    message = str(info.value)
    assert str(bad) in message and f"line {line}" in message
    assert "field 'findings.2.question'" in message
    assert (
        "unknown question 'investigating-crim' for PEEL 2015 (did you mean 'investigating-crime'?)" in message
    )
    assert table_state(ws) == before


def test_csv_errors_name_file_line_and_column(ws: sa.Connection, tmp_path: Path) -> None:
    import_paths(ws, [NORTHANTS_2014], by="alice")
    export_evidence(ws, tmp_path, fmt="csv")
    findings = tmp_path / "findings.csv"
    with findings.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[3][4] = "reducing-crme"  # the 3rd finding, on line 4
    with findings.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    with pytest.raises(InputError) as info:
        read_evidence(tmp_path)
    assert str(info.value) == (
        f"{findings}, line 4, field 'question': unknown question 'reducing-crme' for PEEL 2014 "
        "(did you mean 'reducing-crime'?)"
    )
    rows[0][4] = "questoin"
    with findings.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    with pytest.raises(
        InputError, match=r"line 1, field 'questoin': unknown column \(did you mean 'question'\?\)"
    ):
        read_evidence(tmp_path)


def test_an_import_failing_half_way_changes_nothing(ws: sa.Connection) -> None:
    from openpeel.evidence.store import import_evidence

    import_paths(ws, [NORTHANTS_2014], by="alice")
    before = table_state(ws)
    good = load_evidence_file(ILLUSTRATIVE_2015)
    with pytest.raises(InputError, match="given twice"):
        import_evidence(ws, [good, good], by="alice")
    changed = load_evidence_file(NORTHANTS_2014)
    changed = changed.model_copy(update={"findings": changed.findings[1:]})
    with pytest.raises(OpenpeelError, match="say who"):
        import_evidence(ws, [good, changed], by="")
    assert table_state(ws) == before


@pytest.mark.slow
def test_bundled_sync_leaves_evidence_edited_by_people_alone(ws: sa.Connection) -> None:
    from openpeel.evidence.store import import_evidence

    # Several forces ship 2014 evidence; only the one edited by a person is left out of the sync.
    first = sync_bundled_evidence(ws, 2014)
    assert "northamptonshire" in {r.force_id for r in first} and all(r.added for r in first)
    assert all(r.is_unchanged for r in sync_bundled_evidence(ws, 2014))
    ev = load_evidence_file(NORTHANTS_2014)
    import_evidence(ws, ev.model_copy(update={"findings": ev.findings[1:]}), by="alice")
    later = sync_bundled_evidence(ws, 2014)
    assert later and "northamptonshire" not in {r.force_id for r in later}
    assert len(stored_evidence(ws, "northamptonshire", 2014).findings) == 16  # type: ignore[union-attr]


def test_not_an_evidence_path(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"expected a \.yaml evidence file"):
        read_evidence(tmp_path / "notes.txt")
    with pytest.raises(InputError, match=r"inspections\.csv not found"):
        read_evidence(tmp_path)


def test_a_finding_keeps_its_fact_and_old_audit_events_without_one_still_replay(
    ws: sa.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Findings keep their facts (migration 0006 adds ev_findings.fact); audit events recorded
    before it carry no `fact` in their snapshots, and the replay reads that as none."""
    import dataclasses

    from openpeel.store import audit

    import_paths(ws, [NORTHANTS_2014], by="alice")
    stored = stored_evidence(ws, "northamptonshire", 2014)
    assert stored is not None
    [arrests] = [f for f in stored.findings if f.id == "pv-da-arrests"]
    assert (
        arrests.fact
        == "the force had the lowest arrest rate for domestic abuse related crimes in the country"
    )
    logged = audit.events(ws)

    def without_fact(snapshot: dict[str, object] | None) -> dict[str, object] | None:
        if snapshot is None or snapshot.get("fact") is not None:
            return snapshot
        return {k: v for k, v in snapshot.items() if k != "fact"}

    old = [dataclasses.replace(e, before=without_fact(e.before), after=without_fact(e.after)) for e in logged]
    assert any(e.after is not None and "fact" not in e.after for e in old)
    monkeypatch.setattr(audit, "events", lambda *_a, **_k: old)
    assert audit.replay(ws) == table_state(ws)
