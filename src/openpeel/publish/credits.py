"""Who is credited with each grade in a report: the audit trail's account, in words."""

from __future__ import annotations

from collections.abc import Mapping

from openpeel.assessment.judgements import Judgement
from openpeel.framework import Framework


def setter(judgement: Judgement) -> str:
    """Who confirmed or set the current grade (from the audit trail, not whoever touched it last)."""
    step = judgement.attribution.set if judgement.attribution else None
    return step.by if step is not None else "an inspector"


def credit_lines(framework: Framework, stored: Mapping[str, Judgement]) -> list[str]:
    """One line per graded question with a stored judgement: proposed, set, moderated, published."""
    out = []
    for question in framework.questions():
        judgement = stored.get(question.id)
        if judgement is None or not question.graded or judgement.attribution is None:
            continue
        grade = framework.grade(judgement.current_grade).label if judgement.current_grade else None
        steps = judgement.attribution.lines(grade)
        if steps:
            out.append(f"{question.text}: {'; '.join(steps)}.")
    return out
