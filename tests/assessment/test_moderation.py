from __future__ import annotations

from pathlib import Path

import duckdb
import sqlalchemy as sa
from tests.conftest import STORE_FIXTURE

from openpeel.assessment.comparability import compare_with_previous
from openpeel.assessment.judgements import confirm, override, propose_and_record
from openpeel.assessment.moderation import moderation_view
from openpeel.evidence.store import import_paths
from openpeel.framework import load_framework
from openpeel.indicators.query import values_by_indicator

REPO = Path(__file__).resolve().parents[2]
ILLUSTRATIVE_2015 = REPO / "docs" / "examples" / "cumbria-2015-illustrative.yaml"
# Stable ids and counts for the store tests (a fixture, not the shipped blind-1 file).
NORTHANTS_2014 = STORE_FIXTURE


def test_shipped_2014_evidence_has_nothing_out_of_line(
    db: duckdb.DuckDBPyConnection, ws: sa.Connection
) -> None:
    import_paths(ws, [NORTHANTS_2014], by="alice")
    propose_and_record(db, ws, "northamptonshire", 2014, by="alice")
    view = moderation_view(db, ws, 2014)
    assert view.forces == ["northamptonshire"]
    spread = {s.question_id: s for s in view.spread}
    assert spread["reducing-crime"].counts["good"] == 1
    assert spread["investigating-offending"].counts["requires-improvement"] == 1
    assert spread["secure-financial-position"].no_grade == 1
    assert "protecting-vulnerable" not in spread  # narrative only in 2014
    # asb_rate is significantly worse than England and Wales, but a finding explains it.
    assert view.out_of_line == [] and view.differences == []
    assert {j.question_id for j in view.unconfirmed} == {
        "reducing-crime",
        "investigating-offending",
        "tackling-asb",
    }


def test_override_against_the_data_is_flagged_only_when_the_data_stand_out(
    db: duckdb.DuckDBPyConnection, ws: sa.Connection
) -> None:
    import_paths(ws, [ILLUSTRATIVE_2015], by="alice")
    propose_and_record(db, ws, "cumbria", 2015, by="alice")
    override(ws, "cumbria", 2015, "preventing-crime", "outstanding", by="bob", reason="Local context")
    confirm(ws, "cumbria", 2015, "protecting-vulnerable", by="bob")
    view = moderation_view(db, ws, 2015)
    # The rubric proposes good: no primary indicator is significantly worse than England and Wales
    # once the ordinary spread between forces is allowed for (the Poisson test made it
    # requires improvement).
    assert [(j.force_id, j.question_id, j.proposed_grade, j.current_grade) for j in view.differences] == [
        ("cumbria", "preventing-crime", "good", "outstanding")
    ]
    flagged = {(o.question_id, o.indicator_id) for o in view.out_of_line}
    # "Against the data" means a primary indicator significantly worse beyond the ordinary spread
    # between forces (the adjusted test the rubric uses), not merely beyond Poisson noise: Cumbria's
    # 8.1% rise in crime against 4.4% for England and Wales is within that spread.
    framework = load_framework(2015)
    values = values_by_indicator(db, framework, "cumbria")
    expected = {
        ("preventing-crime", i)
        for i in framework.question("preventing-crime").primary_indicators
        if values[i].is_worse
    }
    assert flagged == expected
    assert not values["recorded_crime_change_1y_pct"].is_significant
    assert values["recorded_crime_change_1y_pct"].band == "higher"  # materially: the report says so
    spread = {s.question_id: s for s in view.spread}
    assert spread["fairness-to-public"].not_inspected == 1
    assert (
        spread["preventing-crime"].counts["outstanding"] == 1
        and spread["preventing-crime"].proposed_only == 0
    )


def test_comparability_with_the_previous_year(db: duckdb.DuckDBPyConnection, ws: sa.Connection) -> None:
    import_paths(ws, [NORTHANTS_2014], by="alice")
    propose_and_record(db, ws, "northamptonshire", 2014, by="alice")
    confirm(ws, "northamptonshire", 2014, "investigating-offending", by="bob")
    merged = compare_with_previous(ws, "northamptonshire", 2015, "preventing-crime")
    assert merged.status == "partly comparable" and merged.relation == "merged and split"
    assert merged.previous_grades == {"reducing-crime": "good", "tackling-asb": "good"}
    same = compare_with_previous(ws, "northamptonshire", 2015, "financial-position")
    assert same.status == "no previous grade" and same.relation == "same"
    assert compare_with_previous(ws, "northamptonshire", 2015, "fairness-to-public").status == "new question"
    assert (
        compare_with_previous(ws, "northamptonshire", 2015, "protecting-vulnerable").status
        == "no previous grade"
    )
    assert compare_with_previous(ws, "northamptonshire", 2014, "reducing-crime").previous_year is None
    assert compare_with_previous(ws, "kent", 2015, "investigating-crime").status == "no previous grade"
