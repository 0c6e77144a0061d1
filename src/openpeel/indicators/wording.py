"""Superlatives a report may use: "the lowest ... in the country", "one of the highest".

A rank alone never earns a superlative: the force must be told apart from the others by the
pairwise comparisons of rank_ranges.py, which allow for each force's ordinary year-to-year
movement (ind_dispersion.rank_variance) as well as chance. Let n be the forces ranked, and
`above`/`below` the forces whose value is significantly below/above this force's:

- "the lowest in the country": significantly below every other force (below = n − 1);
- "one of the lowest in the country": certainly among the lowest tenth, i.e. at worst in
  position ceil(n / 10) counting from the lowest (n − below <= ceil(n / 10)), but not the lowest;
- "the highest" and "one of the highest" the same way from the top.

"In the country" needs every force: n must be all 43 territorial forces less those the indicator
never ranks (City of London on rates per resident and per officer, for reasons the catalogue
states). A measure imported for some forces only
gets no superlative. The words describe the value (lowest, highest), not whether it is good: the
report says "the lowest arrest rate for domestic abuse related crimes in the country".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from openpeel.forces import get_force
from openpeel.indicators.query import IndicatorValue

TERRITORIAL_FORCES = 43
Which = Literal["lowest", "highest"]


@dataclass(frozen=True)
class Extreme:
    which: Which
    is_single: bool  # "the lowest" rather than "one of the lowest"

    def phrase(self, subject: str | None = None) -> str:
        if not self.is_single:
            noun = f" {subject} figures" if subject else ""
            return f"one of the {self.which}{noun} in the country"
        return f"the {self.which}{' ' + subject if subject else ''} in the country"


def territorial_excludes(value: IndicatorValue) -> list[str]:
    """The territorial forces the indicator leaves out of its ranks (City of London on rates per
    resident and per officer); British Transport Police is never among the 43 ranked."""
    return [a for a in value.indicator.rank_excludes if get_force(a).is_territorial]


def top_band(n: int) -> int:
    """How far from the end a force may be and still be "one of the lowest/highest"."""
    return max(1, math.ceil(n / 10))


def extreme(value: IndicatorValue) -> Extreme | None:
    """Whether the value is, beyond doubt, the lowest or highest in the country (or one of them)."""
    n = value.rank_of
    above, below = value.significantly_above, value.significantly_below
    if value.rank is None or n is None or above is None or below is None:
        return None
    if n != TERRITORIAL_FORCES - len(territorial_excludes(value)):
        return None
    if below == n - 1:
        return Extreme("lowest", True)
    if above == n - 1:
        return Extreme("highest", True)
    if n - below <= top_band(n):
        return Extreme("lowest", False)
    if n - above <= top_band(n):
        return Extreme("highest", False)
    return None


def extreme_phrase(value: IndicatorValue, *, subject: bool = False) -> str | None:
    """ "the lowest in the country", "one of the highest in the country", or None.

    With subject=True the indicator's short title goes in: "the lowest arrest rate for domestic
    abuse related crimes in the country".
    """
    found = extreme(value)
    return found.phrase(value.indicator.short_title if subject else None) if found else None
