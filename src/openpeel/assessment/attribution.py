"""Who did what to a judgement, read from the audit trail rather than from the row.

The row's `updated_by` is whoever touched it last (often the moderator or the publisher), which
is the wrong person to name as having set a grade. Replaying the judgement's events gives each
step its own author: the rubric that proposed the grade, the inspector who confirmed it or set
it by an override (with the rationale), the moderator and the publisher. Reopening starts a new
round, so moderation and publication from before it are not credited to the grade now standing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from openpeel.store.audit import AuditEvent, events


@dataclass(frozen=True)
class Step:
    by: str
    at: dt.datetime


@dataclass(frozen=True)
class Attribution:
    proposed_by: str | None = None
    """The rubric that made the proposal (its id)"""
    set: Step | None = None
    overridden: bool = False
    rationale: str | None = None
    moderated: Step | None = None
    published: Step | None = None

    def lines(self, grade_label: str | None) -> list[str]:
        """The steps in words, in order, for a report."""
        out = []
        if self.proposed_by:
            out.append(f"proposed by the rubric {self.proposed_by}")
        if self.set is not None:
            how = "set by an override" if self.overridden else "confirmed"
            what = f" as {grade_label.lower()}" if grade_label else ""
            why = f" ({self.rationale})" if self.overridden and self.rationale else ""
            out.append(f"{how}{what} by {self.set.by} on {self.set.at.date().isoformat()}{why}")
        if self.moderated is not None:
            out.append(f"moderated by {self.moderated.by} on {self.moderated.at.date().isoformat()}")
        if self.published is not None:
            out.append(f"published by {self.published.by} on {self.published.at.date().isoformat()}")
        return out

    def as_json(self) -> dict[str, object]:
        def step(s: Step | None) -> dict[str, str] | None:
            return None if s is None else {"by": s.by, "at": s.at.isoformat()}

        return {
            "proposed_by": self.proposed_by,
            "set": step(self.set),
            "overridden": self.overridden,
            "rationale": self.rationale,
            "moderated": step(self.moderated),
            "published": step(self.published),
        }


def _replay(found: Iterable[AuditEvent]) -> Attribution:
    current = Attribution()
    for event in found:
        after = event.after
        if after is None:
            current = Attribution()
            continue
        proposed_by = after.get("rubric_id")
        set_step, overridden, rationale = current.set, current.overridden, current.rationale
        moderated, published = current.moderated, current.published
        step = Step(event.actor, event.recorded_at)
        if event.action in ("confirm", "override"):
            set_step = step
            overridden = bool(after.get("is_overridden"))
            rationale = after.get("rationale")
        if after.get("current_grade") is None:
            set_step, overridden, rationale = None, False, None
        if event.action == "moderate":
            moderated = step
        if event.action == "publish":
            published = step
        if after.get("state") == "draft":
            moderated = published = None
        elif after.get("state") == "moderated":
            published = None
        current = Attribution(proposed_by, set_step, overridden, rationale, moderated, published)
    return current


def attributions(
    ws: sa.Connection, force_id: str, year: int, *, at: int | None = None
) -> dict[str, Attribution]:
    """Per question id: who proposed, set, moderated and published the judgement now standing
    (`at`: the one standing at that audit event)."""
    by_question: dict[str, list[AuditEvent]] = {}
    for event in events(ws, force_id=force_id, year=year, entities=["judgement"]):
        if at is not None and event.event_id > at:
            break
        by_question.setdefault(event.entity_id, []).append(event)
    return {question: _replay(found) for question, found in by_question.items()}
