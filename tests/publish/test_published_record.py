"""Published and proposed, never confused: the inspectorate's grades beside openpeel's in the
report, the national overview and the titles of every cycle."""

from __future__ import annotations

import re

import duckdb
import pytest

from openpeel.evidence import bundled_evidence_files, load_evidence_file
from openpeel.framework import load_framework, pillar_comparable_with_previous
from openpeel.framework.published_grades import published_grade, published_grades
from openpeel.publish import build_report, render
from openpeel.publish.inspectorate_overview import NO_GRADE, build_published_overview
from openpeel.publish.model import Report
from openpeel.publish.site import SiteResult

NORTHANTS_SOURCE = (
    "https://hmicfrs.justiceinspectorates.gov.uk/peel-assessments/peel-2014/northamptonshire/effectiveness/"
)


@pytest.fixture(scope="module")
def northants(publish_con: duckdb.DuckDBPyConnection) -> Report:
    ev = load_evidence_file(
        next(p for p in bundled_evidence_files() if p.name == "northamptonshire-2014.yaml")
    )
    return build_report(publish_con, "northamptonshire", 2014, ev)


def test_northamptonshire_2014_shows_its_three_published_grades_beside_the_agreeing_proposal(
    northants: Report,
) -> None:
    graded = [q for q in northants.questions if q.published is not None]
    assert [(q.question_id, q.published.label) for q in graded if q.published] == [
        ("reducing-crime", "Good"),
        ("investigating-offending", "Requires improvement"),
        ("tackling-asb", "Good"),
    ]
    for q in graded:
        assert q.published is not None
        assert q.published.source_url == NORTHANTS_SOURCE and q.published.date_text == "12 November 2014"
        assert q.grade_label == q.published.label and q.agreement == "agrees"
        assert q.grade_note == "proposed by rubric-2014; not yet recorded as a draft in the workspace"
    html = render(northants, "html")
    for q in graded:
        section = html[html.index(f'id="q-{q.question_id}"') :]
        section = section[: section.index("</section>")]
        published = re.search(
            r"Grade published by the inspectorate: <strong[^>]*>([^<]+)</strong>(.*?)</p>", section
        )
        proposed = re.search(r"openpeel's grade: <strong[^>]*>([^<]+)</strong>(.*?)</p>", section, re.S)
        assert published and proposed
        assert published[1] == proposed[1] == q.grade_label
        assert (
            "12 November 2014" in published[2] and f'<a href="{NORTHANTS_SOURCE}">source</a>' in published[2]
        )
        assert (
            "proposed by rubric-2014; not yet recorded" in proposed[2]
            and "agrees with the published grade" in proposed[2]
        )
        # The published line comes first and is never styled as openpeel's grade.
        assert section.index("Grade published by") < section.index("openpeel's grade")
    rows = [j for j in northants.judgements if j.published]
    assert [(j.grade_label, j.published.label, j.agreement) for j in rows if j.published] == [
        ("Good", "Good", "agrees"),
        ("Requires improvement", "Requires improvement", "agrees"),
        ("Good", "Good", "agrees"),
    ]
    text = render(northants, "text")
    assert (
        f"In its PEEL 2014 grades, published on 12 November 2014 (source: {NORTHANTS_SOURCE}), the "
        "inspectorate found that Northamptonshire Police is good at reducing crime and preventing offending, "
        "requires improvement at investigating offending and is good at tackling anti-social behaviour."
        in text
    )
    assert ": the same as the inspectorate's published grades on all 3." in text
    md = render(northants, "md")
    assert md.count(f"[source](<{NORTHANTS_SOURCE}>)") == 6  # three in the table, three in the sections


def test_a_force_without_findings_shows_published_grades_and_no_grade_of_its_own(
    publish_con: duckdb.DuckDBPyConnection,
) -> None:
    report = build_report(publish_con, "kent", 2014, None)
    for q in report.questions:
        row = published_grade("kent", 2014, q.question_id)
        assert (q.published.label if q.published else None) == (
            load_framework(2014).grade(row.grade).label if row else None
        )
        assert q.grade_label is None and q.agreement is None
    assert sum(q.published is not None for q in report.questions) == 3
    text = render(report, "text")
    assert "openpeel gives no grades" in text and "the inspectorate found that Kent Police is good at" in text
    assert "the same as the inspectorate's" not in text


@pytest.mark.parametrize(
    ("force", "year", "title"),
    [
        # From 2021/22 a report takes its cycle's own title (framework `report`).
        ("kent", 2021, "PEEL 2021/22 – An inspection of Kent Police"),
        ("kent", 2018, "Kent PEEL 2018/19"),
        ("merseyside", 2023, "PEEL 2023–2025: An inspection of Merseyside Police"),
    ],
)
def test_titles_use_the_cycle_as_the_inspectorate_writes_it(
    publish_con: duckdb.DuckDBPyConnection, force: str, year: int, title: str
) -> None:
    report = build_report(publish_con, force, year, None)
    assert report.title == title
    assert render(report, "text").splitlines()[0] == title


