"""The report's appendix, "how we know": an entry per figure shown, the caveats behind them
(each said once), and the sources of those figures only.

A warehouse holds many files no sentence of a given report rests on: other forces' data.police.uk
files, other years', workforce editions no indicator shown uses. The source list names a file
only when an entry of this report cites it, so new data adds to the appendix only where a figure
in the report uses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from openpeel.evidence import EvidenceFile
from openpeel.forces import Force
from openpeel.indicators.query import IndicatorValue
from openpeel.publish.evidence_entries import evidence_entry
from openpeel.publish.model import Evidence

CITY_OF_LONDON_CAVEAT = (
    "City of London has a very small resident population, so rates per resident are not meaningful there; "
    "its officers do national fraud work while fraud is left out of the crimes counted, so crimes per "
    "officer are not compared either. Neither is ranked or used for a superlative."
)


_SENTENCE = re.compile(r"(?<=\.)\s+(?=[A-Z])")
KEY_WORDS = 3


def caveat_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def caveat_key(sentence: str) -> str:
    """What a caveat is about, by its opening words: "Fraud is excluded (...)" and "Fraud is
    excluded: its recording moved ..." are one caveat worded twice by two indicators."""
    return " ".join(re.findall(r"[a-z0-9]+", sentence.lower())[:KEY_WORDS])


def _add(caveats: list[str], text: str | None) -> None:
    """Add a caveat's sentences not said yet; of two wordings of one caveat the fuller stays."""
    if not text or not text.strip():
        return
    fresh: list[str] = []
    for sentence in caveat_sentences(text):
        key = caveat_key(sentence)
        said = [(i, s) for i, c in enumerate(caveats) for s in caveat_sentences(c) if caveat_key(s) == key]
        if not said:
            fresh.append(sentence)
        elif len(sentence) > len(said[0][1]):
            i, old = said[0]
            caveats[i] = caveats[i].replace(old, sentence)
    if fresh:
        caveats.append(" ".join(fresh))


def source_line(info: dict[str, object]) -> str:
    return (
        f"{info['dataset']} ({info['publisher']}): {info['path']}, sha256 {info['sha256']}; "
        f"read from {info['read_from']}"
    )


def cited_sources(entries: Iterable[Evidence], sources: dict[str, dict[str, object]]) -> list[str]:
    """The files the entries cite, each once, in the order first cited."""
    ids = dict.fromkeys(s for e in entries for s in e.source_ids)
    return [source_line(sources[s]) if s in sources else s for s in ids]


def appendix(
    force: Force,
    evidence: EvidenceFile | None,
    sources: dict[str, dict[str, object]],
    used: Sequence[IndicatorValue],
    extra_entries: Sequence[Evidence],
    ew_values: Mapping[str, IndicatorValue] | None = None,
) -> tuple[list[Evidence], list[str], list[str]]:
    """Entries, caveats and sources for the figures the report shows; `ew_values` (England and
    Wales's, by indicator) let each entry give the interval its significance test rests on."""
    seen: set[str] = set()
    entries: list[Evidence] = []
    caveats: list[str] = []
    for value in used:
        ew = (ew_values or {}).get(value.indicator.id)
        entry = evidence_entry(
            value, force, sources, ew if ew and ew.period_end == value.period_end else None
        )
        if entry.anchor in seen:
            continue
        seen.add(entry.anchor)
        entries.append(entry)
        _add(caveats, value.indicator.comparability)
        recording = value.indicator.recording_caveat
        if recording is not None:
            _add(caveats, f"{recording.reason} (Source: {recording.source}.)")
    for extra in extra_entries:
        entries.append(extra)
        for note in extra.caveats:
            _add(caveats, note)
    if force.force_id == "city-of-london":
        _add(caveats, CITY_OF_LONDON_CAVEAT)
    source_list = cited_sources(entries, sources)
    if evidence is not None:
        source_list += [f"{i.title}: {i.source}" for i in evidence.inspections]
    return entries, caveats, source_list
