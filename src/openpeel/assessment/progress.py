"""Where a force's assessment stands: what a public surface may say of work it does not show.

A public page shows only published judgements and the findings behind them, but it must not read
as if nothing were there: "no findings loaded", "findings loaded, no judgement published yet" and
"published" are three different facts, and the second says what has to happen next. `Progress`
holds them for one force and year: counts of findings per question and each judgement's state,
never a grade and never a finding's text, so any surface may show it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from openpeel.assessment.judgements import Judgement
from openpeel.evidence import EvidenceFile

Stage = Literal["no-findings", "unpublished", "published"]
PUBLISHED = "published"

STEPS = (
    (
        "confirm",
        "an inspector confirms or overrides each grade the rubric proposes (openpeel judgement confirm or override)",
    ),
    ("moderate", "a moderator moderates them (openpeel judgement moderate)"),
    ("publish", "they are published (openpeel judgement publish, then openpeel publish)"),
)


@dataclass(frozen=True)
class Progress:
    """One force and year: findings loaded per question, and each judgement's state."""

    findings: Mapping[str, int] = field(default_factory=dict)
    """question id -> findings loaded"""
    states: Mapping[str, str] = field(default_factory=dict)
    """question id -> state of the stored judgement (draft, moderated, published)"""
    confirmed: frozenset[str] = frozenset()
    """question ids whose grade an inspector has confirmed or set"""

    @property
    def finding_count(self) -> int:
        return sum(self.findings.values())

    @property
    def has_findings(self) -> bool:
        return self.finding_count > 0

    @property
    def published(self) -> list[str]:
        return [q for q, s in self.states.items() if s == PUBLISHED]

    @property
    def has_published_judgement(self) -> bool:
        return bool(self.published)

    @property
    def stage(self) -> Stage:
        if self.has_published_judgement:
            return "published"
        return "unpublished" if self.has_findings else "no-findings"

    def _first_step(self) -> int:
        waiting = [q for q, s in self.states.items() if s != PUBLISHED]
        if not waiting and not self.states:
            return 0
        if any(self.states[q] == "draft" and q not in self.confirmed for q in waiting):
            return 0
        if any(self.states[q] == "draft" for q in waiting):
            return 1
        return 2

    def next_step(self) -> str:
        """What has to happen before openpeel's grades appear: from the first step not yet taken."""
        steps = [text for _key, text in STEPS[self._first_step() :]]
        if len(steps) > 1:
            steps[-1] = "and " + steps[-1]
        return "Next: " + ", ".join(steps) + "."

    def stage_sentence(self, force_name: str, cycle: str) -> str:
        """The public account of the stage, with the next step where one is due."""
        if self.stage == "no-findings":
            return f"No inspection findings are loaded for {force_name} for {cycle}, so openpeel gives no grades."
        n = self.finding_count
        loaded = f"{n} inspection finding{'' if n == 1 else 's'} {'is' if n == 1 else 'are'} loaded for {force_name} for {cycle}"
        if self.stage == "unpublished":
            return f"{loaded}, but no judgement of openpeel's is published yet, so this page shows no openpeel grade. {self.next_step()}"
        return f"{loaded}; openpeel's judgements are published for {len(self.published)} question{'' if len(self.published) == 1 else 's'}."

    def question_note(self, question_id: str) -> str:
        """What a question's section says where it shows no findings."""
        state = self.states.get(question_id)
        if self.findings.get(question_id, 0) and state != PUBLISHED:
            return (
                "Inspection findings are loaded for this question, but its judgement is not yet "
                f"published ({state or 'not yet recorded'}), so they are not shown."
            )
        return "No inspection findings are loaded for this question."


NONE = Progress()


def progress_of(evidence: EvidenceFile | None, judgements: Mapping[str, Judgement] | None) -> Progress:
    """A force's progress from its stored evidence and judgements."""
    counts: dict[str, int] = {}
    for finding in evidence.findings if evidence else ():
        counts[finding.question] = counts.get(finding.question, 0) + 1
    stored = dict(judgements or {})
    return Progress(
        counts,
        {q: j.state for q, j in stored.items()},
        frozenset(q for q, j in stored.items() if j.current_grade is not None),
    )
