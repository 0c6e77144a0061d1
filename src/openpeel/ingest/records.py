"""Typed records the ingest modules hand to the warehouse loader, each with its provenance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The source ids of the editions openpeel has always read; a newer edition of the same table
# (openpeel.ingest.editions) gets one of its own, so every figure names the file it came from.
RECORDED_CRIME_ID = "ons-recorded-crime-pfa"
ASB_P7_ID = "ons-pfa-p7-asb"
POPULATION_P9_ID = "ons-pfa-p9-population"


@dataclass(frozen=True)
class RecordedCrimeRow:
    area_id: str
    period_end: dt.date
    offence_group: str
    offences: int
    source_ref: str
    source_id: str = RECORDED_CRIME_ID


@dataclass(frozen=True)
class AsbRow:
    area_id: str
    period_end: dt.date
    incidents: int
    published_rate_per_1000: float | None
    source_ref: str
    source_id: str = ASB_P7_ID


@dataclass(frozen=True)
class PopulationRow:
    area_id: str
    mid_year: int
    population: int
    source_ref: str
    source_id: str = POPULATION_P9_ID


@dataclass(frozen=True)
class ControlTotal:
    """A published total (e.g. England and Wales excluding BTP) to check the force rows against."""

    key: str
    period: str
    value: float
    source_ref: str
