"""How far the extractor's drafts agree with findings written by hand.

Each hand-written finding is matched to the draft finding whose words overlap its own most: the
Dice coefficient of their content words (lower-cased, stemmed by one strip of a common ending,
the draft rules' stopwords left out), 2 |H ∩ D| / (|H| + |D|), ties going to the draft that
comes first in the text. The hand finding agrees when that draft has its kind and its question.
The agreement is the share of hand findings that agree. The measure is generous where a report
says the same thing twice (the best of the two drafts counts) and strict where the hand writer
joined several sentences into one finding (one draft has to carry it).
"""

from __future__ import annotations

from dataclasses import dataclass

from openpeel.evidence.draft import content_words
from openpeel.evidence.models import DRAFT_MARKER, EvidenceFile, Finding


def draft_sentence(text: str) -> str:
    """A draft finding's source sentence: its text without the marker and the note after it."""
    if not text.startswith(DRAFT_MARKER):
        return text
    rest = text[len(DRAFT_MARKER) :].lstrip()
    if rest.startswith("("):
        rest = rest[rest.find(")") + 1 :].lstrip()
    return rest


def dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 0.0


@dataclass(frozen=True)
class Match:
    hand: Finding
    draft: Finding | None
    score: float

    @property
    def kind_agrees(self) -> bool:
        return self.draft is not None and self.draft.kind == self.hand.kind

    @property
    def question_agrees(self) -> bool:
        return self.draft is not None and self.draft.question == self.hand.question

    @property
    def agrees(self) -> bool:
        return self.kind_agrees and self.question_agrees


@dataclass(frozen=True)
class Agreement:
    matches: tuple[Match, ...]

    def _share(self, count: int) -> float:
        return count / len(self.matches) if self.matches else 0.0

    @property
    def agreed(self) -> int:
        return sum(m.agrees for m in self.matches)

    @property
    def kind_and_question(self) -> float:
        return self._share(self.agreed)

    @property
    def kind(self) -> float:
        return self._share(sum(m.kind_agrees for m in self.matches))

    @property
    def question(self) -> float:
        return self._share(sum(m.question_agrees for m in self.matches))

    def table(self) -> str:
        """Each hand finding, its best draft, and whether kind and question agree."""
        lines = []
        for m in self.matches:
            d = m.draft
            mark = "agrees" if m.agrees else "differs"
            drafted = f"{d.id} {d.kind} / {d.question}" if d else "no draft"
            lines.append(
                f"{mark:8} {m.hand.id}: {m.hand.kind} / {m.hand.question} <- {drafted} (overlap {m.score:.2f})"
            )
        lines.append(
            f"kind and question agree on {self.agreed} of {len(self.matches)} hand findings "
            f"({self.kind_and_question:.0%}); kind alone {self.kind:.0%}, question alone {self.question:.0%}"
        )
        return "\n".join(lines) + "\n"


def agreement(hand: EvidenceFile, draft: EvidenceFile) -> Agreement:
    """Match every hand-written finding to its best draft finding by word overlap."""
    drafted = [(f, content_words(draft_sentence(f.text))) for f in draft.findings]
    matches = []
    for finding in hand.findings:
        words = content_words(finding.text)
        best: tuple[float, Finding] | None = None
        for candidate, candidate_words in drafted:
            score = dice(words, candidate_words)
            if best is None or score > best[0]:
                best = (score, candidate)
        matches.append(Match(finding, best[1], best[0]) if best else Match(finding, None, 0.0))
    return Agreement(tuple(matches))
