"""The baselines the rubric is measured beside: grades anyone could guess without findings.

- **most common**: for each pillar or question, the grade the inspectorate published most often
  that cycle, over all forces (a tie goes to the worse grade). It agrees with every force that got
  the usual grade and has kappa 0: the rubric has to beat it to show that findings tell it more.
- **previous cycle**: the force's own published grade the cycle before, where the crosswalk
  (framework/mappings/) says the grade compares (a question linked as comparable from one graded
  question; a pillar whose questions all carry over, `pillar_comparable_with_previous`) and both
  cycles use the same grade scale. Elsewhere there is no such baseline, and the row says why.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Literal

from openpeel.framework import load_framework, mapping_into, pillar_comparable_with_previous
from openpeel.framework.published_grades import load_published_grades, published_grade

TargetKind = Literal["question", "pillar"]


@cache
def most_common_grades(year: int) -> dict[str, str]:
    """Per pillar or question of the cycle, the grade published most often (ties to the worse)."""
    rank = {g.id: g.rank for g in load_framework(year).grade_scale}
    by_target: dict[str, Counter[str]] = {}
    for row in load_published_grades(year):
        by_target.setdefault(row.target, Counter())[row.grade] += 1
    return {
        target: max(counts, key=lambda g: (counts[g], rank[g]))
        for target, counts in sorted(by_target.items())
    }


def previous_grade(force_id: str, year: int, target: str, kind: TargetKind) -> tuple[str | None, str]:
    """(the force's comparable published grade last cycle, or None; why or from where)."""
    mapping = mapping_into(year)
    if mapping is None:
        return None, "no earlier cycle in the crosswalk"
    before = load_framework(mapping.from_year)
    if [g.id for g in before.grade_scale] != [g.id for g in load_framework(year).grade_scale]:
        return None, f"{before.title} used another grade scale"
    if kind == "pillar":
        if not pillar_comparable_with_previous(year, target):
            return None, f"the crosswalk does not compare this pillar with {before.title}"
        source = target
    else:
        link = mapping.link(target)
        if not mapping.comparable(target) or len(link.from_) != 1:
            return None, f"the crosswalk does not compare this question with one graded in {before.title}"
        source = link.from_[0]
    found = published_grade(force_id, mapping.from_year, source)
    if found is None:
        return None, f"no published {before.title} grade for {source}"
    return found.grade, f"{before.title} {source}"
