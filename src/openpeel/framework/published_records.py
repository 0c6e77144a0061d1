"""What surrounds the published grades: counts per grade, revisions, and the searches behind gaps.

Three CSV files beside the grade tables (framework/published/):
- grade-counts.csv: sources that give only how many areas got each grade. A grade is never named
  from a count; the counts are checked against the grades the table names for the force.
- revisions.csv: grades the inspectorate changed after publishing, kept as history; each chain of
  revisions must end at the grade the table holds now.
- searches.csv: for each force and cycle without a full set of named grades, what was searched and
  what was found, so that a gap is a recorded result rather than silence.
Errors name the file, the line and the column.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from functools import cache
from typing import Literal, TypeVar

from pydantic import Field, ValidationError, field_validator

from openpeel.core.errors import InputError, UnknownNameError
from openpeel.forces import territorial_forces
from openpeel.framework.loader import available_years, load_framework
from openpeel.framework.published_grades import (
    CsvRow,
    PublishedGrade,
    SourceKind,
    csv_records,
    first_error,
    grade_error,
    is_inspectorate_page,
    load_published_grades,
    problem_at,
    read_packaged,
    target_error,
)

GRADE_COUNT_GRADES = ("outstanding", "good", "adequate", "requires_improvement", "inadequate")
COUNT_COLUMNS = ("force_id", "year", *GRADE_COUNT_GRADES, "source_url", "source_kind", "note")
REVISION_COLUMNS = (
    "force_id",
    "year",
    "pillar_id",
    "question_id",
    "grade_before",
    "published_before",
    "grade_after",
    "revised_on",
    "reason",
    "source_url",
    "source_kind",
)
SEARCH_COLUMNS = ("force_id", "year", "outcome", "searched", "note")
RowT = TypeVar("RowT", bound=CsvRow)
SearchOutcome = Literal["partial", "counts-only", "not-found"]


def _grade_id(column: str) -> str:
    return column.replace("_", "-")


class GradeCount(CsvRow):
    """How many of a force's areas a source says got each grade, without naming the areas."""

    force_id: str
    year: int
    outstanding: int | None = Field(default=None, ge=0)
    good: int | None = Field(default=None, ge=0)
    adequate: int | None = Field(default=None, ge=0)
    requires_improvement: int | None = Field(default=None, ge=0)
    inadequate: int | None = Field(default=None, ge=0)
    source_url: str = Field(pattern=r"^https?://\S+$")
    source_kind: SourceKind
    note: str | None = None

    def counts(self) -> dict[str, int]:
        """Grade id -> number of areas, for the grades the source counts."""
        out = {}
        for column in GRADE_COUNT_GRADES:
            value = getattr(self, column)
            if value is not None:
                out[_grade_id(column)] = value
        return out

    def as_json(self) -> dict[str, object]:
        return {
            "force_id": self.force_id,
            "year": self.year,
            "counts": self.counts(),
            "source_url": self.source_url,
            "source_kind": self.source_kind,
            "note": self.note,
        }


class Revision(CsvRow):
    """A published grade the inspectorate later changed."""

    force_id: str
    year: int
    pillar_id: str | None = None
    question_id: str | None = None
    grade_before: str
    published_before: dt.date | None = None
    grade_after: str
    revised_on: dt.date
    reason: str
    source_url: str = Field(pattern=r"^https?://\S+$")
    source_kind: SourceKind

    @property
    def target(self) -> str:
        return self.pillar_id or self.question_id or ""

    def as_json(self) -> dict[str, object]:
        return {
            "force_id": self.force_id,
            "year": self.year,
            "pillar_id": self.pillar_id,
            "question_id": self.question_id,
            "grade_before": self.grade_before,
            "published_before": self.published_before.isoformat() if self.published_before else None,
            "grade_after": self.grade_after,
            "revised_on": self.revised_on.isoformat(),
            "reason": self.reason,
            "source_url": self.source_url,
            "source_kind": self.source_kind,
        }


class Search(CsvRow):
    """What was searched for one force and cycle without a full set of named grades, and what came of it."""

    force_id: str
    year: int
    outcome: SearchOutcome
    searched: str = Field(description="The queries tried, separated by ' | '")
    note: str | None = None

    @field_validator("searched")
    @classmethod
    def _queries_given(cls, value: str) -> str:
        if not [q for q in value.split("|") if q.strip()]:
            raise ValueError("name the queries tried")
        return value

    @property
    def queries(self) -> list[str]:
        return [q.strip() for q in self.searched.split("|") if q.strip()]


def _parse_rows(text: str, where: str, columns: tuple[str, ...], model: type[RowT]) -> list[tuple[int, RowT]]:
    out = []
    for line, record in csv_records(text, where, columns):
        try:
            out.append((line, model.model_validate(record)))
        except ValidationError as exc:
            msg, field = first_error(exc)
            raise InputError(msg, path=where, line=line, field=field) from None
    return out


def _check_force_and_year(force_id: str, year: int, where: str, line: int) -> None:
    if force_id not in {f.force_id for f in territorial_forces()}:
        raise InputError(
            str(UnknownNameError("force", force_id, [])), path=where, line=line, field="force_id"
        )
    if year not in available_years():
        raise InputError(
            f"no PEEL cycle starts in {year}",
            path=where,
            line=line,
            field="year",
            hint=", ".join(str(y) for y in available_years()),
        )


def _check_kind(kind: str, url: str, where: str, line: int) -> None:
    if (kind == "inspectorate") != is_inspectorate_page(url):
        raise InputError(
            "source_kind is 'inspectorate' exactly when the page is on justiceinspectorates.gov.uk",
            path=where,
            line=line,
            field="source_kind",
        )


