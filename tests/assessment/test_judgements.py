from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from tests.conftest import STORE_FIXTURE

from openpeel.assessment.judgements import (
    confirm,
    current_judgements,
    moderate,
    override,
    propose_and_record,
    publish,
    reopen,
)
from openpeel.core.errors import OpenpeelError, UnknownNameError
from openpeel.evidence.store import import_paths

REPO = Path(__file__).resolve().parents[2]
ILLUSTRATIVE_2015 = REPO / "docs" / "examples" / "cumbria-2015-illustrative.yaml"
# Stable ids and counts for the store tests (a fixture, not the shipped blind-1 file).
NORTHANTS_2014 = STORE_FIXTURE


def northants(db: duckdb.DuckDBPyConnection, ws: sa.Connection) -> None:
    import_paths(ws, [NORTHANTS_2014], by="alice")
    propose_and_record(db, ws, "northamptonshire", 2014, by="alice")


def test_northamptonshire_2014_drafts_are_good_ri_good_with_rules(
    db: duckdb.DuckDBPyConnection, ws: sa.Connection
) -> None:
    northants(db, ws)
    found = current_judgements(ws, "northamptonshire", 2014)
    graded = {q: j.proposed_grade for q, j in found.items() if j.pillar_id == "effectiveness" and j.is_graded}
    assert graded == {
        "reducing-crime": "good",
        "investigating-offending": "requires-improvement",
        "tackling-asb": "good",
    }
    assert found["investigating-offending"].fired_rules == ["core-afis-outweigh"]
    assert all(j.state == "draft" and j.current_grade is None for j in found.values())
    # Narrative-only and not-inspected questions are recorded as such.
    assert not found["protecting-vulnerable"].is_graded and found["protecting-vulnerable"].is_inspected
    spr = found["strategic-policing-requirement"]
    assert not spr.is_inspected and spr.status_note == "not inspected this year"
    assert list(found)[:6] == [
        "reducing-crime",
        "investigating-offending",
        "tackling-asb",
        "protecting-vulnerable",
        "serious-organised-crime",
        "strategic-policing-requirement",
    ]


def test_cause_of_concern_forces_the_cap(db: duckdb.DuckDBPyConnection, ws: sa.Connection) -> None:
    # Strengths cover every core topic of the question, but an unresolved cause of concern
    # still caps the grade below good.
    import_paths(ws, [ILLUSTRATIVE_2015], by="alice")
    propose_and_record(db, ws, "cumbria", 2015, by="alice")
    judgement = current_judgements(ws, "cumbria", 2015)["investigating-crime"]
    assert judgement.proposed_grade == "inadequate"
    assert judgement.fired_rules == ["cause-of-concern"]
    rules = {r["rule"]: r for r in (judgement.proposal or {})["rules"]}
    assert rules["cause-of-concern"]["findings"] == ["ic-supervision-concern"]
    assert not rules["good"]["fired"] and "cause of concern" in rules["good"]["reason"]


def test_override_without_rationale_is_refused(db: duckdb.DuckDBPyConnection, ws: sa.Connection) -> None:
    northants(db, ws)
    for reason in (None, "", "   "):
        with pytest.raises(OpenpeelError, match="an override needs a rationale"):
            override(ws, "northamptonshire", 2014, "investigating-offending", "good", by="bob", reason=reason)
    assert current_judgements(ws, "northamptonshire", 2014)["investigating-offending"].current_grade is None
    event = override(
        ws, "northamptonshire", 2014, "investigating-offending", "good", by="bob", reason="Specialist teams"
    )
    j = current_judgements(ws, "northamptonshire", 2014)["investigating-offending"]
    assert (j.current_grade, j.is_overridden, j.rationale, j.updated_by) == (
        "good",
        True,
        "Specialist teams",
        "bob",
    )
    assert event.reason == "Specialist teams" and event.before and event.before["current_grade"] is None


def test_unknown_grade_and_question_and_ungraded_question(
    db: duckdb.DuckDBPyConnection, ws: sa.Connection
) -> None:
    northants(db, ws)
    with pytest.raises(UnknownNameError, match="did you mean 'good'"):
        override(ws, "northamptonshire", 2014, "reducing-crime", "godo", by="bob", reason="x")
    with pytest.raises(UnknownNameError, match="reducing-crime"):
        confirm(ws, "northamptonshire", 2014, "reducing-crim", by="bob")
    with pytest.raises(OpenpeelError, match="narrative only"):
        confirm(ws, "northamptonshire", 2014, "protecting-vulnerable", by="bob")
    with pytest.raises(OpenpeelError, match="say who"):
        confirm(ws, "northamptonshire", 2014, "reducing-crime", by=" ")


