"""How far a cycle's figures precede the cycle: for the reports' data sentences and charts, which
must say so, and for leaving a data section out past the framework's limit (data_age_limit).

For each source family a cycle draws on (recorded crime, anti-social behaviour, workforce, supplied
measures) the latest period the warehouse holds on or before the period the framework asks for; then
how many whole months that period's end comes before the cycle's start (1 January of its first year;
zero or less: not before). The figures behind a data section are as recent as its newest family, so
the section is left out when even that is older than the limit, or when there are no figures at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from openpeel.framework import Framework
from openpeel.framework.models import DataPeriod
from openpeel.indicators.catalogue import catalogue

_NUMBERS = (
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


def cycle_start(framework: Framework) -> dt.date:
    """The cycle's start: 1 January of its first year (the year its inspections began)."""
    return dt.date(framework.year, 1, 1)


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole months from `earlier` to `later` (negative where `earlier` is the later date); a period
    ending on the last day of a month counts from the first day of the next."""
    start = earlier + dt.timedelta(days=1)
    months = (later.year - start.year) * 12 + (later.month - start.month)
    if later.day < start.day:
        months -= 1
    return months


def span_text(months: int) -> str:
    """'three years', 'a year and six months', 'eight months' (months >= 1)."""
    years, rest = divmod(months, 12)

    def count(n: int, unit: str) -> str:
        word = "a" if n == 1 and unit == "year" else (_NUMBERS[n] if n < len(_NUMBERS) else str(n))
        return f"{word} {unit}{'' if n == 1 else 's'}"

    parts = [count(years, "year")] if years else []
    if rest:
        parts.append(count(rest, "month"))
    return " and ".join(parts) if parts else "less than a month"


@dataclass(frozen=True)
class FamilyAge:
    """One source family's figures for a cycle."""

    family: str
    wanted: dt.date
    """the period end the framework asks for"""
    latest: dt.date | None
    """the latest period end the warehouse holds on or before `wanted`; None: none at all"""
    months_before_start: int | None
    """how many whole months `latest` comes before the cycle's start (zero or less: not before)"""

    @property
    def at_wanted(self) -> bool:
        return self.latest == self.wanted


@dataclass(frozen=True)
class DataAge:
    year: int
    cycle: str
    starts: dt.date
    families: dict[str, FamilyAge]
    limit_months: int | None
    limit_reason: str | None

    @property
    def latest(self) -> dt.date | None:
        """The latest figures' period end over every family (None: the warehouse has none)."""
        ends = [f.latest for f in self.families.values() if f.latest is not None]
        return max(ends) if ends else None

    @property
    def months(self) -> int | None:
        """How many whole months the latest figures precede the cycle's start (zero or less: not before)."""
        latest = self.latest
        return months_between(latest, self.starts) if latest is not None else None

    @property
    def precedes(self) -> bool:
        """Whether the latest figures end before the cycle began."""
        return self.months is not None and self.months > 0

    @property
    def left_out(self) -> bool:
        """Whether the cycle's data section is left out: no figures, or all older than the limit."""
        if self.limit_months is None:
            return False
        return self.months is None or self.months > self.limit_months

    def phrase(self) -> str | None:
        """'three years before PEEL 2021/22 began', or None where the figures do not precede it."""
        if not self.precedes or self.months is None:
            return None
        return f"{span_text(self.months)} before {self.cycle} began"

    def family_phrase(self, family: str) -> str | None:
        """How far one family's latest figures precede the cycle ('two years before PEEL 2021/22
        began'), or None where they do not (or the family has none)."""
        found = self.families.get(family)
        if found is None or found.months_before_start is None or found.months_before_start <= 0:
            return None
        return f"{span_text(found.months_before_start)} before {self.cycle} began"


def latest_label(family: str, period_end: dt.date) -> str:
    """How a report names a period it falls back to: '12 months to 31 December 2018' for recorded
    crime (the ONS table's quarters), 'year ending March 2019' for the others."""
    if family == "recorded_crime":
        return f"12 months to {period_end.day} {period_end.strftime('%B %Y')}"
    return f"year ending {period_end.strftime('%B %Y')}"


def shown_framework(framework: Framework, age: DataAge) -> Framework:
    """The framework with each family's data period moved back to the latest the warehouse holds,
    where that is earlier than the period asked for: the periods a report of the cycle can show.
    Unchanged where every family has its own period (or none at all)."""
    periods = dict(framework.data_periods)
    for family, found in age.families.items():
        if found.latest is None or found.at_wanted:
            continue
        periods[family] = DataPeriod(
            period_end=found.latest,
            label=latest_label(family, found.latest),
            note=f"the latest the warehouse holds on or before {found.wanted.isoformat()}",
        )
    if periods == dict(framework.data_periods):
        return framework
    return framework.model_copy(update={"data_periods": periods})


def data_age(con: duckdb.DuckDBPyConnection, framework: Framework) -> DataAge:
    """How far the cycle's figures in the warehouse precede the cycle (see the module's note)."""
    starts = cycle_start(framework)
    families: dict[str, FamilyAge] = {}
    indicators = catalogue().indicators
    for family, period in framework.data_periods.items():
        ids = [ind.id for ind in indicators if ind.period_family == family]
        latest: dt.date | None = None
        if ids:
            row = con.execute(
                "SELECT max(period_end) FROM ind_values WHERE list_contains(?, indicator_id) AND period_end <= ?",
                [ids, period.period_end],
            ).fetchone()
            latest = row[0] if row and row[0] else None
        families[family] = FamilyAge(
            family,
            period.period_end,
            latest,
            months_between(latest, starts) if latest is not None else None,
        )
    limit = framework.data_age_limit
    return DataAge(
        framework.year,
        framework.title,
        starts,
        families,
        limit.months if limit else None,
        limit.reason if limit else None,
    )
