"""The grades the inspectorate published, as reference data (framework/published/peel-YEAR.csv).

Each row is one force's grade for one pillar or question of a PEEL cycle, with the page that
states it. Rows are validated against the forces registry and the cycle's framework file; an
error names the file, the line and the column. Pages of the inspectorate that disagree with each
other are listed in framework/published/conflicts.csv rather than resolved silently.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from openpeel.core.errors import InputError, UnknownNameError
from openpeel.forces import territorial_forces
from openpeel.framework.loader import load_framework

COLUMNS = ("force_id", "year", "pillar_id", "question_id", "grade", "published", "source_url", "note")
CONFLICT_COLUMNS = (
    "force_id",
    "year",
    "pillar_id",
    "question_id",
    "grade_used",
    "source_used",
    "other_grade",
    "other_source",
    "reason",
)
FOLDER = "published"


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        # CSV has no null: an empty cell means "not given".
        return None if value == "" else value


class PublishedGrade(_Row):
    force_id: str = Field(pattern=r"^[a-z-]+$")
    year: int
    pillar_id: str | None = None
    question_id: str | None = None
    grade: str
    published: dt.date | None = None
    source_url: str = Field(pattern=r"^https?://\S+$", description="The page that states the grade")
    note: str | None = None

    @property
    def target(self) -> str:
        """The pillar or question the grade is for."""
        return self.pillar_id or self.question_id or ""

    def as_json(self) -> dict[str, object]:
        return {
            "force_id": self.force_id,
            "year": self.year,
            "pillar_id": self.pillar_id,
            "question_id": self.question_id,
            "grade": self.grade,
            "published": self.published.isoformat() if self.published else None,
            "source_url": self.source_url,
            "note": self.note,
        }


class GradeConflict(_Row):
    force_id: str
    year: int
    pillar_id: str | None = None
    question_id: str | None = None
    grade_used: str
    source_used: str = Field(pattern=r"^https?://\S+$")
    other_grade: str
    other_source: str = Field(pattern=r"^https?://\S+$")
    reason: str


def _files() -> dict[int, str]:
    folder = resources.files("openpeel.framework").joinpath(FOLDER)
    out = {}
    for entry in folder.iterdir():
        match = re.fullmatch(r"peel-(\d{4})\.csv", entry.name)
        if match:
            out[int(match.group(1))] = entry.name
    return out


def published_years() -> list[int]:
    """The cycles with a published-grades file."""
    return sorted(_files())


def _read(name: str) -> tuple[str, str]:
    where = f"openpeel/framework/{FOLDER}/{name}"
    text = resources.files("openpeel.framework").joinpath(FOLDER, name).read_text(encoding="utf-8")
    return where, text


def _records(text: str, where: str, columns: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != columns:
        raise InputError(f"expected the columns {', '.join(columns)}", path=where, line=1)
    for record in reader:
        # DictReader counts physical lines, so quoted newlines keep line numbers right.
        yield reader.line_num, record


def _first_error(exc: ValidationError) -> tuple[str, str]:
    first = exc.errors()[0]
    return first["msg"], ".".join(str(p) for p in first["loc"])


def parse_published_grades(text: str, where: str, year: int) -> list[PublishedGrade]:
    """Validate one cycle's published-grades CSV given as text; `where` names it in errors."""
    framework = load_framework(year)
    force_ids = {f.force_id for f in territorial_forces()}
    pillars = {p.id: p for p in framework.pillars}
    questions = {q.id: q for q in framework.questions()}
    grades = [g.id for g in framework.grade_scale]
    seen: dict[tuple[str, str | None, str | None], int] = {}
    rows = []
    for line, record in _records(text, where, COLUMNS):
        try:
            row = PublishedGrade.model_validate(record)
        except ValidationError as exc:
            msg, field = _first_error(exc)
            raise InputError(msg, path=where, line=line, field=field) from None

        def fail(message: str, field: str, hint: str | None = None, *, at: int = line) -> InputError:
            # `at` binds this row's line now, not the loop variable's last value.
            return InputError(message, path=where, line=at, field=field, hint=hint)

        if row.year != year:
            raise fail(f"row is for {row.year} in the file of {year}", "year")
        if row.force_id not in force_ids:
            raise fail(
                str(UnknownNameError("force", row.force_id, [])), "force_id", "a data.police.uk force id"
            )
        if (row.pillar_id is None) == (row.question_id is None):
            raise fail("give exactly one of pillar_id and question_id", "pillar_id")
        if row.pillar_id is not None:
            pillar = pillars.get(row.pillar_id)
            if pillar is None:
                raise fail(
                    f"{framework.title} has no pillar {row.pillar_id!r}", "pillar_id", ", ".join(pillars)
                )
            if not pillar.has_overall_grade:
                raise fail(
                    f"the {framework.title} pillar {row.pillar_id!r} has no overall grade", "pillar_id"
                )
        if row.question_id is not None:
            question = questions.get(row.question_id)
            if question is None:
                raise fail(f"{framework.title} has no question {row.question_id!r}", "question_id")
            if not question.graded:
                raise fail(f"the {framework.title} question {row.question_id!r} is not graded", "question_id")
        if row.grade not in grades:
            raise fail(f"{framework.title} has no grade {row.grade!r}", "grade", ", ".join(grades))
        key = (row.force_id, row.pillar_id, row.question_id)
        if key in seen:
            raise fail(
                f"a second row for {row.force_id} {row.target} (first on line {seen[key]})", "force_id"
            )
        seen[key] = line
        rows.append(row)
    return rows


