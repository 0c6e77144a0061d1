"""Calibration against the inspectorate's published grades, beside baselines, with kappa.

The figures themselves are not asserted: calibration reports whatever they are. The tests check
what is compared and how, on the shipped evidence and on invented evidence files.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from openpeel.assessment.agreement import Tally, cohen_kappa
from openpeel.assessment.baselines import most_common_grades, previous_grade
from openpeel.assessment.calibrate import (
    CalibrationSetup,
    calibrate,
    check_frozen,
    load_setup,
    rubric_sha256,
    shipped_evidence,
)
from openpeel.assessment.calibration_report import format_calibration
from openpeel.assessment.held_out import recorded_draws
from openpeel.assessment.pillar import combine, propose_pillar
from openpeel.assessment.rubric import PillarRule, Proposal, Rubric, Rule, load_rubric, propose_grade
from openpeel.core.errors import InputError
from openpeel.evidence import EvidenceFile, Finding
from openpeel.framework import load_framework
from openpeel.framework.published_grades import load_published_grades, published_grade


@pytest.fixture(scope="module")
def con(statistics_con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    return statistics_con


# ---- Cohen's kappa, computed by hand -------------------------------------------------------------


def test_kappa_on_a_hand_computed_case() -> None:
    # 50 items: both yes 20, A yes B no 5, A no B yes 10, both no 15.
    # p_o = 35/50 = 0.7; A says yes 25/50, B 30/50; p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5;
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)


def test_kappa_of_a_constant_guess_is_zero_and_of_perfect_agreement_one() -> None:
    published = ["good"] * 6 + ["requires-improvement"] * 3 + ["outstanding"]
    assert cohen_kappa([("good", p) for p in published]) == pytest.approx(0.0)
    assert cohen_kappa([(p, p) for p in published]) == pytest.approx(1.0)
    assert cohen_kappa([("good", "good")] * 3) is None  # chance agreement is total
    assert cohen_kappa([]) is None
    tally = Tally.of([("good", p) for p in published])
    assert (tally.compared, tally.agreed, tally.text()) == (10, 6, "6/10 (60%)")


# ---- The shipped 2014 evidence -------------------------------------------------------------------


@pytest.mark.slow
def test_held_out_forces_are_the_recorded_draw(con: duckdb.DuckDBPyConnection) -> None:
    result = calibrate(con, 2014)
    draw = recorded_draws()[2014]
    assert result.held_out == draw.held_out and result.seed == draw.seed
    assert all(r.held_out == (r.force_id in draw.held_out) for r in result.rows)
    assert "held_out" not in CalibrationSetup.model_fields  # one source of truth: held-out.yaml


@pytest.mark.slow
def test_rows_carry_the_published_grade_and_both_baselines(con: duckdb.DuckDBPyConnection) -> None:
    result = calibrate(con, 2014)
    assert len(result.forces_with_evidence) >= 11 and result.compared >= 33
    common = most_common_grades(2014)
    for row in result.rows:
        published = published_grade(row.force_id, 2014, row.target)
        assert published is not None and published.grade == row.published
        assert row.source_url == published.source_url
        assert row.fired  # a proposal always names the rules that settled it
        assert row.target_kind == "question"  # rubric-2014 has no pillar rule
        assert row.most_common == common[row.target]
        assert row.previous is None and row.previous_note == "no earlier cycle in the crosswalk"
    data = result.as_json()
    assert sum(n for row in data["confusion"].values() for n in row.values()) == data["compared"]
    assert data["baselines"]["most_common"]["all"]["kappa"] == 0.0
    assert data["baselines"]["previous_cycle"]["all"]["compared"] == 0
    assert data["baselines"]["previous_cycle"]["rows_without"] == data["compared"]
    assert set(data["kappa"]) == {"all", "held_out", "tuning"}
    assert data["rubric_sha256"] == rubric_sha256("rubric-2014.yaml")
    assert data["protocol"] == {f: shipped_evidence(2014)[f].protocol for f in data["forces_with_evidence"]}


def test_most_common_grade_counts_every_force_and_breaks_ties_to_the_worse() -> None:
    rows = [r for r in load_published_grades(2014) if r.target == "investigating-offending"]
    counts = {g: sum(r.grade == g for r in rows) for g in {r.grade for r in rows}}
    assert most_common_grades(2014)["investigating-offending"] == max(counts, key=lambda g: counts[g])


@pytest.mark.slow
def test_text_output_sets_the_rubric_beside_its_baselines(con: duckdb.DuckDBPyConnection) -> None:
    result = calibrate(con, 2014)
    text = format_calibration(result)
    for label in (
        "rubric: agreement",
        "rubric: Cohen's kappa",
        "most common grade: agreement",
        "previous cycle's grade: rows with one",
        "published (rows) by proposed (columns):",
        f"seed {result.seed}",
        result.rubric_sha256,
    ):
        assert label in text
    for row in (r for r in result.rows if not r.agreed):
        assert f"- {row.force_id} {row.target}" in text
        assert all(rule in text for rule, _ in row.fired)


@pytest.mark.slow
def test_a_cycle_without_evidence_says_so() -> None:
    result = calibrate(None, 2018)
    assert result.rows == [] and result.forces_with_evidence == []
    assert result.seed == recorded_draws()[2018].seed
    assert "No evidence files for PEEL 2018/19 yet: nothing to compare." in format_calibration(result)


def test_no_set_up_for_a_cycle_without_one() -> None:
    with pytest.raises(InputError, match="no calibration set-up for PEEL 2021/22"):
        calibrate(None, 2021)


# ---- Freezing ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_frozen_rubric_that_changed_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    at = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
    good = CalibrationSetup(
        year=2018, rubric="rubric-2018.yaml", rubric_sha256=rubric_sha256("rubric-2018.yaml"), frozen_at=at
    )
    assert check_frozen(good) == good.rubric_sha256
    stale = good.model_copy(update={"rubric_sha256": "0" * 64})
    with pytest.raises(InputError, match="the rubric changed after it was frozen"):
        check_frozen(stale)
    monkeypatch.setattr("openpeel.assessment.calibrate.load_setup", lambda _year: stale)
    with pytest.raises(InputError, match="the rubric changed after it was frozen"):
        calibrate(None, 2018)
    monkeypatch.setattr("openpeel.assessment.calibrate.load_setup", lambda _year: good)
    assert calibrate(None, 2018).frozen_at == at


@pytest.mark.parametrize("year", [2014, 2015, 2016, 2017])
def test_the_cycles_with_blind_evidence_are_frozen_and_their_rubrics_unchanged(year: int) -> None:
    """Frozen before the held-out findings were written (docs/methodology.md): the recorded hash
    is the rubric file's hash now."""
    setup = load_setup(year)
    assert setup.rubric_sha256 is not None and setup.frozen_at is not None
    assert check_frozen(setup) == rubric_sha256(setup.rubric)


