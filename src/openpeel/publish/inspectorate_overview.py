"""The national overview of the grades the inspectorate published for one PEEL cycle.

One column per pillar graded as a whole and per graded question the published-grades table holds
grades for; one row per force. Each cell states the grade in words (the colour only repeats it),
with the change since the previous cycle where the crosswalk says the pillar or question compares
(framework.comparable_with_previous, framework.pillar_comparable_with_previous) and both cycles
use the same grade scale. Nothing here comes from openpeel's rubric.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpeel.forces import territorial_forces
from openpeel.framework import (
    Framework,
    comparable_with_previous,
    load_framework,
    mapping_into,
    pillar_comparable_with_previous,
)
from openpeel.framework.published_grades import PublishedGrade, load_published_grades
from openpeel.publish.charts import grade_chart
from openpeel.publish.model import Chart
from openpeel.publish.tile_map import grade_colours, tile_map_chart

NO_GRADE = "No published grade"


@dataclass(frozen=True)
class Target:
    """A pillar or question column, and the previous cycle's pillar or question it compares with."""

    target_id: str
    heading: str
    text: str
    previous_id: str | None


@dataclass(frozen=True)
class PublishedCell:
    label: str
    rank: int
    """sort key: 1 is the best grade; gaps sort last"""
    source_url: str | None
    change: str | None = None
    """e.g. 'up from requires improvement in PEEL 2015'; None where nothing compares"""


@dataclass(frozen=True)
class PublishedRow:
    force_id: str
    force_name: str
    region: str
    cells: tuple[PublishedCell, ...]


@dataclass(frozen=True)
class PublishedOverview:
    year: int
    title: str
    previous_title: str | None
    targets: tuple[Target, ...]
    grade_labels: tuple[str, ...]
    rows: tuple[PublishedRow, ...]
    counts: tuple[tuple[int, ...], ...]
    """counts[target][grade], the last grade being NO_GRADE"""
    chart: Chart | None
    maps: tuple[Chart, ...] = ()
    """one tile map of the forces per pillar or question, coloured by the published grade"""

    def by_region(self) -> list[tuple[str, list[PublishedRow]]]:
        regions: dict[str, list[PublishedRow]] = {}
        for row in self.rows:
            regions.setdefault(row.region, []).append(row)
        return sorted(regions.items())

    @property
    def compared(self) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if t.previous_id is not None)


def _previous_id(framework: Framework, target_id: str, is_pillar: bool) -> str | None:
    mapping = mapping_into(framework.year)
    if mapping is None:
        return None
    earlier = load_framework(mapping.from_year)
    # Grades compare only on one scale: ranks of a four-tier and a five-tier scale mean different things.
    if [g.id for g in earlier.grade_scale] != [g.id for g in framework.grade_scale]:
        return None
    if is_pillar:
        return target_id if pillar_comparable_with_previous(framework.year, target_id) else None
    if not comparable_with_previous(framework.year, target_id):
        return None
    sources = mapping.link(target_id).from_
    return sources[0] if len(sources) == 1 else None


def _targets(framework: Framework, rows: list[PublishedGrade]) -> tuple[Target, ...]:
    held = {r.target for r in rows}
    out = [
        Target(
            p.id, f"{p.title} (overall)", f"{p.title}, graded as a whole", _previous_id(framework, p.id, True)
        )
        for p in framework.pillars
        if p.has_overall_grade and p.id in held
    ]
    for q in framework.questions():
        if q.graded and q.id in held:
            phrase = q.summary_phrase or q.text
            out.append(
                Target(q.id, phrase[:1].upper() + phrase[1:], q.text, _previous_id(framework, q.id, False))
            )
    return tuple(out)


def _change(
    framework: Framework, before: PublishedGrade | None, now: PublishedGrade | None, title: str
) -> str | None:
    if before is None or now is None:
        return None
    was, rank_was, rank_now = (
        framework.grade(before.grade),
        framework.grade(before.grade).rank,
        framework.grade(now.grade).rank,
    )
    if rank_now == rank_was:
        return f"unchanged since {title}"
    direction = "up" if rank_now < rank_was else "down"
    return f"{direction} from {was.label.lower()} in {title}"


def build_published_overview(framework: Framework) -> PublishedOverview:
    rows = load_published_grades(framework.year)
    targets = _targets(framework, rows)
    mapping = mapping_into(framework.year)
    previous = load_framework(mapping.from_year) if mapping is not None else None
    earlier = (
        {(r.force_id, r.target): r for r in load_published_grades(previous.year)}
        if previous is not None
        else {}
    )
    held = {(r.force_id, r.target): r for r in rows}
    scale = sorted(framework.grade_scale, key=lambda g: g.rank)
    out = []
    for force in sorted(territorial_forces(), key=lambda f: f.name):
        cells = []
        for t in targets:
            grade = held.get((force.force_id, t.target_id))
            if grade is None:
                cells.append(PublishedCell(NO_GRADE, len(scale) + 1, None))
                continue
            before = earlier.get((force.force_id, t.previous_id)) if t.previous_id and previous else None
            change = _change(framework, before, grade, previous.title) if previous else None
            cells.append(
                PublishedCell(
                    framework.grade(grade.grade).label,
                    framework.grade(grade.grade).rank,
                    grade.source_url,
                    change,
                )
            )
        out.append(PublishedRow(force.force_id, force.name, force.region or force.country, tuple(cells)))
    labels = (*(g.label for g in scale), NO_GRADE)
    counts = tuple(
        tuple(sum(1 for r in out if r.cells[i].label == label) for label in labels)
        for i in range(len(targets))
    )
    chart = (
        grade_chart(
            [t.heading for t in targets],
            labels,
            counts,
            framework.title,
            whose="published by the inspectorate",
            chart_id="chart-published-grades",
        )
        if targets
        else None
    )
    return PublishedOverview(
        framework.year,
        framework.title,
        previous.title if previous is not None else None,
        targets,
        labels,
        tuple(out),
        counts,
        chart,
        tuple(
            tile_map_chart(
                f"chart-map-{t.target_id}",
                f"{t.heading}: published grades, {framework.title}",
                {r.force_id: r.cells[i].label for r in out if r.cells[i].label != NO_GRADE},
                grade_colours([g.label for g in scale]),
                "Published grade",
            )
            for i, t in enumerate(targets)
        ),
    )
