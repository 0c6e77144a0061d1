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
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from openpeel.core.errors import InputError, UnknownNameError
from openpeel.core.text_table import text_table_lines
from openpeel.forces import territorial_forces
from openpeel.framework.loader import load_framework
from openpeel.framework.models import Framework

SourceKind = Literal["inspectorate", "commissioner", "force", "press"]
SOURCE_KINDS: tuple[SourceKind, ...] = ("inspectorate", "commissioner", "force", "press")
"""Who published the page a grade was read on, in the order a grade is preferred."""

COLUMNS = (
    "force_id",
    "year",
    "pillar_id",
    "question_id",
    "grade",
    "published",
    "source_url",
    "source_kind",
    "note",
)
CONFLICT_COLUMNS = (
    "force_id",
    "year",
    "pillar_id",
    "question_id",
    "grade_used",
    "source_used",
    "source_kind_used",
    "other_grade",
    "other_source",
    "other_source_kind",
    "reason",
)
FOLDER = "published"


class CsvRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        # CSV has no null: an empty cell means "not given".
        return None if value == "" else value


class PublishedGrade(CsvRow):
    force_id: str = Field(pattern=r"^[a-z-]+$")
    year: int
    pillar_id: str | None = None
    question_id: str | None = None
    grade: str
    published: dt.date | None = None
    source_url: str = Field(pattern=r"^https?://\S+$", description="The page that states the grade")
    source_kind: SourceKind
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
            "source_kind": self.source_kind,
            "note": self.note,
        }


class GradeConflict(CsvRow):
    force_id: str
    year: int
    pillar_id: str | None = None
    question_id: str | None = None
    grade_used: str
    source_used: str = Field(pattern=r"^https?://\S+$")
    source_kind_used: SourceKind
    other_grade: str
    other_source: str = Field(pattern=r"^https?://\S+$")
    other_source_kind: SourceKind
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


def read_packaged(name: str) -> tuple[str, str]:
    where = f"openpeel/framework/{FOLDER}/{name}"
    text = resources.files("openpeel.framework").joinpath(FOLDER, name).read_text(encoding="utf-8")
    return where, text


def is_inspectorate_page(url: str) -> bool:
    """Whether `url` is on the inspectorate's own site."""
    host = urlsplit(url).hostname or ""
    return host == "justiceinspectorates.gov.uk" or host.endswith(".justiceinspectorates.gov.uk")


