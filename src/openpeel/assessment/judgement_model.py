"""A judgement as the workspace reads it: one row of `as_judgements`, with what people see of it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from openpeel.assessment.attribution import Attribution
from openpeel.store.audit import Snapshot


@dataclass(frozen=True)
class Judgement:
    force_id: str
    year: int
    question_id: str
    pillar_id: str
    is_graded: bool
    is_inspected: bool
    state: str
    proposed_grade: str | None
    current_grade: str | None
    is_overridden: bool
    rationale: str | None
    rubric_id: str | None
    proposal: dict[str, Any] | None
    updated_by: str
    updated_at: dt.datetime
    version: int = 0
    attribution: Attribution | None = None
    """Who proposed, set, moderated and published it, from the audit trail"""

    @property
    def grade(self) -> str | None:
        """The grade an inspector has confirmed or set (None until then)."""
        return self.current_grade

    @property
    def is_confirmed(self) -> bool:
        return self.current_grade is not None

    @property
    def fired_rules(self) -> list[str]:
        rules = (self.proposal or {}).get("rules", [])
        return [str(r["rule"]) for r in rules if r.get("fired")]

    @property
    def status_note(self) -> str:
        """One line for people: what stands and why."""
        if not self.is_inspected:
            return "not inspected this year"
        if not self.is_graded:
            return "narrative only (not graded this year)"
        if self.current_grade and self.is_overridden:
            return f"overridden from {self.proposed_grade or 'no proposal'}: {self.rationale}"
        if self.current_grade:
            return "proposal confirmed"
        if self.proposed_grade:
            return "proposed, not yet confirmed"
        return "no findings to grade"

    def as_json(self) -> dict[str, object]:
        return {
            "force": self.force_id,
            "year": self.year,
            "question": self.question_id,
            "pillar": self.pillar_id,
            "is_graded": self.is_graded,
            "is_inspected": self.is_inspected,
            "state": self.state,
            "proposed_grade": self.proposed_grade,
            "current_grade": self.current_grade,
            "is_overridden": self.is_overridden,
            "rationale": self.rationale,
            "rubric": self.rubric_id,
            "rules_fired": self.fired_rules,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at.isoformat(),
            "attribution": self.attribution.as_json() if self.attribution else None,
        }


def judgement_from_row(row: Snapshot) -> Judgement:
    return Judgement(
        force_id=row["force_id"],
        year=row["year"],
        question_id=row["question_id"],
        pillar_id=row["pillar_id"],
        is_graded=row["is_graded"],
        is_inspected=row["is_inspected"],
        state=row["state"],
        proposed_grade=row["proposed_grade"],
        current_grade=row["current_grade"],
        is_overridden=row["is_overridden"],
        rationale=row["rationale"],
        rubric_id=row["rubric_id"],
        proposal=json.loads(row["proposal_json"]) if row["proposal_json"] else None,
        updated_by=row["updated_by"],
        updated_at=dt.datetime.fromisoformat(row["updated_at"]),
        version=int(row.get("version") or 0),
    )
