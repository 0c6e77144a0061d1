"""Reports of the recent cycles (PEEL 2021/22, 2023-25, 2025-27) in their own form (issue 25).

A report of these cycles follows the cycle's published report: the judgments table (every graded
area with the inspectorate's grade, its date and the kind of page it was read on, or "not found",
and the counts per grade where a source gives only those; beside it openpeel's grade with whose it
is and its state), the inspector's summary, and a section per area with its causes of concern,
areas for improvement and innovative or promising practice beside openpeel's analysis. Evidence
for these cycles is still being written: the findings here are INVENTED (tests/publish/invented_recent.py).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from tests.publish.invented_recent import SUMMARY, load_invented

from openpeel.forces import territorial_forces
from openpeel.framework import load_framework
from openpeel.framework.published_coverage import cycle_coverage
from openpeel.framework.published_grades import load_published_grades
from openpeel.publish.cycle import Cycle
from openpeel.publish.model import Report
from openpeel.publish.register import body_text, grade_sentences_without_author
from openpeel.publish.render import render


@pytest.fixture(scope="module")
def northants_2023(
    publish_con: duckdb.DuckDBPyConnection, tmp_path_factory: pytest.TempPathFactory
) -> Report:
    evidence = load_invented(tmp_path_factory.mktemp("invented"), "northamptonshire", 2023)
    return Cycle(publish_con, 2023, {"northamptonshire": evidence}, {}).report("northamptonshire")


def test_a_2023_25_report_takes_the_cycles_title_and_headings(northants_2023: Report) -> None:
    assert northants_2023.shape == "graded-areas"
    assert northants_2023.title == "PEEL 2023–2025: An inspection of Northamptonshire Police"
    assert northants_2023.section_title == "Police effectiveness, efficiency and legitimacy"
    assert northants_2023.judgments_title == "Our judgments"
    assert northants_2023.inspector_summary_title == "HM Inspector's summary"
    text = render(northants_2023, "text")
    for heading in ("Overall summary", "Our judgments", "HM Inspector's summary", "The areas inspected"):
        assert f"\n{heading}" in text
    # One section per area of every pillar, under openpeel's grouping of the areas.
    framework = load_framework(2023)
    assert [s.question_id for s in northants_2023.questions] == [q.id for q in framework.questions()]
    assert {s.pillar_title for s in northants_2023.questions} == {p.section_title for p in framework.pillars}


def test_the_judgments_table_holds_every_graded_area(northants_2023: Report) -> None:
    framework = load_framework(2023)
    rows = {r.question_id: r for r in northants_2023.area_grades}
    assert list(rows) == [q.id for q in framework.questions() if q.graded]
    published = {r.target: r for r in load_published_grades(2023) if r.force_id == "northamptonshire"}
    for question_id, row in rows.items():
        if question_id in published:
            assert row.published is not None and row.not_found is None
            assert row.published.label == framework.grade(published[question_id].grade).label
            assert row.published.source_url == published[question_id].source_url
            assert row.published.source_kind == "a commissioner's page"
        else:
            assert row.published is None and row.not_found and "not found" in row.not_found
    # The revised grade keeps its history: published adequate, changed on 8 August 2024, and why.
    revised = rows["responding-to-public"].published
    assert revised is not None and revised.label == "Requires improvement"
    assert revised.date_text == "8 August 2024" and revised.revision is not None
    assert "published as adequate, changed to requires improvement on 8 August 2024" in revised.revision
    assert "data" in revised.revision
    # openpeel's grades name their author and state; an area without findings says why it has none.
    assert rows["investigating-crime"].openpeel_grade == "Inadequate"
    assert "rubric-2021" in rows["investigating-crime"].openpeel_whose
    assert "not yet recorded as a draft" in rows["investigating-crime"].openpeel_whose
    assert rows["managing-offenders"].openpeel_grade is None
    assert rows["managing-offenders"].openpeel_whose == "no inspection findings loaded"
    # The source that gives only counts is shown as counts, naming no area.
    assert northants_2023.grade_counts and "Counts only" in northants_2023.grade_counts[0].plain


def test_each_area_carries_its_findings_by_kind(northants_2023: Report) -> None:
    sections = {s.question_id: s for s in northants_2023.questions}
    titles = {q: [g.title for g in s.groups] for q, s in sections.items() if s.groups}
    assert titles == {
        "preventing-crime": ["Innovative practice", "What the force does well"],
        "responding-to-public": ["Areas for improvement"],
        "investigating-crime": ["Causes of concern", "Areas for improvement"],
        "protecting-vulnerable": ["Promising practice"],
        "public-treatment": ["Other findings"],
    }
    concern = sections["investigating-crime"].groups[0]
    assert concern.kind == "cause-of-concern" and "INVENTED" in concern.items[0].plain
    assert concern.items[0].source and "INVENTED" in concern.items[0].source
    # An area without findings says so; an ungraded area says it is not graded.
    assert [p.plain for p in sections["managing-offenders"].notes] == [
        "The findings loaded for this force hold nothing on this area."
    ]
    assert any("does not grade this area" in p.plain for p in sections["victim-service"].notes)
    html = render(northants_2023, "html")
    assert "<h5>Innovative practice</h5>" in html and "<h5>Promising practice</h5>" in html
    assert "<h5>Causes of concern</h5>" in html


def test_the_inspectors_summary_comes_from_the_evidence(
    northants_2023: Report, publish_con: duckdb.DuckDBPyConnection
) -> None:
    assert [p.plain for p in northants_2023.inspector_summary] == [SUMMARY]
    assert (
        northants_2023.inspector_summary[0].source
        and "INVENTED" in northants_2023.inspector_summary[0].source
    )
    without = Cycle(publish_con, 2023, {}, {}).report("northamptonshire")
    assert without.is_data_led
    assert "no account of the inspector's summary" in without.inspector_summary[0].plain
    assert (
        "No inspection findings are loaded for Northamptonshire Police" in without.inspector_summary[0].plain
    )


def test_a_force_known_only_by_counts_shows_them_and_names_no_grade(
    publish_con: duckdb.DuckDBPyConnection,
) -> None:
    counted = [r.force_id for r in cycle_coverage(2023) if r.status == "counts-only"]
    assert counted
    report = Cycle(publish_con, 2023, {}, {}).report(counted[0])
    assert all(row.published is None and row.not_found for row in report.area_grades)
    assert report.grade_counts and all(p.source for p in report.grade_counts)
    assert "only how many areas got each grade" in report.summary[0].plain


def test_2021_22_reports_take_that_cycles_names(
    publish_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    cycle = Cycle(publish_con, 2021, {"city-of-london": load_invented(tmp_path, "city-of-london", 2021)}, {})
    report = cycle.report("city-of-london")
    assert report.title == "PEEL 2021/22 – An inspection of the City of London Police"
    assert report.inspector_summary_title == "HM Inspector's observations"
    framework = load_framework(2021)
    assert [r.question_id for r in report.area_grades] == [q.id for q in framework.questions() if q.graded]
    assert {s.question_id: s.text for s in report.questions}["public-treatment"] == "Treatment of the public"
    # Proposals cover every pillar's areas, not only effectiveness.
    assert set(cycle.proposals("city-of-london")) == {q.id for q in framework.questions() if q.graded}


@pytest.mark.parametrize("year", [2021, 2023, 2025])
def test_no_sentence_of_a_recent_report_states_a_grade_without_its_author(
    year: int, publish_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    forces = [f.force_id for f in territorial_forces()]
    evidence = {"northamptonshire": load_invented(tmp_path, "northamptonshire", year)}
    cycle = Cycle(publish_con, year, evidence, {})
    for force_id in forces:
        for fmt in ("text", "md"):
            text = render(cycle.report(force_id), fmt)  # type: ignore[arg-type]
            assert grade_sentences_without_author(body_text(text)) == [], (year, force_id, fmt)
