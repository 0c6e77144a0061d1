"""What became of a force's areas for improvement and causes of concern in the next cycle.

The rule (docs/methodology.md, "Findings across cycles"): an area for improvement or a cause of
concern on question q of cycle Y is followed into the next cycle the crosswalk leads to
(framework/mappings/, the file mapping Y into it). The questions it can recur under are those
the crosswalk links from q as comparable or partly comparable (a question "not comparable" judges
something else). It **recurs** where the force's evidence for that cycle holds an area for
improvement or a cause of concern on one of those questions that shares at least one topic with
it. Otherwise, when the next cycle's evidence covers those questions, no comparable finding was
written there: that is not proof that the force put it right, since a page's summary need not
mention everything. Where the next cycle has no evidence for the force, lists those questions as
gaps, or the crosswalk links q to nothing comparable, or the finding has no topics, what followed
is not known, and the status says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from openpeel.evidence.models import EvidenceFile, Finding
from openpeel.framework import QuestionMapping, available_years, load_framework, mapping_into

FOLLOWED_KINDS = ("area-for-improvement", "cause-of-concern")
Status = Literal[
    "recurs", "not-repeated", "gap", "no-evidence", "no-comparable-question", "no-topics", "last-cycle"
]
STATUSES: dict[str, str] = {
    "recurs": "a comparable finding recurs in {next}",
    "not-repeated": "no comparable finding in {next}",
    "gap": "not known: {next}'s sources say too little about the comparable question",
    "no-evidence": "not known: no evidence for {next}",
    "no-comparable-question": "not known: no comparable question in {next}",
    "no-topics": "not known: the finding has no topics to follow",
    "last-cycle": "no later cycle",
}
KIND_LABELS = {"area-for-improvement": "area for improvement", "cause-of-concern": "cause of concern"}


def next_cycle(year: int) -> QuestionMapping | None:
    """The crosswalk from `year` into the next cycle, or None where there is none."""
    for later in available_years():
        if later > year:
            mapping = mapping_into(later)
            if mapping is not None and mapping.from_year == year:
                return mapping
    return None


def comparable_questions(mapping: QuestionMapping, question_id: str) -> tuple[str, ...]:
    """The next cycle's questions the crosswalk links from `question_id` as comparable or partly so."""
    return tuple(
        link.to
        for link in mapping.questions
        if question_id in link.from_ and link.comparability in ("comparable", "partly-comparable")
    )


@dataclass(frozen=True)
class FollowedFinding:
    force_id: str
    year: int
    finding: Finding
    status: Status
    next_year: int | None = None
    next_questions: tuple[str, ...] = ()
    matches: tuple[Finding, ...] = ()

    @property
    def cycle(self) -> str:
        return load_framework(self.year).title

    @property
    def next_cycle(self) -> str | None:
        return load_framework(self.next_year).title if self.next_year is not None else None

    @property
    def recurs(self) -> bool | None:
        """True or False where the next cycle's evidence answers it, None where it is not known."""
        return {"recurs": True, "not-repeated": False}.get(self.status)

    @property
    def question_text(self) -> str:
        return load_framework(self.year).question(self.finding.question).text

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.finding.kind]

    def describe(self) -> str:
        text = STATUSES[self.status].format(next=self.next_cycle or "the next cycle")
        if self.matches:
            text += " (" + ", ".join(f"{m.question}: {KIND_LABELS[m.kind]}" for m in self.matches) + ")"
        return text

    def as_json(self) -> dict[str, object]:
        f = self.finding
        return {
            "force": self.force_id,
            "year": self.year,
            "cycle": self.cycle,
            "question": f.question,
            "kind": f.kind,
            "finding": f.id,
            "text": f.text.strip(),
            "topics": list(f.topics),
            "next_year": self.next_year,
            "next_cycle": self.next_cycle,
            "next_questions": list(self.next_questions),
            "followed": self.status,
            "followed_text": self.describe(),
            "recurs": self.recurs,
            "next_findings": [{"id": m.id, "question": m.question, "kind": m.kind} for m in self.matches],
        }


def _follow(
    force_id: str, year: int, finding: Finding, following: Mapping[int, EvidenceFile]
) -> FollowedFinding:
    mapping = next_cycle(year)
    if mapping is None:
        return FollowedFinding(force_id, year, finding, "last-cycle")
    later = mapping.to_year
    questions = comparable_questions(mapping, finding.question)
    if not questions:
        return FollowedFinding(force_id, year, finding, "no-comparable-question", later)
    if not finding.topics:
        return FollowedFinding(force_id, year, finding, "no-topics", later, questions)
    evidence = following.get(later)
    if evidence is None:
        return FollowedFinding(force_id, year, finding, "no-evidence", later, questions)
    topics = set(finding.topics)
    matches = tuple(
        f
        for f in evidence.findings
        if f.kind in FOLLOWED_KINDS and f.question in questions and topics & set(f.topics)
    )
    if matches:
        return FollowedFinding(force_id, year, finding, "recurs", later, questions, matches)
    gaps = {g.question for g in evidence.gaps}
    status: Status = "gap" if gaps & set(questions) else "not-repeated"
    return FollowedFinding(force_id, year, finding, status, later, questions)


def follow_findings(force_id: str, evidence: Mapping[int, EvidenceFile]) -> list[FollowedFinding]:
    """Every area for improvement and cause of concern in `evidence` (one force's, by cycle year),
    in cycle order, each with what followed it in the next cycle's evidence given."""
    out = []
    for year in sorted(evidence):
        for finding in evidence[year].findings:
            if finding.kind in FOLLOWED_KINDS:
                out.append(_follow(force_id, year, finding, evidence))
    return out
