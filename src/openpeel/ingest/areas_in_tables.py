"""Telling force rows from aggregate rows (England and Wales, countries, regions) in ONS tables."""

from __future__ import annotations

import re

from openpeel.core.errors import UnknownNameError
from openpeel.forces import Force, lookup
from openpeel.forces.registry import normalise_name

# Labels of aggregate rows as ONS prints them (after footnote digits are removed). "West Midlands"
# is both a region and a force: the region comes first in its block, or carries an E12 code.
AGGREGATE_LABELS = {
    normalise_name(label): key
    for label, key in [
        ("England and Wales", "england-and-wales"),
        ("England and Wales (exc. BTP)", "england-and-wales"),
        ("England and Wales (inc. BTP)", "england-and-wales-inc-btp"),
        ("England", "england"),
        ("Wales", "wales"),
        ("North East", "region"),
        ("North West", "region"),
        ("Yorkshire and The Humber", "region"),
        ("East Midlands", "region"),
        ("West Midlands", "region"),
        ("West Midlands (region)", "region"),
        ("East", "region"),
        ("East of England", "region"),
        ("London", "region"),
        ("South East", "region"),
        ("South West", "region"),
        ("Beds Cambs Herts", "region"),
    ]
}


def classify(label: str, *, code: str | None, first_in_block: bool) -> tuple[str, Force | None]:
    """('force', Force) for a police force area row, ('aggregate', None) for totals and regions.

    Raises UnknownNameError (with suggestions) for a label that is neither.
    """
    key = normalise_name(label)
    if code and re.fullmatch(r"(K04|E92|W92|E12)\d{6}", code.strip()):
        return "aggregate", None
    is_aggregate_label = key in AGGREGATE_LABELS
    force: Force | None = None
    try:
        force = lookup(label)
    except UnknownNameError:
        if not is_aggregate_label:
            raise
    if force is not None and is_aggregate_label:
        # Ambiguous label ("West Midlands"): a code settles it; otherwise block position does.
        if code and code.strip().startswith(("E23", "W15")):
            return "force", force
        return ("aggregate", None) if first_in_block else ("force", force)
    if force is not None:
        return "force", force
    return "aggregate", None


def aggregate_key(label: str) -> str | None:
    return AGGREGATE_LABELS.get(normalise_name(label))
