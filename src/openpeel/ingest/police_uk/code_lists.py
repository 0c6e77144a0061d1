"""The published code lists (crime types, outcome categories, stop-and-search outcomes) as data.

The CSV files in `code_lists/` hold every value data.police.uk has published, with the historical
renames mapped to a canonical name (or, for outcomes, to the outcome group the indicators use).
A value missing from these lists is quarantined, never guessed: add a row to the CSV when
data.police.uk publishes a new category.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

OUTCOME_GROUPS: tuple[str, ...] = (
    "charged_or_summonsed",
    "out_of_court_disposal",
    "no_suspect_identified",
    "evidential_difficulties",
    "under_investigation",
    "other",
)
"""Outcome groups for "How effective is the force at investigating offending?", in report order."""

OUTCOME_GROUP_LABELS: dict[str, str] = {
    "charged_or_summonsed": "Charged or summonsed",
    "out_of_court_disposal": "Out-of-court disposal",
    "no_suspect_identified": "Investigation complete, no suspect identified",
    "evidential_difficulties": "Evidential difficulties (unable to prosecute suspect)",
    "under_investigation": "Still under investigation",
    "other": "Other (public interest, another organisation, status unavailable)",
}


@dataclass(frozen=True)
class Code:
    published_name: str
    canonical: str
    note: str


def _read(name: str, canonical_column: str) -> tuple[Code, ...]:
    text = resources.files("openpeel.ingest.police_uk").joinpath("code_lists", name).read_text("utf-8")
    return tuple(
        Code(row["published_name"], row[canonical_column], row.get("note") or "")
        for row in csv.DictReader(text.splitlines())
    )


@lru_cache(maxsize=1)
def crime_types() -> tuple[Code, ...]:
    return _read("crime_types.csv", "canonical_name")


@lru_cache(maxsize=1)
def outcome_categories() -> tuple[Code, ...]:
    """Street `Last outcome category` and outcomes `Outcome type`; `canonical` is the outcome group."""
    codes = _read("outcome_categories.csv", "outcome_group")
    unknown = {c.canonical for c in codes} - set(OUTCOME_GROUPS)
    if unknown:
        raise ValueError(f"outcome_categories.csv: unknown outcome groups {sorted(unknown)}")
    return codes


@lru_cache(maxsize=1)
def stop_search_outcomes() -> tuple[Code, ...]:
    return _read("stop_search_outcomes.csv", "canonical_name")