def parse_grade_counts(
    text: str, where: str, named: dict[int, list[PublishedGrade]] | None = None
) -> list[GradeCount]:
    """Validate grade-counts.csv given as text; `named` (cycle -> grade rows, default the shipped
    tables) is what the counts are checked against."""
    out = []
    seen: dict[tuple[str, int, str], int] = {}
    for line, row in _parse_rows(text, where, COUNT_COLUMNS, GradeCount):
        _check_force_and_year(row.force_id, row.year, where, line)
        _check_kind(row.source_kind, row.source_url, where, line)
        framework = load_framework(row.year)
        scale = {g.id for g in framework.grade_scale}
        for column in GRADE_COUNT_GRADES:
            given = getattr(row, column) is not None
            if given != (_grade_id(column) in scale):
                problem = "is not a grade of" if given else "must be given (0 for none) for"
                raise InputError(f"{column} {problem} {framework.title}", path=where, line=line, field=column)
        counts = row.counts()
        graded = [q for q in framework.questions() if q.graded]
        areas = len(graded) + sum(1 for p in framework.pillars if p.has_overall_grade)
        if not 0 < sum(counts.values()) <= areas:
            raise InputError(
                f"the counts add up to {sum(counts.values())}; {framework.title} grades at most {areas} areas",
                path=where,
                line=line,
                field="outstanding",
            )
        rows = (named if named is not None else {}).get(row.year)
        if rows is None:
            rows = load_published_grades(row.year)
        by_grade = Counter(r.grade for r in rows if r.force_id == row.force_id)
        for grade, n in by_grade.items():
            if n > counts.get(grade, 0):
                raise InputError(
                    f"the table names {n} {grade} grades for {row.force_id}; the source counts {counts.get(grade, 0)}",
                    path=where,
                    line=line,
                    field=grade.replace("-", "_"),
                )
        key = (row.force_id, row.year, row.source_url)
        if key in seen:
            raise InputError(
                f"a second row for this source (first on line {seen[key]})", path=where, line=line
            )
        seen[key] = line
        out.append(row)
    return out


def parse_revisions(
    text: str, where: str, named: dict[int, list[PublishedGrade]] | None = None
) -> list[Revision]:
    """Validate revisions.csv given as text: each force's chain of revisions for one area must run
    from grade to grade in date order and end at the grade the table (`named`, default the shipped
    tables) holds now."""
    parsed = _parse_rows(text, where, REVISION_COLUMNS, Revision)
    chains: dict[tuple[str, int, str], list[tuple[int, Revision]]] = {}
    for line, row in parsed:
        _check_force_and_year(row.force_id, row.year, where, line)
        _check_kind(row.source_kind, row.source_url, where, line)
        framework = load_framework(row.year)
        problem = (
            target_error(framework, row.pillar_id, row.question_id)
            or grade_error(framework, row.grade_before, "grade_before")
            or grade_error(framework, row.grade_after, "grade_after")
        )
        if problem is not None:
            raise problem_at(problem, where, line)
        if row.grade_before == row.grade_after:
            raise InputError("a revision changes the grade", path=where, line=line, field="grade_after")
        if row.published_before is not None and row.published_before > row.revised_on:
            raise InputError(
                "the grade was revised before it was published", path=where, line=line, field="revised_on"
            )
        chains.setdefault((row.force_id, row.year, row.target), []).append((line, row))
    for (force_id, year, target), chain in chains.items():
        chain.sort(key=lambda item: item[1].revised_on)
        for (_, earlier), (line, later) in itertools.pairwise(chain):
            if later.grade_before != earlier.grade_after:
                raise InputError(
                    f"the grade before this revision is {earlier.grade_after!r} (revised on {earlier.revised_on})",
                    path=where,
                    line=line,
                    field="grade_before",
                )
        line, last = chain[-1]
        rows = (named if named is not None else {}).get(year)
        if rows is None:
            rows = load_published_grades(year)
        current = next((r for r in rows if r.force_id == force_id and r.target == target), None)
        if current is None or current.grade != last.grade_after:
            held = f"holds {current.grade!r}" if current else "holds no grade"
            raise InputError(
                f"the table {held} for {force_id} {target} in {year}; the last revision gives {last.grade_after!r}",
                path=where,
                line=line,
                field="grade_after",
            )
    return [row for _, row in parsed]


def parse_searches(text: str, where: str) -> list[Search]:
    """Validate searches.csv given as text (one row per force and cycle)."""
    out = []
    seen: dict[tuple[str, int], int] = {}
    for line, row in _parse_rows(text, where, SEARCH_COLUMNS, Search):
        _check_force_and_year(row.force_id, row.year, where, line)
        key = (row.force_id, row.year)
        if key in seen:
            raise InputError(
                f"a second row for {row.force_id} {row.year} (first on line {seen[key]})",
                path=where,
                line=line,
                field="force_id",
            )
        seen[key] = line
        out.append(row)
    return out


def _packaged(name: str) -> tuple[str, str]:
    where, text = read_packaged(name)
    return text, where


@cache
def grade_counts() -> tuple[GradeCount, ...]:
    """Every source that gives only the number of areas per grade."""
    return tuple(parse_grade_counts(*_packaged("grade-counts.csv")))


@cache
def revisions() -> tuple[Revision, ...]:
    """Every published revision of a grade, oldest first per area."""
    return tuple(parse_revisions(*_packaged("revisions.csv")))


@cache
def searches() -> tuple[Search, ...]:
    """The searches recorded for forces and cycles without a full set of named grades."""
    return tuple(parse_searches(*_packaged("searches.csv")))
