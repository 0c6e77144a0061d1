"""One force's published grades across every PEEL cycle, side by side.

Rows follow an area of policing from cycle to cycle as the crosswalk (framework/mappings) links
them; a column is one cycle. Each grade is the inspectorate's, with its date, the kind of source
that names it and the source; a grade the inspectorate revised shows the grade first published and
the revision. Where the row continues from the previous cycle, the cell says what the crosswalk
says: the grades compare, partly compare, or do not compare. Nothing here is openpeel's grade.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from openpeel.framework import Framework, available_years, load_framework, mapping_into
from openpeel.framework.mapping import comparable_with_previous, pillar_comparable_with_previous
from openpeel.framework.published_coverage import ForceCoverage
from openpeel.framework.published_grades import PublishedGrade, load_published_grades
from openpeel.framework.published_records import Revision, revisions
from openpeel.publish.cycle_coverage import area_name, coverage_text, cycle_coverage_view

KIND_WORDS = {
    "inspectorate": "the inspectorate's page",
    "commissioner": "the commissioner's office",
    "force": "the force's page",
    "press": "a press report",
}


def date_text(day: dt.date | None) -> str:
    return f"{day.day} {day.strftime('%B %Y')}" if day else "date not stated"


def published_text(day: dt.date | None) -> str:
    return f"Published {date_text(day)}" if day else "Date not stated"


@dataclass(frozen=True)
class EarlierGrade:
    """A grade the inspectorate published and later changed."""

    label: str
    published: str
    revised_on: str
    reason: str
    source_url: str
    source_kind: str


@dataclass(frozen=True)
class GradeCell:
    year: int
    area: str
    """the area's name in this cycle"""
    label: str | None
    """the grade as it stands; None where no source names it"""
    published: str = ""
    source_kind: str = ""
    source_url: str | None = None
    earlier: tuple[EarlierGrade, ...] = ()
    link: str | None = None
    """what the crosswalk says of the previous cycle's cell in the row, where that has a grade"""
    comparable: bool = False

    @property
    def kind_text(self) -> str:
        return KIND_WORDS.get(self.source_kind, self.source_kind)


@dataclass(frozen=True)
class AreaRow:
    heading: str
    cells: tuple[GradeCell | None, ...]
    """one per cycle; None where the row's area is not in that cycle"""


@dataclass(frozen=True)
class CycleColumn:
    year: int
    title: str
    coverage: ForceCoverage
    coverage_text: str


@dataclass(frozen=True)
class ForceCycles:
    columns: tuple[CycleColumn, ...]
    rows: tuple[AreaRow, ...]


def _targets(framework: Framework) -> list[tuple[str, bool]]:
    """(pillar or question id, is a pillar) of every area the cycle grades."""
    out = [(p.id, True) for p in framework.pillars if p.has_overall_grade]
    return out + [(q.id, False) for q in framework.questions() if q.graded]


def _same_scale(a: Framework, b: Framework) -> bool:
    return [g.id for g in a.grade_scale] == [g.id for g in b.grade_scale]


def _link_text(framework: Framework, target: str, is_pillar: bool, previous: Framework) -> tuple[str, bool]:
    """What the crosswalk says of the area against the previous cycle, and whether it compares."""
    if is_pillar:
        comparable = pillar_comparable_with_previous(framework.year, target)
        partly = False
    else:
        comparable = comparable_with_previous(framework.year, target)
        mapping = mapping_into(framework.year)
        partly = mapping is not None and mapping.link(target).comparability == "partly-comparable"
    if comparable and _same_scale(framework, previous):
        return f"compares with {previous.title}", True
    if comparable:
        return f"the area compares with {previous.title}, but the grade scales differ", False
    if partly:
        return f"partly compares with {previous.title}: not set side by side", False
    return f"does not compare with {previous.title}", False


def _sources(framework: Framework, target: str, is_pillar: bool) -> tuple[str, ...]:
    """The previous cycle's areas the crosswalk says this one comes from (the same id first)."""
    mapping = mapping_into(framework.year)
    if mapping is None:
        return ()
    if is_pillar:
        earlier = load_framework(mapping.from_year)
        return (target,) if any(p.id == target and p.has_overall_grade for p in earlier.pillars) else ()
    sources = mapping.link(target).from_
    return tuple(sorted(sources, key=lambda s: s != target))


def _cell(
    framework: Framework, target: str, grade: PublishedGrade | None, history: Sequence[Revision]
) -> GradeCell:
    area = area_name(framework, target)
    if grade is None:
        return GradeCell(framework.year, area, None)
    earlier = tuple(
        EarlierGrade(
            framework.grade(r.grade_before).label,
            date_text(r.published_before),
            date_text(r.revised_on),
            r.reason,
            r.source_url,
            r.source_kind,
        )
        for r in sorted(history, key=lambda r: r.revised_on)
    )
    return GradeCell(
        framework.year,
        area,
        framework.grade(grade.grade).label,
        published_text(grade.published),
        grade.source_kind,
        grade.source_url,
        earlier,
    )


def force_cycles(force_id: str, years: Sequence[int] | None = None) -> ForceCycles:
    """The force's published grades for every cycle (default: all), rows linked by the crosswalk;
    rows with no named grade in any cycle are left out (each cycle's coverage names them)."""
    years = list(years if years is not None else available_years())
    frameworks = [load_framework(y) for y in years]
    changed = [r for r in revisions() if r.force_id == force_id]
    rows: list[list[GradeCell | None]] = []
    headings: list[str] = []
    pillar_rows: set[int] = set()
    where: dict[tuple[int, str], int] = {}
    for col, fw in enumerate(frameworks):
        grades = {r.target: r for r in load_published_grades(fw.year) if r.force_id == force_id}
        previous = frameworks[col - 1] if col > 0 else None
        for target, is_pillar in _targets(fw):
            cell = _cell(
                fw,
                target,
                grades.get(target),
                [r for r in changed if r.year == fw.year and r.target == target],
            )
            row_index = None
            if previous is not None:
                for source in _sources(fw, target, is_pillar):
                    found = where.get((previous.year, source))
                    if found is not None and rows[found][col] is None:
                        row_index = found
                        break
            if row_index is None:
                rows.append([None] * len(frameworks))
                headings.append(cell.area)
                row_index = len(rows) - 1
                if is_pillar:
                    pillar_rows.add(row_index)
            before = rows[row_index][col - 1] if col > 0 else None
            if previous is not None and before is not None and before.label and cell.label:
                text, comparable = _link_text(fw, target, is_pillar, previous)
                cell = replace(cell, link=text, comparable=comparable)
            rows[row_index][col] = cell
            headings[row_index] = cell.area  # the latest cycle's name for the area
            where[(fw.year, target)] = row_index
    columns = []
    for fw in frameworks:
        coverage = cycle_coverage_view(fw.year).of(force_id)
        columns.append(CycleColumn(fw.year, fw.title, coverage, coverage_text(fw, coverage, brief=True)))
    # Pillars graded as a whole first, then the areas within them, each in order of first appearance.
    order = sorted(range(len(rows)), key=lambda i: i not in pillar_rows)
    kept = [
        AreaRow(headings[i], tuple(rows[i])) for i in order if any(c is not None and c.label for c in rows[i])
    ]
    return ForceCycles(tuple(columns), tuple(kept))