def publish_northants(db: duckdb.DuckDBPyConnection, ws: sa.Connection) -> None:
    northants(db, ws)
    for question in ("reducing-crime", "investigating-offending", "tackling-asb"):
        confirm(ws, "northamptonshire", 2014, question, by="bob")
    moderate(ws, "northamptonshire", 2014, by="carol")
    publish(ws, "northamptonshire", 2014, by="dan")


def test_moderation_needs_confirmed_grades_and_states_move_in_order(
    db: duckdb.DuckDBPyConnection, ws: sa.Connection
) -> None:
    northants(db, ws)
    with pytest.raises(OpenpeelError, match="confirm or override the proposed grade first: reducing-crime"):
        moderate(ws, "northamptonshire", 2014, by="carol")
    with pytest.raises(OpenpeelError, match="only moderated judgements are published"):
        publish(ws, "northamptonshire", 2014, "reducing-crime", by="dan")
    confirm(ws, "northamptonshire", 2014, "reducing-crime", by="bob")
    moderate(ws, "northamptonshire", 2014, "reducing-crime", by="carol")
    publish(ws, "northamptonshire", 2014, "reducing-crime", by="dan")
    j = current_judgements(ws, "northamptonshire", 2014)["reducing-crime"]
    assert (j.state, j.current_grade, j.updated_by) == ("published", "good", "dan")


def test_edit_to_published_judgement_is_refused_without_a_reason(
    db: duckdb.DuckDBPyConnection, ws: sa.Connection
) -> None:
    publish_northants(db, ws)
    with pytest.raises(OpenpeelError, match="is published; changing it needs a reason"):
        confirm(ws, "northamptonshire", 2014, "reducing-crime", by="erin")
    with pytest.raises(OpenpeelError, match="needs a reason"):
        reopen(ws, "northamptonshire", 2014, "reducing-crime", by="erin", reason=None)
    assert current_judgements(ws, "northamptonshire", 2014)["reducing-crime"].state == "published"
    override(ws, "northamptonshire", 2014, "reducing-crime", "outstanding", by="erin", reason="Appeal upheld")
    j = current_judgements(ws, "northamptonshire", 2014)["reducing-crime"]
    assert (j.state, j.current_grade, j.rationale) == ("draft", "outstanding", "Appeal upheld")


def test_reproposing_keeps_moderated_published_and_overridden(
    db: duckdb.DuckDBPyConnection, ws: sa.Connection
) -> None:
    publish_northants(db, ws)
    reopen(ws, "northamptonshire", 2014, "investigating-offending", by="erin", reason="second look")
    override(
        ws, "northamptonshire", 2014, "investigating-offending", "good", by="erin", reason="Specialist teams"
    )
    assert propose_and_record(db, ws, "northamptonshire", 2014, by="openpeel build") == []
    found = current_judgements(ws, "northamptonshire", 2014)
    assert found["reducing-crime"].state == "published"
    assert (found["investigating-offending"].current_grade, found["investigating-offending"].state) == (
        "good",
        "draft",
    )


def test_changed_proposal_voids_a_confirmation_but_not_an_override(
    db: duckdb.DuckDBPyConnection, ws: sa.Connection
) -> None:
    from openpeel.evidence import load_evidence_file
    from openpeel.evidence.store import import_evidence

    northants(db, ws)
    confirm(ws, "northamptonshire", 2014, "tackling-asb", by="bob")
    override(ws, "northamptonshire", 2014, "investigating-offending", "good", by="bob", reason="r")
    ev = load_evidence_file(NORTHANTS_2014)
    concern = ev.findings[8].model_copy(update={"id": "asb-new-concern", "kind": "cause-of-concern"})
    extra = ev.findings[6].model_copy(update={"id": "io-new-concern", "kind": "cause-of-concern"})
    import_evidence(ws, ev.model_copy(update={"findings": (*ev.findings, concern, extra)}), by="bob")
    events = propose_and_record(db, ws, "northamptonshire", 2014, by="bob")
    assert {e.entity_id for e in events} == {"tackling-asb", "investigating-offending"}
    found = current_judgements(ws, "northamptonshire", 2014)
    assert (found["tackling-asb"].proposed_grade, found["tackling-asb"].current_grade) == ("inadequate", None)
    io = found["investigating-offending"]
    assert (io.proposed_grade, io.current_grade, io.is_overridden) == ("inadequate", "good", True)
