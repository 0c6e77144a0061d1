"""Measures of a rendered report's body: what a reader of the published report would notice.

The body is everything before the appendix heading. The published Northamptonshire 2014
report runs to about a thousand words; openpeel's body is held to `BODY_WORD_LIMIT`, and no
sentence of `REPEAT_MIN_WORDS` words or more may be said twice in it.
"""

from __future__ import annotations

import re
from collections import Counter

APPENDIX_HEADING = "Appendix: how we know"
BODY_WORD_LIMIT = 1600
REPEAT_MIN_WORDS = 6

# A sentence ends at . ! or ? before white space, or at a line end (headings, list items).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def body_text(text: str) -> str:
    """The part of a text or Markdown report before its appendix."""
    at = text.find(APPENDIX_HEADING)
    return text if at < 0 else text[:at]


def word_count(text: str) -> int:
    """Words as a word processor counts them: runs of non-space characters."""
    return len(text.split())


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def repeated_sentences(text: str, min_words: int = REPEAT_MIN_WORDS) -> list[str]:
    """Sentences of at least `min_words` words that occur more than once, in first-seen order."""
    counts = Counter(" ".join(s.split()) for s in sentences(text) if word_count(s) >= min_words)
    return [s for s, n in counts.items() if n > 1]


# A sentence stating a change: a verb of movement and a figure (narrative.change_sentence).
_CHANGE = re.compile(r"\b(rose|fell|broadly unchanged)\b.*%", re.IGNORECASE)
# The spans openpeel's change sentences name (publish/narrative.change_span).
_SPAN = re.compile(
    r"over the (same )?(\w+ )?years?\b|compared with a year earlier|over one year|over four years",
    re.IGNORECASE,
)


def change_sentences_without_span(text: str) -> list[str]:
    """Sentences of a report's body that state a change without naming the span it covers (a
    chart's text alternative names its own and is left out)."""
    return [
        s
        for s in sentences(body_text(text))
        if not s.startswith("[Chart]") and _CHANGE.search(s) and not _SPAN.search(s)
    ]


# A sentence or line that states a grade: a grade as a predicate ("is good at", "requires
# improvement at", "... overall") or a grade line ("grade: Good").
_GRADE = re.compile(
    r"\b(is|are|was|were) (outstanding|good|adequate|inadequate) (at|overall)\b"
    r"|\brequires? improvement (at|overall)\b|\boverall (is|was) (outstanding|good|adequate|inadequate)\b"
    r"|\boverall requires improvement\b"
    r"|\bgrade\b[^.:]*: (Outstanding|Good|Adequate|Requires improvement|Inadequate)\b",
    re.IGNORECASE,
)
# Who may state a grade: the inspectorate (its published grades) or openpeel (its rubric, its
# inspectors' judgements).
_AUTHOR = re.compile(r"\b(inspectorate|openpeel|rubric)", re.IGNORECASE)


def grade_sentences_without_author(text: str) -> list[str]:
    """Sentences and lines of a report that state a grade without saying whose it is."""
    out = []
    for line in text.splitlines():
        for sentence in sentences(line):
            if _GRADE.search(sentence) and not _AUTHOR.search(sentence):
                out.append(sentence)
    return out


# A figure as openpeel's data sentences and charts state it (narrative.fmt_value: one decimal).
_FIGURE = re.compile(r"\d\.\d\b")
# The periods they name ("year ending March 2019", "12 months to 31 December 2018", "four years to
# December 2018"; a recording finding's "found in February 2017") and how far a period precedes the cycle (recent_data: "... before PEEL 2021/22 began").
_PERIOD = re.compile(r"\b(year ending|months to|years to|found in)( \d{1,2})? [A-Z][a-z]+ \d{4}\b")
_GAP = re.compile(r"\bbefore PEEL \S+ began\b")


def undated_data_sentences(text: str) -> list[str]:
    """Sentences of a report's body that state a figure without naming its period and how far it
    precedes the cycle, and chart lines that do not say both ('[Chart] ...', one line each). For
    reports of a cycle later than its data (publish/recent_data.py)."""
    out = []
    for line in body_text(text).splitlines():
        if line.startswith("[Chart]"):
            if not (_PERIOD.search(line) and _GAP.search(line)):
                out.append(line)
            continue
        out += [
            s for s in sentences(line) if _FIGURE.search(s) and not (_PERIOD.search(s) and _GAP.search(s))
        ]
    return out


def figure_sentences(text: str) -> list[str]:
    """Sentences of a report's body that state a figure (chart lines apart)."""
    return [
        s
        for line in body_text(text).splitlines()
        if not line.startswith("[Chart]")
        for s in sentences(line)
        if _FIGURE.search(s)
    ]
