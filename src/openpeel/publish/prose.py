"""Findings written as prose: the inspectorate's register, not a list of tagged items.

A report says each finding once. A finding marked for the overview is said there and not again
in its question's section; the others are said in their question's section. Within a section,
what the force does well (strengths and observations) comes first, then what it must improve;
a cause of concern keeps its own paragraph and label, because a reader must not miss it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from openpeel.evidence import EvidenceFile, Finding
from openpeel.framework import Framework
from openpeel.publish.model import Paragraph, Segment

POSITIVE = ("strength", "observation")
NEGATIVE = ("area-for-improvement",)


def _source(findings: Sequence[Finding], evidence: EvidenceFile) -> str:
    seen: list[str] = []
    for finding in findings:
        inspection = evidence.inspection(finding.inspection)
        text = f"{inspection.title} ({inspection.source})"
        if text not in seen:
            seen.append(text)
    return "; ".join(seen)


def _joined(findings: Sequence[Finding], evidence: EvidenceFile, kind: str) -> Paragraph:
    text = " ".join(f.text.strip() for f in findings)
    return Paragraph((Segment(text),), kind, _source(findings, evidence))


def findings_prose(findings: Iterable[Finding], evidence: EvidenceFile) -> list[Paragraph]:
    """One paragraph of what works, one of what must improve, one per cause of concern."""
    listed = list(findings)
    out: list[Paragraph] = []
    good = [f for f in listed if f.kind in POSITIVE]
    weak = [f for f in listed if f.kind in NEGATIVE]
    if good:
        out.append(_joined(good, evidence, "findings"))
    if weak:
        out.append(_joined(weak, evidence, "findings"))
    out += [_joined([f], evidence, f.kind) for f in listed if f.kind not in (*POSITIVE, *NEGATIVE)]
    return out


def overview_findings(framework: Framework, evidence: EvidenceFile) -> list[Paragraph]:
    """The overview's findings, one paragraph per question, in the framework's order."""
    out: list[Paragraph] = []
    for question in framework.questions():
        chosen = [f for f in evidence.findings if f.in_overview and f.question == question.id]
        if chosen:
            # A question's strengths and weaknesses read as one paragraph in the overview, as in
            # the inspectorate's own overviews; the cause-of-concern label still stands apart.
            paragraphs = findings_prose(chosen, evidence)
            prose = [p for p in paragraphs if p.kind == "findings"]
            if prose:
                text = " ".join(p.plain for p in prose)
                source = "; ".join(dict.fromkeys(p.source or "" for p in prose))
                out.append(Paragraph((Segment(text),), "findings", source))
            out += [p for p in paragraphs if p.kind != "findings"]
    return out


def section_findings(findings: Iterable[Finding], evidence: EvidenceFile) -> list[Paragraph]:
    """A question's findings, less those the overview has already said."""
    return findings_prose((f for f in findings if not f.in_overview), evidence)