def test_a_freeze_records_both_the_hash_and_the_time() -> None:
    with pytest.raises(ValueError, match="both rubric_sha256 and frozen_at"):
        CalibrationSetup(year=2016, rubric="rubric-2016.yaml", rubric_sha256="0" * 64)
    for year in (2014, 2015, 2016, 2017, 2018):
        assert load_setup(year).rubric == load_framework(year).rubric


# ---- The rubrics of 2015 to 2018/19 --------------------------------------------------------------


@pytest.mark.parametrize(("year", "version"), [(2015, 2), (2016, 2), (2017, 2), (2018, 1)])
def test_each_four_tier_cycle_has_its_own_rubric_tuned_only_where_it_has_evidence(
    year: int, version: int
) -> None:
    framework = load_framework(year)
    assert framework.rubric == f"rubric-{year}.yaml"
    rubric = load_rubric(framework.rubric)
    assert rubric.id == f"rubric-{year}" and rubric.version == version
    assert len(rubric.changes) == version - 1  # every tuned version records why
    assert rubric.pillar is not None and rubric.pillar.method == "median" and len(rubric.pillar.reason) > 200
    assert rubric.rules[0].id == "no-findings" and rubric.rules[-1].type == "default"


def test_the_tuned_2014_rubric_records_why_each_rule_changed() -> None:
    rubric = load_rubric("rubric-2014.yaml")
    assert rubric.version == 3 and rubric.pillar is None
    changed = {rule for change in rubric.changes for rule in change.rules}
    assert {
        "core-afis-outweigh",
        "afi-outnumber",
        "good",
        "outstanding",
        "primary-indicator-worse",
    } <= changed
    assert all(len(change.reason) > 80 for change in rubric.changes)


# ---- Pillars: the rule, and rows from invented evidence ------------------------------------------


def test_pillar_grade_is_the_median_taking_the_worse_middle_or_the_mode() -> None:
    rank = {"outstanding": 1, "good": 2, "requires-improvement": 3, "inadequate": 4}
    four = ["outstanding", "good", "requires-improvement", "good"]
    assert combine(four, "median", rank) == "good"  # middle two: good, good
    assert combine(["good", "requires-improvement"], "median", rank) == "requires-improvement"
    assert combine(["outstanding", "outstanding", "good", "inadequate"], "median", rank) == "good"
    assert combine(["good", "requires-improvement"], "mode", rank) == "requires-improvement"
    assert combine(["good", "good", "inadequate"], "mode", rank) == "good"


