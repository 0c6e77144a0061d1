"""Findings written as prose: the inspectorate's register, not a list of tagged items.

Each question's section carries its own reasons: every finding of the question, what the force
does well (strengths and observations) first, then what it must improve; a cause of concern keeps
its own paragraph and label, because a reader must not miss it. A finding's fact (a comparison the
inspection stated) follows its text, attributed to that inspection. The overview
restates the main findings (those marked for it) briefly, by what they are about, as the
inspectorate's own overviews do; it never repeats their sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet

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


def in_sentence(title: str) -> str:
    """A title inside a sentence: "Crime inspection 2014" reads "crime inspection 2014", but an
    acronym ("PEEL 2014 ...") keeps its capitals; a bracketed aside is left to the source line."""
    title = re.sub(r"\s*\([^)]*\)", "", title).strip()
    if len(title) > 1 and title[1].isupper():
        return title
    return title[:1].lower() + title[1:]


def fact_sentence(finding: Finding, evidence: EvidenceFile) -> str:
    """'The domestic abuse inspection found that the force had ...': the inspection is named in
    the sentence, its date and address in the paragraph's source (finding prose holds no figures,
    so a year in the title, "Domestic abuse inspection 2014", is left to the source line too)."""
    inspection = evidence.inspection(finding.inspection)
    name = " ".join(re.sub(r"\b(19|20)\d\d\b", "", in_sentence(inspection.title)).split())
    return f"The {name} found that {finding.fact}."


def _said(finding: Finding, evidence: EvidenceFile) -> str:
    text = finding.text.strip()
    return f"{text} {fact_sentence(finding, evidence)}" if finding.fact else text


def _joined(findings: Sequence[Finding], evidence: EvidenceFile, kind: str) -> Paragraph:
    text = " ".join(_said(f, evidence) for f in findings)
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


# Topics as a sentence says them (the framework's vocabulary is terse).
TOPIC_WORDS = {
    "asb response": "the response to anti-social behaviour",
    "repeat and vulnerable victims": "the care of repeat and vulnerable victims",
}


def _topics(findings: Sequence[Finding]) -> str:
    names = list(dict.fromkeys(TOPIC_WORDS.get(t, t) for f in findings for t in f.topics))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def overview_findings(framework: Framework, evidence: EvidenceFile) -> list[Paragraph]:
    """The overview's brief restatement of the main findings (those marked for it): per question,
    what the strengths and the weaknesses are about. The findings themselves are in the sections."""
    sentences: list[str] = []
    sources: list[str] = []
    last = ""
    for question in framework.questions():
        chosen = [f for f in evidence.findings if f.in_overview and f.question == question.id and f.topics]
        if not chosen:
            continue
        good = [f for f in chosen if f.kind in POSITIVE]
        weak = [f for f in chosen if f.kind in NEGATIVE]
        concern = [f for f in chosen if f.kind == "cause-of-concern"]
        parts = []
        if good:
            parts.append(f"strengths in {_topics(good)}")
        if weak:
            parts.append(f"weaknesses in {_topics(weak)}")
        if concern:
            parts.append(f"a cause of concern about {_topics(concern)}")
        said = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        titles = list(dict.fromkeys(evidence.inspection(f.inspection).title for f in chosen))
        named = " and the ".join(in_sentence(t) for t in titles)
        who = "it" if sentences and named == last else f"the {named}"
        last = named
        sentences.append(f"In {question.summary_phrase or question.text.lower()}, {who} found {said}.")
        sources.append(_source(chosen, evidence))
    if not sentences:
        return []
    text = " ".join(sentences)
    text = text[:1].upper() + text[1:]
    source = "; ".join(dict.fromkeys(s for part in sources for s in part.split("; ")))
    return [Paragraph((Segment(text),), "findings", source)]


def further_insights(evidence: EvidenceFile, question_ids: AbstractSet[str]) -> list[Paragraph]:
    """The summaries of inspections the sections do not speak for, under "Further insights".

    An inspection with findings on the report's questions has them stated in full in those
    sections; its summary restates them (as the inspectorate's own "Further insights" restate its
    later sections), so it is left out and each finding is said once."""
    spoken = {f.inspection for f in evidence.findings if f.question in question_ids}
    return [
        Paragraph((Segment(i.summary.strip()),), "text", f"{i.title} ({i.source})")
        for i in evidence.inspections
        if i.summary and i.id not in spoken
    ]


def section_findings(
    findings: Iterable[Finding], evidence: EvidenceFile, stated: AbstractSet[str] = frozenset()
) -> list[Paragraph]:
    """All of a question's findings: a section carries its own reasons, weaknesses included. An
    observation that only restates indicators the report's data sentences already state (its
    `indicators` all in `stated`) is left out: the figure, with its comparison, is said once."""
    kept = [
        f
        for f in findings
        if not (f.kind == "observation" and f.indicators and set(f.indicators) <= set(stated))
    ]
    return findings_prose(kept, evidence)
