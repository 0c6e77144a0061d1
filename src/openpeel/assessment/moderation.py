"""The moderation view of a PEEL year: the national spread of grades, overrides, and grades out of line with the data.

A grade counts as the inspector's current grade where one is set, else the rubric's proposal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import sqlalchemy as sa

from openpeel.assessment.judgements import Judgement, judgements_for_year
from openpeel.evidence.store import stored_evidence
from openpeel.framework import load_framework
from openpeel.indicators.query import values_by_indicator


@dataclass(frozen=True)
class QuestionSpread:
    question_id: str
    pillar_id: str
    text: str
    counts: dict[str, int]
    no_grade: int
    not_inspected: int
    proposed_only: int

    @property
    def forces(self) -> int:
        return sum(self.counts.values()) + self.no_grade + self.not_inspected

    def as_json(self) -> dict[str, object]:
        return {
            "question": self.question_id,
            "pillar": self.pillar_id,
            "counts": self.counts,
            "no_grade": self.no_grade,
            "not_inspected": self.not_inspected,
            "proposed_only": self.proposed_only,
            "forces": self.forces,
        }


@dataclass(frozen=True)
class OutOfLine:
    force_id: str
    question_id: str
    grade: str
    indicator_id: str
    why: str

    def as_json(self) -> dict[str, object]:
        return {
            "force": self.force_id,
            "question": self.question_id,
            "grade": self.grade,
            "indicator": self.indicator_id,
            "why": self.why,
        }


@dataclass
class ModerationView:
    year: int
    forces: list[str] = field(default_factory=list)
    spread: list[QuestionSpread] = field(default_factory=list)
    differences: list[Judgement] = field(default_factory=list)
    unconfirmed: list[Judgement] = field(default_factory=list)
    out_of_line: list[OutOfLine] = field(default_factory=list)
    states: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {
            "year": self.year,
            "forces": self.forces,
            "states": self.states,
            "spread": [s.as_json() for s in self.spread],
            "proposed_and_current_differ": [j.as_json() for j in self.differences],
            "unconfirmed": [j.as_json() for j in self.unconfirmed],
            "out_of_line_with_data": [o.as_json() for o in self.out_of_line],
        }


def _grade(j: Judgement) -> str | None:
    return j.current_grade or j.proposed_grade


def moderation_view(con: duckdb.DuckDBPyConnection, ws: sa.Connection, year: int) -> ModerationView:
    framework = load_framework(year)
    judgements = judgements_for_year(ws, year)
    view = ModerationView(year)
    view.forces = sorted({j.force_id for j in judgements})
    for state in ("draft", "moderated", "published"):
        view.states[state] = sum(1 for j in judgements if j.state == state)
    grade_ids = [g.id for g in framework.grade_scale]
    for pillar in framework.pillars:
        for question in pillar.questions:
            if not question.graded:
                continue
            these = [j for j in judgements if j.question_id == question.id]
            counts = {g: 0 for g in grade_ids}
            no_grade = not_inspected = proposed_only = 0
            for j in these:
                grade = _grade(j)
                if not j.is_inspected and grade is None:
                    not_inspected += 1
                elif grade is None:
                    no_grade += 1
                else:
                    counts[grade] += 1
                    proposed_only += j.current_grade is None
            view.spread.append(
                QuestionSpread(
                    question.id, pillar.id, question.text, counts, no_grade, not_inspected, proposed_only
                )
            )
    view.differences = [
        j for j in judgements if j.current_grade is not None and j.current_grade != j.proposed_grade
    ]
    view.unconfirmed = [j for j in judgements if j.is_graded and j.proposed_grade and not j.current_grade]
    good_rank = framework.grade("good").rank
    for force_id in view.forces:
        values = values_by_indicator(con, framework, force_id)
        evidence = stored_evidence(ws, force_id, year)
        findings = list(evidence.findings) if evidence else []
        for j in judgements:
            grade = _grade(j)
            if j.force_id != force_id or not j.is_graded or grade is None:
                continue
            question = framework.question(j.question_id)
            present = [values[i] for i in question.primary_indicators if i in values]
            if framework.grade(grade).rank <= good_rank:
                for value in present:
                    explained = [f.id for f in findings if value.indicator.id in f.explains]
                    if value.is_worse and not explained:
                        view.out_of_line.append(
                            OutOfLine(
                                force_id,
                                j.question_id,
                                grade,
                                value.indicator.id,
                                "significantly worse than England and Wales; no finding explains it",
                            )
                        )
            elif present and all(v.is_better for v in present):
                view.out_of_line.append(
                    OutOfLine(
                        force_id,
                        j.question_id,
                        grade,
                        ", ".join(v.indicator.id for v in present),
                        "every primary indicator significantly better than England and Wales",
                    )
                )
    return view
