"""How far the published-grades tables cover each cycle: per force, complete, partial, counts only
or not found, with the searches recorded for each gap.

A force is complete for a cycle when every area the cycle grades in every force's report (its
pillars with an overall grade and its graded questions; not the areas only some reports grade, such
as a separate regional inspection's) has a named grade. Partial lists the areas missing; counts only
means a source gave the number of areas per grade but no source named them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from openpeel.core.errors import InputError
from openpeel.core.text_table import text_table_lines
from openpeel.forces import territorial_forces
from openpeel.framework.loader import available_years, load_framework
from openpeel.framework.models import Framework
from openpeel.framework.published_grades import FOLDER, PublishedGrade, load_published_grades
from openpeel.framework.published_records import (
    GradeCount,
    Revision,
    Search,
    grade_counts,
    revisions,
    searches,
)

CoverageStatus = Literal["complete", "partial", "counts-only", "not-found"]
STATUSES: tuple[CoverageStatus, ...] = ("complete", "partial", "counts-only", "not-found")


def required_areas(framework: Framework) -> list[str]:
    """The pillars and questions every force's report of the cycle grades."""
    pillars = [p.id for p in framework.pillars if p.has_overall_grade]
    questions = [q.id for q in framework.questions() if q.graded and q.graded_in_every_report]
    return pillars + questions


@dataclass(frozen=True)
class ForceCoverage:
    """What the tables hold for one force in one cycle."""

    force_id: str
    year: int
    cycle: str
    status: CoverageStatus
    graded: tuple[str, ...]
    """areas with a named grade, including areas only some reports grade"""
    missing: tuple[str, ...]
    """areas every report grades that have no named grade"""
    source_kinds: tuple[str, ...]
    counts: tuple[GradeCount, ...] = ()
    revised: tuple[str, ...] = ()
    search: Search | None = field(default=None)

    def as_json(self) -> dict[str, object]:
        return {
            "force_id": self.force_id,
            "year": self.year,
            "cycle": self.cycle,
            "status": self.status,
            "graded": list(self.graded),
            "missing": list(self.missing),
            "source_kinds": list(self.source_kinds),
            "counts": [c.as_json() for c in self.counts],
            "revised": list(self.revised),
            "searched": self.search.queries if self.search else [],
            "search_note": self.search.note if self.search else None,
        }


def classify(
    framework: Framework,
    force_id: str,
    rows: Sequence[PublishedGrade],
    counts: Sequence[GradeCount] = (),
    revised: Iterable[Revision] = (),
    search: Search | None = None,
) -> ForceCoverage:
    """One force's coverage in one cycle from its named grades, counts, revisions and search."""
    named = [r for r in rows if r.force_id == force_id and r.year == framework.year]
    graded = tuple(sorted({r.target for r in named}))
    missing = tuple(a for a in required_areas(framework) if a not in graded)
    force_counts = tuple(c for c in counts if c.force_id == force_id and c.year == framework.year)
    status: CoverageStatus
    if named and not missing:
        status = "complete"
    elif named:
        status = "partial"
    elif force_counts:
        status = "counts-only"
    else:
        status = "not-found"
    kinds = tuple(
        k for k in ("inspectorate", "commissioner", "force", "press") if k in {r.source_kind for r in named}
    )
    changed = tuple(
        sorted({r.target for r in revised if r.force_id == force_id and r.year == framework.year})
    )
    return ForceCoverage(
        force_id,
        framework.year,
        framework.title,
        status,
        graded,
        missing,
        kinds,
        force_counts,
        changed,
        search,
    )


def cycle_coverage(year: int) -> list[ForceCoverage]:
    """Every territorial force's coverage in one cycle, with the searches checked against it: a
    recorded search must state the outcome the tables show (a force now complete needs none)."""
    framework = load_framework(year)
    rows = load_published_grades(year)
    found = {(s.force_id, s.year): s for s in searches()}
    out = []
    for force in territorial_forces():
        search = found.get((force.force_id, year))
        row = classify(framework, force.force_id, rows, grade_counts(), revisions(), search)
        if search is not None and search.outcome != row.status:
            raise InputError(
                f"the search for {force.force_id} {year} says {search.outcome!r}; the tables show {row.status!r}",
                path=f"openpeel/framework/{FOLDER}/searches.csv",
                field="outcome",
            )
        out.append(row)
    return out


def coverage_report(year: int | None = None, force: str | None = None) -> list[ForceCoverage]:
    """Coverage for one cycle or every cycle, optionally of one force."""
    years = [year] if year is not None else available_years()
    rows = [row for y in years for row in cycle_coverage(y)]
    return [r for r in rows if force is None or r.force_id == force]


def coverage_table(rows: Iterable[ForceCoverage]) -> str:
    """Coverage as a plain-text table, with a count per status for each cycle after it."""
    rows = list(rows)
    header = ("cycle", "force", "status", "graded", "missing", "kinds")
    body = [
        (
            r.cycle,
            r.force_id,
            r.status,
            str(len(r.graded)),
            ", ".join(r.missing) if r.status == "partial" else "",
            ", ".join(r.source_kinds),
        )
        for r in rows
    ]
    out = [*text_table_lines(header, body), ""]
    for cycle in dict.fromkeys(r.cycle for r in rows):
        tally = {s: sum(1 for r in rows if r.cycle == cycle and r.status == s) for s in STATUSES}
        out.append(f"{cycle}: " + ", ".join(f"{n} {s}" for s, n in tally.items()))
    return "\n".join(out) + "\n"
