"""A force's published grades across every cycle, side by side: rows linked by the crosswalk,
each grade with its source kind and date, revisions as history, each cycle's coverage."""

from __future__ import annotations

import duckdb
from tests.publish.cycle_regions import cycle_titles

from openpeel.framework import available_years, load_framework
from openpeel.framework.mapping import comparable_with_previous, pillar_comparable_with_previous
from openpeel.framework.published_coverage import cycle_coverage
from openpeel.framework.published_grades import published_grades
from openpeel.framework.published_records import revisions
from openpeel.publish.cycle import Cycle
from openpeel.publish.force_cycles import GradeCell, force_cycles
from openpeel.publish.site import force_years_page


def _cells(force_id: str) -> list[tuple[str, GradeCell]]:
    across = force_cycles(force_id)
    return [(row.heading, c) for row in across.rows for c in row.cells if c is not None and c.label]


def test_every_published_grade_is_in_one_cell_with_its_kind_and_date() -> None:
    for force_id in ("kent", "northamptonshire", "humberside"):
        cells = [c for _, c in _cells(force_id)]
        rows = published_grades(force=force_id)
        assert len(cells) == len(rows)
        for row in rows:
            fw = load_framework(row.year)
            match = [
                c
                for c in cells
                if c.year == row.year
                and c.source_url == row.source_url
                and c.label == fw.grade(row.grade).label
            ]
            assert match, (force_id, row.year, row.target)
            assert all(c.source_kind == row.source_kind for c in match)
            if row.published:
                assert any(row.published.strftime("%B %Y") in c.published for c in match)
            else:
                assert any(c.published == "Date not stated" for c in match)


def test_columns_are_every_cycle_with_the_forces_coverage() -> None:
    across = force_cycles("northamptonshire")
    assert [c.year for c in across.columns] == available_years()
    for column in across.columns:
        expected = next(r for r in cycle_coverage(column.year) if r.force_id == "northamptonshire")
        assert column.coverage.status == expected.status
        assert column.coverage_text.lower().startswith(expected.status.replace("-", " "))


def test_northamptonshire_2023_responding_keeps_its_first_grade_and_the_revision() -> None:
    cells = [c for _, c in _cells("northamptonshire") if c.year == 2023]
    responding = next(c for c in cells if c.area == "Responding to the public")
    assert responding.label == "Requires improvement"
    revision = next(r for r in revisions() if r.force_id == "northamptonshire" and r.year == 2023)
    assert len(responding.earlier) == 1
    first = responding.earlier[0]
    assert first.label == "Adequate" and first.revised_on == "8 August 2024"
    assert first.reason == revision.reason and "wrong" in first.reason


def test_the_crosswalk_marks_what_compares() -> None:
    across = force_cycles("kent")
    titles = [c.title for c in across.columns]
    seen_comparable = seen_not = False
    for row in across.rows:
        for i, cell in enumerate(row.cells):
            if cell is None or not cell.label or i == 0:
                continue
            before = row.cells[i - 1]
            if before is None or not before.label:
                assert cell.link is None
                continue
            assert cell.link is not None and titles[i - 1] in cell.link
            if cell.comparable:
                seen_comparable = True
                assert cell.link == f"compares with {titles[i - 1]}"
            else:
                seen_not = True
                assert "compare" in cell.link and cell.link != f"compares with {titles[i - 1]}"
    assert seen_comparable and seen_not
    # Kent's effectiveness as a whole compares from 2016 to 2017, as the crosswalk computes.
    effectiveness = next(r for r in across.rows if r.heading == "Effectiveness as a whole")
    cell_2017 = effectiveness.cells[available_years().index(2017)]
    assert cell_2017 is not None and cell_2017.comparable == pillar_comparable_with_previous(
        2017, "effectiveness"
    )
    # No grade of 2021/22 compares with 2018/19: the inspectorate says so, and the crosswalk too.
    col_2021 = available_years().index(2021)
    for row in across.rows:
        cell = row.cells[col_2021]
        if cell is not None and cell.label:
            assert not cell.comparable
    assert not any(comparable_with_previous(2021, q.id) for q in load_framework(2021).questions())


def test_the_force_page_lays_the_cycles_side_by_side(publish_con: duckdb.DuckDBPyConnection) -> None:
    cycles = [Cycle(publish_con, y) for y in available_years()]
    page = force_years_page(cycles, {2014}, 2014, "northamptonshire")
    table = page[page.index('id="published-grades"') :]
    table = table[: table.index("</table>")]
    head = table[: table.index("</thead>")]
    for title in sorted(cycle_titles()):
        assert f">{title}</th>" in head
    assert "Coverage of the published grades" in table
    assert "First published as adequate (date not stated); changed on 8 August 2024." in table
    assert "compares with PEEL 2016" in table
    # Each named grade, revision and count source links to its page.
    links = table.count('<a href="http')
    counts = sum(len(c.coverage.counts) for c in force_cycles("northamptonshire").columns)
    assert links == len(published_grades(force="northamptonshire")) + 1 + counts
