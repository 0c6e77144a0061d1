"""Whether a grade can be set beside the same force's grade in the previous PEEL year.

The question mapping between years is data (framework/mappings/); this module reads it together
with the stored judgements of the previous year.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from openpeel.assessment.judgements import current_judgements
from openpeel.framework import load_framework, mapping_into


@dataclass(frozen=True)
class Comparison:
    question_id: str
    year: int
    previous_year: int | None
    status: str
    """comparable, partly comparable, not comparable, no previous grade, new question, no earlier framework"""
    relation: str | None = None
    previous_questions: tuple[str, ...] = ()
    previous_grades: dict[str, str | None] = field(default_factory=dict)
    note: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "question": self.question_id,
            "year": self.year,
            "previous_year": self.previous_year,
            "status": self.status,
            "relation": self.relation,
            "previous_questions": list(self.previous_questions),
            "previous_grades": self.previous_grades,
            "note": self.note,
        }

    def describe(self) -> str:
        if self.previous_year is None:
            return "-"
        grades = ", ".join(f"{q}: {g or 'none'}" for q, g in self.previous_grades.items())
        return f"{self.status} with {self.previous_year}" + (f" ({grades})" if grades else "")


def compare_with_previous(ws: sa.Connection, force_id: str, year: int, question_id: str) -> Comparison:
    mapping = mapping_into(year)
    if mapping is None:
        return Comparison(question_id, year, None, "no earlier framework")
    link = mapping.link(question_id)
    relation = mapping.relation(question_id)
    previous = load_framework(mapping.from_year)
    if not link.from_:
        return Comparison(question_id, year, mapping.from_year, "new question", relation, note=link.note)
    graded = tuple(q for q in link.from_ if previous.question(q).graded)
    if not graded:
        return Comparison(
            question_id, year, mapping.from_year, "no previous grade", relation, link.from_, note=link.note
        )
    earlier = current_judgements(ws, force_id, mapping.from_year)
    grades = {
        q: (earlier[q].current_grade or earlier[q].proposed_grade) if q in earlier else None for q in graded
    }
    status = link.comparability.replace("-", " ")
    if all(g is None for g in grades.values()):
        status = "no previous grade"
    return Comparison(question_id, year, mapping.from_year, status, relation, link.from_, grades, link.note)


def comparisons(ws: sa.Connection, force_id: str, year: int) -> dict[str, Comparison]:
    return {q.id: compare_with_previous(ws, force_id, year, q.id) for q in load_framework(year).questions()}
