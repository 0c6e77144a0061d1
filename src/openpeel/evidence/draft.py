"""The first-pass extractor: draft findings from a report's text, for a person to review.

`openpeel evidence draft TEXTFILE --force F --year Y` runs the blind filter first (so it drafts
only from text with every grade statement removed), splits what is left into sentences under
their headings, and proposes one finding per sentence: the kind from cue phrases, the question
from the heading it sits under (matched loosely against the year's question texts) or else from
topic words, and topics from the year's topic list by keyword. The rules are data
(protocol/draft-rules.yaml), each with the reason it is there.

A draft is not evidence. Each finding's text is the source sentence behind a marker saying it
must be rewritten in openpeel's own words; its `source_ref` is only a pointer into the blinded
text (line, paragraph and sentence), never the sentence itself. A sentence that no heading or
keyword ties to a question is left "unassigned", which the evidence loader refuses until a
person assigns it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from openpeel.core.errors import InputError
from openpeel.evidence.blind import Blinded, blind_text, protocol_version, sentences
from openpeel.evidence.models import DRAFT_MARKER, FindingKind
from openpeel.forces import lookup
from openpeel.framework import Framework, Question, load_framework

RULES_FILE = "draft-rules.yaml"
UNASSIGNED = "unassigned"
_BULLET = re.compile(r"^\s*(?:[-•*–·▪]|\d{1,2}[.)])\s+")
_WORD = re.compile(r"[a-z]+")
_URL = re.compile(r"^url:\s*(\S+)", re.IGNORECASE)
# One strip of a common ending, so "investigations", "investigating" and "investigate" meet.
_SUFFIXES = ("ions", "ion", "ings", "ing", "ies", "ied", "edly", "ed", "ly", "es", "s", "e", "y")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KindHeading(_Strict):
    kind: FindingKind
    pattern: str
    why: str


class SectionBreak(_Strict):
    pattern: str
    why: str


class Headings(_Strict):
    max_words: int
    question_match: float
    kind_headings: tuple[KindHeading, ...]
    section_breaks: tuple[SectionBreak, ...]


class Cue(_Strict):
    id: str
    pattern: str
    why: str


class KindCues(_Strict):
    kind: FindingKind
    cues: tuple[Cue, ...]


class DraftRules(_Strict):
    version: int
    protocol: str
    headings: Headings
    default_kind: FindingKind
    kinds: tuple[KindCues, ...]
    topics: dict[str, tuple[str, ...]]
    questions: dict[str, tuple[str, ...]]
    stopwords: tuple[str, ...]


def _compile(pattern: str, *, prefix: str = "") -> re.Pattern[str]:
    return re.compile(prefix + "(?:" + pattern + ")", re.IGNORECASE)


@dataclass(frozen=True)
class _Compiled:
    rules: DraftRules
    cues: tuple[tuple[str, str, re.Pattern[str]], ...]
    """(kind, cue id, pattern), in the order they are tried"""
    kind_headings: tuple[tuple[str, re.Pattern[str]], ...]
    breaks: tuple[re.Pattern[str], ...]
    topics: dict[str, tuple[re.Pattern[str], ...]]
    questions: dict[str, tuple[re.Pattern[str], ...]]
    stopwords: frozenset[str]


@cache
def draft_rules() -> _Compiled:
    """The extractor's rules, checked and compiled."""
    where = f"openpeel/evidence/protocol/{RULES_FILE}"
    raw = resources.files("openpeel.evidence").joinpath("protocol", RULES_FILE).read_text(encoding="utf-8")
    try:
        rules = DraftRules.model_validate(yaml.safe_load(raw))
        compiled = _Compiled(
            rules,
            tuple((k.kind, c.id, _compile(c.pattern)) for k in rules.kinds for c in k.cues),
            tuple((h.kind, _compile(h.pattern)) for h in rules.headings.kind_headings),
            tuple(_compile(b.pattern) for b in rules.headings.section_breaks),
            {t: tuple(_compile(p, prefix=r"\b") for p in ps) for t, ps in rules.topics.items()},
            {q: tuple(_compile(p, prefix=r"\b") for p in ps) for q, ps in rules.questions.items()},
            frozenset(rules.stopwords),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(first["msg"], path=where, field=".".join(map(str, first["loc"]))) from None
    except re.error as exc:
        raise InputError(f"a pattern is not a regular expression: {exc}", path=where) from None
    if rules.protocol != protocol_version():
        raise InputError(
            f"the draft rules are for protocol {rules.protocol}, the blind filter is {protocol_version()}",
            path=where,
            field="protocol",
        )
    return compiled


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    """The stemmed words of `text` that carry meaning (the rules' stopwords left out)."""
    stop = draft_rules().stopwords
    return {stem(w) for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in stop}


@dataclass(frozen=True)
class Sentence:
    text: str
    line: int
    """line of the blinded text"""
    paragraph: int
    """paragraph of the blinded text, headings not counted"""
    position: int
    """sentence within its paragraph, from 1"""
    heading: str | None
    question: str | None
    """the question whose heading the sentence sits under"""
    heading_kind: str | None
    """the kind a heading such as "Areas for improvement" gives the lines under it"""
    source: int
    """index of the page (its `url:` line) the sentence comes from"""


@dataclass(frozen=True)
class DraftFinding:
    sentence: Sentence
    kind: str
    kind_from: str
    question: str
    question_from: str
    topics: tuple[str, ...]

    @property
    def source_ref(self) -> str:
        s = self.sentence
        return f"blinded text line {s.line} (paragraph {s.paragraph}, sentence {s.position})"

    @property
    def text(self) -> str:
        return f"{DRAFT_MARKER} (kind from {self.kind_from}; question from {self.question_from}) {self.sentence.text}"


@dataclass(frozen=True)
class Draft:
    force_id: str
    year: int
    source_name: str
    blinded: Blinded
    sources: tuple[str, ...]
    findings: tuple[DraftFinding, ...]

    def evidence_data(self) -> dict[str, Any]:
        """The draft as the data of an evidence file."""
        framework = load_framework(self.year)
        kind = _inspection_kind(framework)
        addresses = self.sources or (self.source_name,)
        inspections = [
            {
                "id": f"source-{i + 1}",
                "kind": kind,
                "title": f"Draft: source text {i + 1}",
                "source": address,
            }
            for i, address in enumerate(addresses)
        ]
        findings = []
        for n, f in enumerate(self.findings, start=1):
            item: dict[str, Any] = {
                "id": f"draft-{n:03d}",
                "inspection": f"source-{f.sentence.source + 1}",
                "question": f.question,
                "kind": f.kind,
                "text": f.text,
            }
            if f.topics:
                item["topics"] = list(f.topics)
            item["source_ref"] = f.source_ref
            findings.append(item)
        return {
            "force": self.force_id,
            "year": self.year,
            "protocol": self.blinded.protocol,
            "inspections": inspections,
            "findings": findings,
        }

    def yaml(self) -> str:
        rules = draft_rules().rules
        header = (
            f"# DRAFT evidence for {self.force_id}, PEEL {self.year}: proposals of openpeel's first-pass\n"
            f"# extractor (draft-rules.yaml version {rules.version}) from {self.source_name}, after the blind\n"
            f"# filter (protocol {self.blinded.protocol}) removed {len(self.blinded.removed)} sentence(s).\n"
            "# Nothing here is a finding yet. Read the blinded text (openpeel evidence blind SOURCE), then\n"
            "# rewrite every text in openpeel's own words (each starts with the draft marker until then),\n"
            "# correct kind, question and topics, assign the questions left unassigned, delete what is not\n"
            "# a finding, and give each inspection its page address.\n"
        )
        return header + yaml.safe_dump(self.evidence_data(), sort_keys=False, allow_unicode=True, width=100)


def _inspection_kind(framework: Framework) -> str:
    graded = [q for q in framework.questions() if q.graded] or framework.questions()
    return graded[0].inspection_kinds[0]


def _is_heading(line: str) -> bool:
    text = line.strip()
    if not text or _BULLET.match(line) or _URL.match(text):
        return False
    if len(text.split()) > draft_rules().rules.headings.max_words:
        return False
    return text.endswith("?") or not text.endswith((".", "!", ";", ":", ",", '"', "”"))


def heading_question(heading: str, framework: Framework) -> Question | None:
    """The question whose text the heading holds most of, if it holds enough of it."""
    words = content_words(heading)
    best: tuple[float, Question] | None = None
    for question in framework.questions():
        wanted = content_words(question.text)
        share = len(words & wanted) / len(wanted) if wanted else 0.0
        if share >= draft_rules().rules.headings.question_match and (best is None or share > best[0]):
            best = (share, question)
    return best[1] if best else None


class _Reader:
    """Walks the blinded text's blocks, keeping track of the heading each sentence is under."""

    def __init__(self, framework: Framework) -> None:
        self.framework = framework
        self.heading: str | None = None
        self.question: str | None = None
        self.heading_kind: str | None = None
        self.sources: list[str] = []
        self.paragraph = 0
        self.out: list[Sentence] = []

    def _known_heading(self, text: str) -> bool:
        """Take `text` as a heading if it is a question's, a kind's or a section break's."""
        rules = draft_rules()
        question = heading_question(text, self.framework)
        kind = next((k for k, p in rules.kind_headings if p.search(text.strip())), None)
        if question is not None:
            self.heading, self.question, self.heading_kind = text, question.id, None
        elif kind is not None:
            self.heading, self.heading_kind = text, kind
        elif any(p.search(text.strip()) for p in rules.breaks):
            self.heading, self.question, self.heading_kind = text, None, None
        else:
            return False
        return True

    def block(self, lines: list[tuple[int, str]]) -> None:
        body = []
        for number, line in lines:
            found = _URL.match(line.strip())
            if found:
                self.sources.append(found.group(1))
            elif line.strip() != "---":
                body.append((number, line))
        if not body:
            return
        if len(body) == 1 and _is_heading(body[0][1]):
            text = body[0][1].strip()
            if not self._known_heading(text):
                self.heading, self.heading_kind = text, None
            return
        if _is_heading(body[0][1]) and self._known_heading(body[0][1].strip()):
            body = body[1:]
        self.paragraph += 1
        position = 0
        for number, line in body:
            text = _BULLET.sub("", line, count=1)
            for sentence in sentences(text):
                position += 1
                self.out.append(
                    Sentence(
                        sentence,
                        number,
                        self.paragraph,
                        position,
                        self.heading,
                        self.question,
                        self.heading_kind,
                        max(0, len(self.sources) - 1),
                    )
                )


def split_sentences(text: str, framework: Framework) -> tuple[list[Sentence], list[str]]:
    """The sentences of a (blinded) text under their headings, and the page addresses it names."""
    reader = _Reader(framework)
    block: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            block.append((number, line))
        elif block:
            reader.block(block)
            block = []
    if block:
        reader.block(block)
    return reader.out, reader.sources


def propose_kind(sentence: Sentence) -> tuple[str, str]:
    """(kind, what decided it): the heading's kind, else the first cue that matches, else the default."""
    if sentence.heading_kind is not None:
        return sentence.heading_kind, "the heading"
    for kind, cue_id, pattern in draft_rules().cues:
        if pattern.search(sentence.text):
            return kind, f"cue {cue_id}"
    return draft_rules().rules.default_kind, "no cue"


def propose_topics(text: str, framework: Framework) -> tuple[str, ...]:
    compiled = draft_rules().topics
    found = []
    for topic in framework.topics:
        patterns = compiled.get(topic) or (_compile(re.escape(topic), prefix=r"\b"),)
        if any(p.search(text) for p in patterns):
            found.append(topic)
    return tuple(found)


def propose_question(sentence: Sentence, topics: tuple[str, ...], framework: Framework) -> tuple[str, str]:
    """(question id, where it came from): the heading's question, else the best topic-word score."""
    if sentence.question is not None:
        return sentence.question, "the heading"
    keywords = draft_rules().questions
    best: tuple[int, str] | None = None
    for question in framework.questions():
        score = 2 * len(set(topics) & set(question.core_topics))
        score += sum(1 for p in keywords.get(question.id, ()) if p.search(sentence.text))
        if score > 0 and (best is None or score > best[0]):
            best = (score, question.id)
    if best is None:
        return UNASSIGNED, "nothing: no heading, no keyword"
    return best[1], "topic words"


def draft_findings(text: str, *, force: str, year: int, source_name: str = "text") -> Draft:
    """Blind `text`, then draft one finding per sentence that is left."""
    force_id = lookup(force).force_id
    framework = load_framework(year)
    blinded = blind_text(text, where=source_name)
    found, sources = split_sentences(blinded.text, framework)
    findings = []
    for sentence in found:
        kind, kind_from = propose_kind(sentence)
        topics = propose_topics(sentence.text, framework)
        question, question_from = propose_question(sentence, topics, framework)
        findings.append(DraftFinding(sentence, kind, kind_from, question, question_from, topics))
    return Draft(force_id, framework.year, source_name, blinded, tuple(sources), tuple(findings))