def test_a_pillar_compares_only_where_the_crosswalk_carries_all_its_questions() -> None:
    # 2016 re-cut efficiency around demand, and legitimacy from 2015's four questions into three.
    assert not pillar_comparable_with_previous(2016, "legitimacy")
    assert not pillar_comparable_with_previous(2016, "efficiency")
    assert pillar_comparable_with_previous(2018, "legitimacy")
    assert all(
        pillar_comparable_with_previous(2017, p) for p in ("effectiveness", "efficiency", "legitimacy")
    )
    # 2014 graded only efficiency as a whole; 2021/22 grades no pillar as a whole.
    assert not pillar_comparable_with_previous(2015, "effectiveness")
    assert not pillar_comparable_with_previous(2021, "effectiveness")


def test_the_published_overview_states_every_grade_and_the_change_where_comparable() -> None:
    overview = build_published_overview(load_framework(2017))
    assert overview.previous_title == "PEEL 2016"
    assert len(overview.rows) == 43
    held = {(r.force_id, r.target): r for r in published_grades(2017)}
    before = {(r.force_id, r.target): r for r in published_grades(2016)}
    changes = 0
    for row in overview.rows:
        for target, cell in zip(overview.targets, row.cells, strict=True):
            grade = held.get((row.force_id, target.target_id))
            if grade is None:
                assert cell.label == NO_GRADE and cell.change is None
                continue
            assert cell.label == load_framework(2017).grade(grade.grade).label
            assert cell.source_url == grade.source_url
            earlier = before.get((row.force_id, target.previous_id)) if target.previous_id else None
            assert (cell.change is None) == (earlier is None)
            changes += earlier is not None
    assert changes > 100
    bedfordshire = next(r for r in overview.rows if r.force_id == "bedfordshire")
    effectiveness = bedfordshire.cells[[t.target_id for t in overview.targets].index("effectiveness")]
    assert (
        before[("bedfordshire", "effectiveness")].grade,
        held[("bedfordshire", "effectiveness")].grade,
    ) == (
        "inadequate",
        "requires-improvement",
    )
    assert effectiveness.change == "up from inadequate in PEEL 2016"


def test_no_change_is_shown_across_a_change_of_grade_scale() -> None:
    # 2021/22 brought the five-tier scale; the crosswalk marks nothing comparable with 2018/19.
    overview = build_published_overview(load_framework(2021))
    assert overview.compared == ()
    assert all(c.change is None for r in overview.rows for c in r.cells)
    assert "Adequate" in overview.grade_labels


@pytest.mark.slow
def test_overview_page_shows_published_grades_in_words_with_their_colour(site_overview_2014: str) -> None:
    html = site_overview_2014
    table = html[
        html.index('id="published-table"') : html.index("</table>", html.index('id="published-table"'))
    ]
    cells = re.findall(
        r'<td class="grade-cell grade-bg-([a-z-]+)" data-sort="(\d)">(?:<a href="([^"]+)">)?([^<]+)<', table
    )
    assert len(cells) == 43 * 4
    for cls, _rank, href, label in cells:
        assert cls == label.lower().replace(" ", "-")
        assert bool(href) == (label != NO_GRADE)
    assert html.index("Grades the inspectorate published") < html.index("openpeel's grades")


@pytest.fixture(scope="module")
def site_overview_2014(site: SiteResult) -> str:
    return (site.out_dir / "2014" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("year", [2016, 2017, 2018])
def test_later_cycles_preventing_crime_carries_its_primary_indicators(
    publish_con: duckdb.DuckDBPyConnection, year: int
) -> None:
    from openpeel.indicators import catalogue

    question = load_framework(year).question("preventing-crime")
    assert question.primary_indicators == ("recorded_crime_change_1y_pct", "asb_rate")
    for ind_id in (*question.primary_indicators, *question.supporting_indicators):
        assert "preventing-crime" in catalogue().get(ind_id).questions[year]
    report = build_report(publish_con, "kent", year, None)
    section = next(q for q in report.questions if q.question_id == "preventing-crime")
    # The overview states the headline change; the section does not say it again.
    overview = " ".join(p.plain for p in report.overview if p.kind == "data")
    data = " ".join(p.plain for p in section.paragraphs if p.kind == "data")
    period = load_framework(year).data_periods["recorded_crime"].label
    assert f"In the {period}, compared with a year earlier, recorded crime (excluding fraud)" in overview
    assert "recorded crime (excluding fraud)" not in data.replace("recorded crimes (excluding fraud)", "")
    assert "anti-social behaviour incidents per 1,000 people in Kent" in data
