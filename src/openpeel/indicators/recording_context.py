"""The inspectorate's word on a force's crime recording, carried beside a crime count.

A recorded-crime figure counts what the force recorded. Where the inspectorate found a force
failing to record crimes in the figure's period (a crime data integrity grade of requires
improvement or inadequate, a share of crimes unrecorded), or found its recording changed during a
change's span (under-recording found, then improvement), the figure may reflect recording as well
as crime. Every sentence, flag and rubric rule about such a figure carries this context, and
neither the scan nor the rubric counts it for or against the force (docs/methodology.md).

Which judgement applies to which months is framework.recording_grades' rule
(`recording_judgement_for`, `recording_judgements_within`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Literal

from openpeel.framework.recording_grades import (
    RecordingJudgement,
    recording_judgement_for,
    recording_judgements_within,
)
from openpeel.indicators.catalogue import Indicator

# The table of recorded crime: an indicator built on it counts what forces recorded.
CRIME_COUNTS = "core_recorded_crime"
UNDER = "under-recording"
IMPROVED = "improved"


def is_crime_volume(indicator: Indicator) -> bool:
    """An indicator whose figure rests on counts of recorded crime (rates, changes, per officer)."""
    return CRIME_COUNTS in indicator.source_tables and indicator.kind in ("rate", "change")


def twelve_months_to(end: dt.date) -> dt.date:
    """The first day of the 12 months ending on `end`."""
    try:
        return end.replace(year=end.year - 1) + dt.timedelta(days=1)
    except ValueError:  # 29 February
        return end.replace(year=end.year - 1, day=28) + dt.timedelta(days=1)


def _month(day: dt.date | None) -> str:
    return day.strftime("%B %Y") if day else "an undated report"


def _what(row: RecordingJudgement) -> str:
    """What the judgement found, as the clause after 'found that'."""
    if row.found == IMPROVED:
        return "its crime recording had improved since its earlier inspection"
    if row.unrecorded_pct is not None:
        audited = ""
        if row.period_from and row.period_to:
            audited = f" (records from {_month(row.period_from)} to {_month(row.period_to)})"
        return f"the force failed to record about {row.unrecorded_pct:.1f}% of reported crimes{audited}"
    if row.grade == "inadequate":
        return "the force's crime recording was inadequate"
    if row.grade == "requires-improvement":
        return "the force's crime recording required improvement"
    return "the force was not recording every crime it should"


@dataclass(frozen=True)
class RecordingContext:
    """The judgements a crime figure's sentence cites, and what they mean for that figure."""

    force_id: str
    judgements: tuple[RecordingJudgement, ...]
    """oldest first"""
    scope: Literal["period", "span"]
    """found for the figure's own 12 months, or at some point of a change's span"""
    consequence: str
    """'a fall may reflect recording', 'the rate may understate crime', ..."""

    @property
    def finding_text(self) -> str:
        """'the inspectorate found in February 2017 that the force failed to record about 18.5% of
        reported crimes (records from December 2015 to May 2016)'"""
        parts = []
        for i, row in enumerate(self.judgements):
            lead = "the inspectorate found" if i == 0 else "in"
            when = f"in {_month(row.published_on)}" if i == 0 else _month(row.published_on)
            parts.append(f"{lead} {when} that {_what(row)}")
        return ", and ".join(parts)

    @property
    def text(self) -> str:
        return f"{self.finding_text}; {self.consequence}"

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(r.source_url for r in self.judgements)

    def as_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "scope": self.scope,
            "judgements": [
                {
                    "inspection": r.inspection,
                    "grade": r.grade,
                    "unrecorded_pct": r.unrecorded_pct,
                    "found": r.found,
                    "published": r.published,
                    "source_url": r.source_url,
                }
                for r in self.judgements
            ],
        }


def _consequence(kind: str, value: float) -> str:
    if kind == "rate":
        return "the rate may understate crime"
    if abs(value) < 0.5:
        return "the change may reflect recording"
    word = "a fall" if value < 0 else "a rise"
    return f"{word} may reflect recording"


@cache
def _context(
    force_id: str, kind: str, sign: int, period_end: dt.date, base_period_end: dt.date | None
) -> RecordingContext | None:
    value = float(sign)
    current = recording_judgement_for(force_id, twelve_months_to(period_end), period_end)
    if current is not None and current.found == UNDER:
        return RecordingContext(force_id, (current,), "period", _consequence(kind, value))
    if kind != "change" or base_period_end is None:
        return None
    span = recording_judgements_within(force_id, twelve_months_to(base_period_end), period_end)
    cited = tuple(r for r in span if r.found in (UNDER, IMPROVED))
    if not cited:
        return None
    return RecordingContext(force_id, cited, "span", _consequence(kind, value))


def recording_context(
    indicator: Indicator,
    area_id: str,
    value: float,
    period_end: dt.date,
    base_period_end: dt.date | None,
) -> RecordingContext | None:
    """The recording context of one figure, or None where the inspectorate found nothing that
    bears on it (or the figure is not a count of recorded crime)."""
    if not is_crime_volume(indicator):
        return None
    sign = 0 if abs(value) < 0.5 else (1 if value > 0 else -1)
    return _context(area_id, indicator.kind, sign, period_end, base_period_end)
