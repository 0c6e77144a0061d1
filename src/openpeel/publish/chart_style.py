"""How charts look: colours (the force, England and Wales, other forces, grades), the halo that
keeps labels readable over markers, and how a value and its unit are written."""

from __future__ import annotations

from collections.abc import Sequence

from openpeel.indicators.catalogue import Indicator
from openpeel.publish.chart_data import CrossSection, TrendPoint, control_limits

FORCE = "#1d4f91"
EW = "#8a4b00"
OTHER = "#8c96a0"
PEER = "#6fa0d8"
CHANCE = "#9aa5b1"
INK = "#1b1b1b"
MUTED = "#4a4a4a"
GRID = "#dde2e8"
GRADE_COLOURS = {
    "Outstanding": "#0b5d1e",
    "Good": "#4c9a2a",
    # The five-tier scale (from 2021/22) puts adequate between good and requires improvement.
    "Adequate": "#b5c94a",
    "Requires improvement": "#e0a21b",
    "Inadequate": "#a00000",
    "Not graded": "#c8ced6",
}
GRADE_TEXT = {"Outstanding": "#ffffff", "Good": "#000000", "Inadequate": "#ffffff"}

HALO = ' paint-order="stroke" stroke="#ffffff" stroke-width="4" stroke-linejoin="round"'
W, H = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 24, 64


def fmt(value: float | None, ind: Indicator) -> str:
    if value is None:
        return "–"
    return f"{value:+.1f}%" if ind.kind == "change" else f"{value:.1f}"


def unit_label(ind: Indicator) -> str:
    return "% change" if ind.kind == "change" else ind.unit


# --- building charts (data and text) ---------------------------------------------------------


def break_index(ind: Indicator, points: Sequence[TrendPoint]) -> int | None:
    """Index of the first point on or after the indicator's series break, when the chart spans it."""
    if ind.not_comparable_before is None:
        return None
    ends = [p.period_end for p in points]
    after = [i for i, end in enumerate(ends) if end >= ind.not_comparable_before]
    return after[0] if after and after[0] > 0 else None


def section_limits(section: CrossSection, size: float, z: float) -> tuple[float, float]:
    # The comparisons' own model (chance plus the spread between forces), so the chart's bands
    # and the report's significance come from one method.
    assert section.ew_value is not None
    return control_limits(section.indicator, section.ew_value, size, z, section.tau2)


def rank_order(ind: Indicator) -> str:
    """What rank 1 means: 'best', or where recording drives the count (a recording caveat),
    'lowest', since neither end is better."""
    if ind.recording_caveat is not None:
        return "1 = lowest" if ind.direction == "lower_is_better" else "1 = highest"
    return "1 = best"
