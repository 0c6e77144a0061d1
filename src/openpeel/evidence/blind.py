"""The blind protocol's first step: strip every sentence that states or paraphrases a grade.

`openpeel evidence blind SOURCE` reads a page of an inspectorate report as text, splits it into
sentences (bullets, headings and lines on their own count as sentences), removes each sentence
that any rule in protocol/blind-rules.yaml matches, writes what is left, and lists what it
removed and why. Whoever writes findings reads only the blinded text (docs/methodology.md, "The
blind protocol"). The same rules check the shipped evidence files: no finding may state a grade.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from openpeel.core.errors import InputError

RULES_FILE = "blind-rules.yaml"
# A sentence ends at . ! or ? followed by a space and a capital, a digit or an opening quote.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'‘“(])")
_HEADER = re.compile(r"^(url|query|fetched):", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    id: str
    why: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Removed:
    line: int
    rule: str
    sentence: str


@dataclass(frozen=True)
class Blinded:
    protocol: str
    text: str
    removed: tuple[Removed, ...]
    kept: int


@cache
def rules() -> tuple[str, tuple[Rule, ...]]:
    """The protocol version and its rules."""
    raw = resources.files("openpeel.evidence").joinpath("protocol", RULES_FILE).read_text(encoding="utf-8")
    data = yaml.safe_load(raw)
    return str(data["protocol"]), tuple(
        Rule(r["id"], r["why"], re.compile(r["pattern"], re.IGNORECASE | re.MULTILINE)) for r in data["rules"]
    )


def protocol_version() -> str:
    return rules()[0]


def grade_rule(sentence: str) -> str | None:
    """The id of the first rule `sentence` breaks (it states or paraphrases a grade), or None."""
    for rule in rules()[1]:
        if rule.pattern.search(sentence):
            return rule.id
    return None


def sentences(line: str) -> list[str]:
    """A line's sentences; a bullet or a heading is one sentence."""
    stripped = line.strip()
    if not stripped:
        return []
    return [part for part in _SENTENCE_END.split(stripped) if part]


def blind_text(text: str, *, where: str = "text") -> Blinded:
    """`text` with every grade-stating sentence removed (a page's `url:` header line is kept)."""
    if "\x00" in text:
        raise InputError("not a text file (it holds NUL bytes)", path=where)
    version, _ = rules()
    out_lines: list[str] = []
    removed: list[Removed] = []
    kept = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if _HEADER.match(line):
            # The source's address is kept; the search query that found it may name a grade.
            if line.lower().startswith("url:"):
                out_lines.append(line)
            continue
        if line.strip() == "---":
            out_lines.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        parts = []
        for sentence in sentences(line):
            rule = grade_rule(sentence)
            if rule is None:
                parts.append(sentence)
                kept += 1
            else:
                removed.append(Removed(number, rule, sentence))
        if parts:
            out_lines.append(indent + " ".join(parts))
        elif not line.strip():
            out_lines.append("")
    return Blinded(version, "\n".join(out_lines).strip() + "\n", tuple(removed), kept)
