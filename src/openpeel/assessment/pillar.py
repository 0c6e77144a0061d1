"""A pillar's proposed grade, derived from its questions' proposals by the rubric's pillar rule.

From PEEL 2015 to 2018/19 the inspectorate published a grade per pillar (effectiveness, efficiency,
legitimacy) and, for most forces, none per question: calibration against those grades needs a
pillar-level proposal. The rule is data (the rubric file's `pillar`), chosen with its reason
before any evidence of those cycles was written, so it cannot have been fitted to them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from openpeel.assessment.rubric import PillarRule, Proposal
from openpeel.framework import Framework


@dataclass(frozen=True)
class PillarProposal:
    pillar_id: str
    grade: str | None
    used: tuple[tuple[str, str], ...]
    """(question id, its proposed grade) for the questions the grade was derived from"""
    reason: str


def combine(grades: list[str], method: str, rank: Mapping[str, int]) -> str:
    """One grade from several: the median (the worse middle one for an even count) or the mode
    (ties to the worse)."""
    if not grades:
        raise ValueError("no grades to combine")
    if method == "median":
        ordered = sorted(grades, key=lambda g: rank[g])  # best first
        return ordered[len(ordered) // 2]
    if method == "mode":
        counts = Counter(grades)
        return max(counts, key=lambda g: (counts[g], rank[g]))
    raise ValueError(f"unknown pillar method {method!r}")


def propose_pillar(
    framework: Framework,
    rule: PillarRule,
    pillar_id: str,
    proposals: Mapping[str, Proposal],
    left_out: Collection[str] = (),
) -> PillarProposal:
    """The pillar's proposal from its graded questions' proposals; questions in `left_out` (the
    evidence file's gaps) and questions without a proposal do not count."""
    graded = [q.id for q in framework.pillar(pillar_id).questions if q.graded]
    used = tuple(
        (q, grade)
        for q in graded
        if q not in left_out and (p := proposals.get(q)) is not None and (grade := p.grade) is not None
    )
    needed = rule.min_share * len(graded)
    if not used or len(used) < needed:
        return PillarProposal(
            pillar_id,
            None,
            used,
            f"proposals for {len(used)} of {len(graded)} graded questions; the pillar rule needs "
            f"at least {rule.min_share:.0%}",
        )
    rank = {g.id: g.rank for g in framework.grade_scale}
    grade = combine([g for _, g in used], rule.method, rank)
    return PillarProposal(
        pillar_id,
        grade,
        used,
        f"{rule.method} of {len(used)} question proposals ({', '.join(g for _, g in used)})",
    )