@cache
def _load(year: int) -> tuple[PublishedGrade, ...]:
    files = _files()
    if year not in files:
        return ()
    where, text = _read(files[year])
    return tuple(parse_published_grades(text, where, year))


def load_published_grades(year: int) -> list[PublishedGrade]:
    """Every published grade of one cycle (empty for a cycle with no file)."""
    load_framework(year)  # an unknown year fails with the list of cycles
    return list(_load(year))


def published_grades(year: int | None = None, force: str | None = None) -> list[PublishedGrade]:
    """Published grades of one cycle or all, optionally of one force (data.police.uk id)."""
    years = [year] if year is not None else published_years()
    rows = [r for y in years for r in load_published_grades(y)]
    if force is not None:
        if force not in {f.force_id for f in territorial_forces()}:
            raise UnknownNameError("force", force, [])
        rows = [r for r in rows if r.force_id == force]
    return rows


def published_grade(force_id: str, year: int, target: str) -> PublishedGrade | None:
    """The published grade of one force for one pillar or question, if the table holds it."""
    for row in load_published_grades(year):
        if row.force_id == force_id and row.target == target:
            return row
    return None


@cache
def conflicts() -> tuple[GradeConflict, ...]:
    """Where two of the inspectorate's pages disagree, with the grade the table uses and why."""
    where, text = _read("conflicts.csv")
    out = []
    for line, record in _records(text, where, CONFLICT_COLUMNS):
        try:
            conflict = GradeConflict.model_validate(record)
        except ValidationError as exc:
            msg, field = _first_error(exc)
            raise InputError(msg, path=where, line=line, field=field) from None
        used = published_grade(
            conflict.force_id, conflict.year, conflict.pillar_id or conflict.question_id or ""
        )
        if used is None or used.grade != conflict.grade_used or used.source_url != conflict.source_used:
            raise InputError(
                "the table does not hold the grade and source named as used", path=where, line=line
            )
        out.append(conflict)
    return tuple(out)


def coverage(year: int) -> dict[str, int]:
    """How many forces have a published grade, per pillar or question of the cycle."""
    counts: dict[str, set[str]] = {}
    for row in load_published_grades(year):
        counts.setdefault(row.target, set()).add(row.force_id)
    return {target: len(forces) for target, forces in sorted(counts.items())}


def grades_table(rows: Iterable[PublishedGrade]) -> str:
    """Rows as a plain-text table (force, year, pillar or question, grade, published, source)."""
    header = ("force", "year", "pillar or question", "grade", "published", "source")
    body = [
        (
            r.force_id,
            str(r.year),
            r.target,
            r.grade,
            r.published.isoformat() if r.published else "",
            r.source_url,
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in [header, *body]
    ]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]]) + "\n"


@dataclass(frozen=True)
class LatestPublished:
    """A force's most recent published grading, in a few words, for lists and maps."""

    force_id: str
    year: int
    cycle: str
    grade_id: str
    """the effectiveness grade, or the most frequent question grade where no pillar grade was published"""
    label: str
    text: str
    """e.g. "Effectiveness: Good (PEEL 2017)" or "Good on 2 of 3 questions graded (PEEL 2014)" """


def _latest(force_id: str, rows: list[PublishedGrade]) -> LatestPublished | None:
    if not rows:
        return None
    year = max(r.year for r in rows)
    framework = load_framework(year)
    latest = [r for r in rows if r.year == year]
    pillar = next((r for r in latest if r.pillar_id == "effectiveness"), None)
    if pillar is not None:
        label = framework.grade(pillar.grade).label
        return LatestPublished(
            force_id,
            year,
            framework.title,
            pillar.grade,
            label,
            f"Effectiveness: {label} ({framework.title})",
        )
    questions = [r for r in latest if r.question_id]
    if not questions:
        return None
    counts = Counter(r.grade for r in questions)
    # The most frequent grade; a tie goes to the worse one, so a summary never flatters.
    ranks = {g.id: g.rank for g in framework.grade_scale}
    grade = max(counts, key=lambda g: (counts[g], ranks.get(g, 0)))
    label = framework.grade(grade).label
    n = len(questions)
    text = f"{label} on {counts[grade]} of {n} question{'' if n == 1 else 's'} graded ({framework.title})"
    return LatestPublished(force_id, year, framework.title, grade, label, text)


@cache
def latest_published() -> dict[str, LatestPublished]:
    """Each territorial force's most recent published grading, where the table holds one."""
    rows = published_grades()
    out: dict[str, LatestPublished] = {}
    for force in territorial_forces():
        found = _latest(force.force_id, [r for r in rows if r.force_id == force.force_id])
        if found is not None:
            out[force.force_id] = found
    return out