def csv_records(text: str, where: str, columns: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != columns:
        raise InputError(f"expected the columns {', '.join(columns)}", path=where, line=1)
    for record in reader:
        # DictReader counts physical lines, so quoted newlines keep line numbers right.
        if None in record:
            # DictReader files surplus cells under the key None: usually an unquoted comma.
            raise InputError(
                f"more cells than the {len(columns)} columns (quote a value that holds a comma)",
                path=where,
                line=reader.line_num,
                field=columns[-1],
            )
        yield reader.line_num, record


def first_error(exc: ValidationError) -> tuple[str, str]:
    first = exc.errors()[0]
    return first["msg"], ".".join(str(p) for p in first["loc"])


def target_error(framework: Framework, pillar_id: str | None, question_id: str | None) -> InputError | None:
    """Why a pillar or question cannot carry a published grade in `framework` (no path or line yet)."""
    pillars = {p.id: p for p in framework.pillars}
    if (pillar_id is None) == (question_id is None):
        return InputError("give exactly one of pillar_id and question_id", field="pillar_id")
    if pillar_id is not None:
        pillar = pillars.get(pillar_id)
        if pillar is None:
            return InputError(
                f"{framework.title} has no pillar {pillar_id!r}", field="pillar_id", hint=", ".join(pillars)
            )
        if not pillar.has_overall_grade:
            return InputError(
                f"the {framework.title} pillar {pillar_id!r} has no overall grade", field="pillar_id"
            )
    if question_id is not None:
        question = next((q for q in framework.questions() if q.id == question_id), None)
        if question is None:
            return InputError(f"{framework.title} has no question {question_id!r}", field="question_id")
        if not question.graded:
            return InputError(
                f"the {framework.title} question {question_id!r} is not graded", field="question_id"
            )
    return None


def grade_error(framework: Framework, grade: str, field: str) -> InputError | None:
    """Why `grade` is not a grade of the cycle's scale, if it is not."""
    grades = [g.id for g in framework.grade_scale]
    if grade in grades:
        return None
    return InputError(f"{framework.title} has no grade {grade!r}", field=field, hint=", ".join(grades))


def problem_at(error: InputError, where: str, line: int) -> InputError:
    """`error` placed in a file and line."""
    return InputError(error.reason, path=where, line=line, field=error.field, hint=error.hint)


def parse_published_grades(text: str, where: str, year: int) -> list[PublishedGrade]:
    """Validate one cycle's published-grades CSV given as text; `where` names it in errors."""
    framework = load_framework(year)
    force_ids = {f.force_id for f in territorial_forces()}
    seen: dict[tuple[str, str | None, str | None], int] = {}
    rows = []
    for line, record in csv_records(text, where, COLUMNS):
        try:
            row = PublishedGrade.model_validate(record)
        except ValidationError as exc:
            msg, field = first_error(exc)
            raise InputError(msg, path=where, line=line, field=field) from None

        def fail(message: str, field: str, hint: str | None = None, *, at: int = line) -> InputError:
            # `at` binds this row's line now, not the loop variable's last value.
            return InputError(message, path=where, line=at, field=field, hint=hint)

        if row.year != year:
            raise fail(f"row is for {row.year} in the file of {year}", "year")
        if (row.source_kind == "inspectorate") != is_inspectorate_page(row.source_url):
            raise fail(
                "source_kind is 'inspectorate' exactly when the page is on justiceinspectorates.gov.uk",
                "source_kind",
            )
        if row.force_id not in force_ids:
            raise fail(
                str(UnknownNameError("force", row.force_id, [])), "force_id", "a data.police.uk force id"
            )
        problem = target_error(framework, row.pillar_id, row.question_id) or grade_error(
            framework, row.grade, "grade"
        )
        if problem is not None:
            raise problem_at(problem, where, line)
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
    where, text = read_packaged(files[year])
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
    """Where two sources disagree, with the grade the table uses and why.

    Two pages of the inspectorate, or pages of different kinds (the inspectorate, a commissioner's
    office, the force, the press): the inspectorate's page comes first, so a conflict that keeps
    another kind's grade over the inspectorate's is refused.
    """
    where, text = read_packaged("conflicts.csv")
    return tuple(parse_conflicts(text, where))


def parse_conflicts(text: str, where: str) -> list[GradeConflict]:
    """Validate conflicts.csv given as text against the grade tables; `where` names it in errors."""
    out = []
    for line, record in csv_records(text, where, CONFLICT_COLUMNS):
        try:
            conflict = GradeConflict.model_validate(record)
        except ValidationError as exc:
            msg, field = first_error(exc)
            raise InputError(msg, path=where, line=line, field=field) from None
        used = published_grade(
            conflict.force_id, conflict.year, conflict.pillar_id or conflict.question_id or ""
        )
        if used is None or used.grade != conflict.grade_used or used.source_url != conflict.source_used:
            raise InputError(
                "the table does not hold the grade and source named as used",
                path=where,
                line=line,
                field="grade_used",
            )
        if used.source_kind != conflict.source_kind_used:
            raise InputError(
                f"the table's source is of kind {used.source_kind!r}",
                path=where,
                line=line,
                field="source_kind_used",
            )
        if conflict.other_source_kind == "inspectorate" and conflict.source_kind_used != "inspectorate":
            raise InputError(
                "the inspectorate's own page comes first: use its grade",
                path=where,
                line=line,
                field="source_kind_used",
            )
        out.append(conflict)
    return out


def coverage(year: int) -> dict[str, int]:
    """How many forces have a published grade, per pillar or question of the cycle."""
    counts: dict[str, set[str]] = {}
    for row in load_published_grades(year):
        counts.setdefault(row.target, set()).add(row.force_id)
    return {target: len(forces) for target, forces in sorted(counts.items())}


def grades_table(rows: Iterable[PublishedGrade]) -> str:
    """Rows as a plain-text table (force, year, pillar or question, grade, published, kind, source)."""
    header = ("force", "year", "pillar or question", "grade", "published", "kind", "source")
    body = [
        (
            r.force_id,
            str(r.year),
            r.target,
            r.grade,
            r.published.isoformat() if r.published else "",
            r.source_kind,
            r.source_url,
        )
        for r in rows
    ]
    return "\n".join(text_table_lines(header, body)) + "\n"
