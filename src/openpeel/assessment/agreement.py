"""Agreement between two graders: the share that agree, and Cohen's kappa.

Kappa says how far agreement exceeds what chance would give two graders who hand out the same
grades in the same proportions but independently: (p_o - p_e) / (1 - p_e), p_o the share that
agree, p_e the sum over grades of the product of each grader's share of that grade (J. Cohen,
"A coefficient of agreement for nominal scales", Educational and Psychological Measurement 20
(1960) 37-46). A rule that always says "good" agrees with every good grade and has kappa 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Kappa of (grader A, grader B) pairs; None when there are none or chance agreement is total
    (both graders gave one and the same grade throughout)."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[g] * second[g] for g in first) / (n * n)
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


@dataclass(frozen=True)
class Tally:
    """How one grader (the rubric or a baseline) fares against the published grades on some rows."""

    compared: int
    agreed: int
    kappa: float | None

    @classmethod
    def of(cls, pairs: Sequence[tuple[str, str]]) -> Tally:
        """From (proposed, published) pairs."""
        return cls(len(pairs), sum(a == b for a, b in pairs), cohen_kappa(pairs))

    @property
    def share(self) -> float | None:
        return self.agreed / self.compared if self.compared else None

    def as_json(self) -> dict[str, object]:
        return {
            "compared": self.compared,
            "agreed": self.agreed,
            "share": None if self.share is None else round(self.share, 4),
            "kappa": None if self.kappa is None else round(self.kappa, 4),
        }

    def text(self) -> str:
        if not self.compared:
            return "-"
        return f"{self.agreed}/{self.compared} ({100 * self.agreed / self.compared:.0f}%)"

    def kappa_text(self) -> str:
        return "-" if self.kappa is None else f"{self.kappa:.2f}"