def test_a_pillar_needs_proposals_for_half_its_graded_questions() -> None:
    framework = load_framework(2016)
    rule = PillarRule(method="median", min_share=0.5, reason="invented")
    proposals = {"preventing-crime": Proposal("preventing-crime", "good", "r")}
    assert propose_pillar(framework, rule, "effectiveness", proposals).grade is None
    proposals["investigating-crime"] = Proposal("investigating-crime", "requires-improvement", "r")
    found = propose_pillar(framework, rule, "effectiveness", proposals)
    assert found.grade == "requires-improvement" and len(found.used) == 2
    # A question listed as a gap does not count.
    assert propose_pillar(framework, rule, "effectiveness", proposals, {"investigating-crime"}).grade is None


def _invented(force: str, year: int, gaps: tuple[str, ...] = ()) -> EvidenceFile:
    """Invented evidence (not any force's findings): a strength in every core topic of every graded
    effectiveness question, so the first rubric proposes good for each."""
    framework = load_framework(year)
    findings = []
    for q in framework.pillar("effectiveness").questions:
        if q.graded:
            for n, topic in enumerate(q.core_topics):
                findings.append(
                    {
                        "id": f"{q.id}-{n}",
                        "inspection": "invented",
                        "question": q.id,
                        "kind": "strength",
                        "topics": [topic],
                        "text": f"Invented strength on {topic}.",
                    }
                )
    return EvidenceFile.model_validate(
        {
            "force": force,
            "year": year,
            "protocol": "blind-1",
            "inspections": [
                {"id": "invented", "kind": "peel-effectiveness", "title": "Invented", "source": "invented"}
            ],
            "findings": findings,
            "gaps": [{"question": g, "reason": "invented gap"} for g in gaps],
        }
    )


def _forces_graded_in(years: tuple[int, ...]) -> list[str]:
    """Forces with a published effectiveness grade in every one of `years`, none of them left out
    of those cycles' calibration."""
    sets = [{r.force_id for r in load_published_grades(y) if r.pillar_id == "effectiveness"} for y in years]
    left_out = {e.force for y in years for e in load_setup(y).excluded}
    return sorted(set.intersection(*sets) - left_out)


def test_pillar_rows_and_the_previous_cycle_baseline(con: duckdb.DuckDBPyConnection) -> None:
    forces = _forces_graded_in((2016, 2017))[:3]
    result = calibrate(con, 2017, {f: _invented(f, 2017) for f in forces})
    pillars = [r for r in result.rows if r.target_kind == "pillar"]
    assert {r.force_id for r in pillars} == set(forces)
    for row in pillars:
        assert row.target == "effectiveness" and row.fired[0][0] == "pillar"
        published_2016 = published_grade(row.force_id, 2016, "effectiveness")
        assert published_2016 is not None
        # The crosswalk says 2017's effectiveness pillar compares with 2016's.
        assert row.previous == published_2016.grade
        assert row.most_common == most_common_grades(2017)["effectiveness"]
    data = result.as_json()
    assert data["baselines"]["previous_cycle"]["all"]["compared"] == len(pillars)
    assert data["protocol"] == dict.fromkeys(forces, "blind-1")
    # 2016's effectiveness pillar gained a question (specialist capabilities): not comparable with 2015.
    assert previous_grade(forces[0], 2016, "effectiveness", "pillar")[0] is None


def test_questions_listed_as_gaps_are_left_out(con: duckdb.DuckDBPyConnection) -> None:
    force = _forces_graded_in((2016,))[0]
    result = calibrate(con, 2016, {force: _invented(force, 2016, gaps=("protecting-vulnerable",))})
    assert not any(r.target == "protecting-vulnerable" for r in result.rows)
    assert {"force": force, "target": "protecting-vulnerable", "why": "listed as a gap: invented gap"} in (
        result.not_compared
    )
    pillar = next(r for r in result.rows if r.target == "effectiveness")
    assert "protecting-vulnerable" not in pillar.fired[0][1] and "3 question proposals" in pillar.fired[0][1]


# ---- The rule parameters the 2014 tuning uses, on invented findings ------------------------------


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


@pytest.mark.parametrize("better", ["not-needed", "all-if-any"])
def test_outstanding_without_indicators_needs_an_exceptional_finding(better: str) -> None:
    outstanding = Rule(
        id="x",
        type="outstanding_conditions",
        description="x",
        proposes="outstanding",
        better_indicators=better,
    )
    plain = _finding("s", "strength", ("investigation quality",))
    assert _grade([GOOD_ANY, outstanding], plain) == "good"
    assert _grade([GOOD_ANY, outstanding], plain.model_copy(update={"is_exceptional": True})) == "outstanding"
    # Read literally ("all"), a question without primary indicators can never be outstanding.
    literal = outstanding.model_copy(update={"better_indicators": "all"})
    assert _grade([GOOD_ANY, literal], plain.model_copy(update={"is_exceptional": True})) == "good"
