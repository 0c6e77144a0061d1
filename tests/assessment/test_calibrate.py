"""Calibration of the PEEL 2014 rubric against the inspectorate's published grades."""

from __future__ import annotations

import duckdb
import pytest

from openpeel.assessment.calibrate import calibrate, format_calibration, load_setup, shipped_evidence
from openpeel.assessment.rubric import Rubric, Rule, load_rubric, propose_grade
from openpeel.core.errors import InputError
from openpeel.evidence import Finding
from openpeel.framework import load_framework
from openpeel.framework.published_grades import published_grade
from openpeel.indicators.compute import compute_indicators
from openpeel.ingest.official_statistics import load_official_statistics


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    from openpeel.warehouse import connect

    c = connect(":memory:")
    load_official_statistics(c, None)
    compute_indicators(c)
    return c


def test_held_out_forces_are_a_third_of_those_with_evidence() -> None:
    setup = load_setup(2014)
    forces = set(shipped_evidence(2014))
    assert set(setup.held_out) <= forces
    assert len(setup.held_out) >= 4 and abs(len(setup.held_out) - len(forces) / 3) < 1


def test_calibration_2014_meets_the_targets(con: duckdb.DuckDBPyConnection) -> None:
    result = calibrate(con, 2014).as_json()
    assert len(result["forces_with_evidence"]) >= 11
    assert result["compared"] >= 33
    assert result["agreed"] / result["compared"] >= 0.8
    assert result["held_out_compared"] >= 12
    assert result["held_out_agreed"] / result["held_out_compared"] >= 0.8
    assert sum(n for row in result["confusion"].values() for n in row.values()) == result["compared"]


def test_every_compared_row_carries_the_published_grade_and_its_source(
    con: duckdb.DuckDBPyConnection,
) -> None:
    for row in calibrate(con, 2014).rows:
        published = published_grade(row.force_id, 2014, row.question_id)
        assert published is not None and published.grade == row.published
        assert row.source_url == published.source_url
        assert row.fired  # a proposal always names the rules that settled it


def test_grades_awarded_are_all_compared(con: duckdb.DuckDBPyConnection) -> None:
    result = calibrate(con, 2014)
    assert {r.published for r in result.rows} == {"outstanding", "good", "requires-improvement"}
    durham = {r.question_id: r for r in result.rows if r.force_id == "durham"}
    assert durham["investigating-offending"].proposed == "outstanding"


def test_text_output_lists_disagreements_with_their_rules(con: duckdb.DuckDBPyConnection) -> None:
    result = calibrate(con, 2014)
    text = format_calibration(result)
    assert "agreement:" in text and "published (rows) by proposed (columns):" in text
    for row in (r for r in result.rows if not r.agreed):
        assert f"- {row.force_id} {row.question_id}" in text
        assert all(rule in text for rule, _ in row.fired)


def test_no_set_up_for_a_year_without_one(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(InputError, match="no calibration set-up for PEEL 2016"):
        calibrate(con, 2016)


def test_the_tuned_rubric_records_why_each_rule_changed() -> None:
    rubric = load_rubric("rubric-2014.yaml")
    assert rubric.version == 2
    changed = {rule for change in rubric.changes for rule in change.rules}
    assert {
        "core-afis-outweigh",
        "afi-outnumber",
        "good",
        "outstanding",
        "primary-indicator-worse",
    } <= changed
    assert all(len(change.reason) > 80 for change in rubric.changes)


# The rule parameters the tuning uses, on invented findings.
def _finding(fid: str, kind: str, topics: tuple[str, ...], **extra: object) -> Finding:
    return Finding(
        id=fid,
        inspection="i",
        question="investigating-offending",
        kind=kind,
        text="invented",
        topics=topics,
        **extra,
    )


def _grade(rules: list[Rule], *findings: Finding) -> str | None:
    fw = load_framework(2014)
    rubric = Rubric(
        id="invented",
        version=1,
        rules=(*rules, Rule(id="d", type="default", description="d", proposes="requires-improvement")),
    )
    return propose_grade(fw, rubric, fw.question("investigating-offending"), list(findings), {}).grade


GOOD_ANY = Rule(
    id="g",
    type="good_conditions",
    description="g",
    proposes="good",
    core_strengths="any",
    core_afis="not-outweighing",
    check_indicators=False,
    margin=1,
)


def test_core_afis_are_weighed_against_core_strengths() -> None:
    weigh = Rule(
        id="w", type="core_afis_outweigh_strengths", description="w", proposes="requires-improvement"
    )
    balanced = (
        _finding("s", "strength", ("investigation quality",)),
        _finding("a", "area-for-improvement", ("supervision",)),
    )
    assert _grade([weigh, GOOD_ANY], *balanced) == "good"
    assert _grade([weigh, GOOD_ANY], balanced[1]) == "requires-improvement"


def test_margin_lets_one_extra_area_for_improvement_pass() -> None:
    outnumber = Rule(
        id="o", type="afi_outnumber_strengths", description="o", proposes="requires-improvement", margin=1
    )
    findings = (
        _finding("s", "strength", ("investigation quality",)),
        _finding("a1", "area-for-improvement", ("victim care",)),
        _finding("a2", "area-for-improvement", ("leadership",)),
    )
    assert _grade([outnumber, GOOD_ANY], *findings) == "good"
    assert (
        _grade([outnumber, GOOD_ANY], *findings, _finding("a3", "area-for-improvement", ("leadership",)))
        == "requires-improvement"
    )


def test_outstanding_without_indicators_needs_an_exceptional_finding() -> None:
    outstanding = Rule(
        id="x",
        type="outstanding_conditions",
        description="x",
        proposes="outstanding",
        better_indicators="not-needed",
    )
    plain = _finding("s", "strength", ("investigation quality",))
    assert _grade([GOOD_ANY, outstanding], plain) == "good"
    assert _grade([GOOD_ANY, outstanding], plain.model_copy(update={"is_exceptional": True})) == "outstanding"
