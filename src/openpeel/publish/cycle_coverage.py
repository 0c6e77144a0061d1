"""How much of one cycle's published grades the reference tables hold, as the national views and
a force's page say it (framework.published_coverage is the data).

Every sentence, map and table here is about one PEEL cycle and names it: coverage of different
cycles is never added up, and a force's coverage is always said with its cycle.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from openpeel.forces import get_force, territorial_forces
from openpeel.framework import Framework, available_years, load_framework
from openpeel.framework.published_coverage import STATUSES, CoverageStatus, ForceCoverage, cycle_coverage
from openpeel.framework.published_grades import PublishedGrade, load_published_grades
from openpeel.publish.model import Chart
from openpeel.publish.tile_map import tile_map_chart

STATUS_LABELS: dict[CoverageStatus, str] = {
    "complete": "Complete",
    "partial": "Partial",
    "counts-only": "Counts only",
    "not-found": "Not found",
}
# A blue scale, so coverage is never read as a grade (grades use green to red).
STATUS_COLOURS = (
    (STATUS_LABELS["complete"], "#1d4f91"),
    (STATUS_LABELS["partial"], "#7fa7d9"),
    (STATUS_LABELS["counts-only"], "#b9a9dc"),
)


def area_name(framework: Framework, target: str) -> str:
    """A pillar or question of the cycle in a few words ('Investigating crime', 'Efficiency as a whole')."""
    for pillar in framework.pillars:
        if pillar.id == target:
            return f"{pillar.title} as a whole"
    question = framework.question(target)
    phrase = question.summary_phrase or question.text
    return phrase[:1].upper() + phrase[1:]


def grade_tally(framework: Framework, rows: Sequence[PublishedGrade]) -> str:
    """The named grades of one force in one cycle counted per grade, best first
    ('3 good, 4 adequate and 1 requires improvement'); empty where none is named."""
    counts = Counter(r.grade for r in rows)
    parts = [
        f"{counts[g.id]} {g.label.lower()}"
        for g in sorted(framework.grade_scale, key=lambda g: g.rank)
        if counts.get(g.id)
    ]
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def coverage_text(framework: Framework, row: ForceCoverage, *, brief: bool = False) -> str:
    """One force's coverage in one cycle, in words, without the cycle's name (the caller's table
    or heading names it); `brief` leaves out the names of the areas missing."""
    if row.status == "partial" and brief:
        named, wanted = len(row.graded), len(row.graded) + len(row.missing)
        counted = f"; {_counted(framework, row)}" if row.counts else ""
        return f"Partial: {named} of the {wanted} areas graded in every report named{counted}"
    if row.status == "complete":
        n = len(row.graded)
        return (
            f"Complete: every area graded in every report is named ({n} area{'' if n == 1 else 's'} in all)"
        )
    if row.status == "partial":
        named = len(row.graded)
        missing = "; ".join(area_name(framework, t) for t in row.missing)
        counted = f"; {_counted(framework, row)}" if row.counts else ""
        return f"Partial: {named} area{'' if named == 1 else 's'} named; no source names {missing}{counted}"
    if row.status == "counts-only":
        return f"Counts only: {_counted(framework, row)}"
    return "Not found: no source found names a grade"


def _counted(framework: Framework, row: ForceCoverage) -> str:
    counts = row.counts[0].counts()
    said = ", ".join(f"{n} {framework.grade(g).label.lower()}" for g, n in counts.items() if n)
    return f"a source counts {said}, without naming every area"


@dataclass(frozen=True)
class CycleCoverage:
    """Every territorial force's coverage in one cycle."""

    framework: Framework
    forces: tuple[ForceCoverage, ...]

    @property
    def year(self) -> int:
        return self.framework.year

    @property
    def title(self) -> str:
        return self.framework.title

    def tally(self) -> dict[CoverageStatus, int]:
        return {s: sum(1 for r in self.forces if r.status == s) for s in STATUSES}

    def of(self, force_id: str) -> ForceCoverage:
        return next(r for r in self.forces if r.force_id == force_id)

    def sentence(self) -> str:
        """The cycle's coverage in one sentence that names the cycle."""
        t = self.tally()
        total = len(self.forces)
        if t["not-found"] == total:
            return f"{self.title}: no source found names a published grade for any of the {total} forces yet."
        parts = [
            f"every area graded for {t['complete']}",
            f"some areas for {t['partial']}",
            f"only the number of areas per grade for {t['counts-only']}",
            f"nothing for {t['not-found']}",
        ]
        return (
            f"{self.title}: of the {total} forces, the published record names the grade of "
            + ", ".join(parts[:-1])
            + f" and {parts[-1]}."
        )

    def short(self) -> str:
        """'9 complete, 24 partial, 8 counts only, 2 not found (PEEL 2023-25)'"""
        t = self.tally()
        said = ", ".join(f"{n} {STATUS_LABELS[s].lower()}" for s, n in t.items())
        return f"{said} ({self.title})"

    def summaries(self) -> dict[str, str]:
        """force id -> its named grades counted per grade, for the cycle."""
        rows = load_published_grades(self.year)
        return {
            f.force_id: grade_tally(self.framework, [r for r in rows if r.force_id == f.force_id])
            for f in territorial_forces()
        }

    def map(self) -> Chart:
        """The cycle's coverage for the 43 forces, one square each; the table beside it says each
        force's coverage in words."""
        chart = tile_map_chart(
            f"chart-map-coverage-{self.year}",
            f"{self.title}: how much of each force's published grades the record holds",
            {r.force_id: STATUS_LABELS[r.status] for r in self.forces if r.status != "not-found"},
            list(STATUS_COLOURS),
            f"Coverage, {self.title}",
            missing=STATUS_LABELS["not-found"],
        )
        words = {get_force(r.force_id).name: coverage_text(self.framework, r) for r in self.forces}
        rows = tuple((name, words.get(name, status)) for name, status in chart.rows)
        return Chart(
            chart.chart_id, chart.kind, chart.title, chart.summary, chart.columns, rows, None, chart.data
        )


@cache
def cycle_coverage_view(year: int) -> CycleCoverage:
    """One cycle's coverage (the tables are shipped, so it is read once)."""
    return CycleCoverage(load_framework(year), tuple(cycle_coverage(year)))


def latest_graded_year() -> int:
    """The latest cycle for which the published record names any grade: the cycle the home page
    shows (a newer cycle with nothing published yet is listed, not mapped)."""
    graded = [y for y in available_years() if load_published_grades(y)]
    return max(graded) if graded else available_years()[-1]
