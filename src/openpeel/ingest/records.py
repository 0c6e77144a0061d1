"""Typed records the ingest modules hand to the warehouse loader, each with its provenance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class RecordedCrimeRow:
    area_id: str
    period_end: dt.date
    offence_group: str
    offences: int
    source_ref: str


@dataclass(frozen=True)
class AsbRow:
    area_id: str
    period_end: dt.date
    incidents: int
    published_rate_per_1000: float | None
    source_ref: str


@dataclass(frozen=True)
class PopulationRow:
    area_id: str
    mid_year: int
    population: int
    source_ref: str


@dataclass(frozen=True)
class ControlTotal:
    """A published total (e.g. England and Wales excluding BTP) to check the force rows against."""

    key: str
    period: str
    value: float
    source_ref: str
