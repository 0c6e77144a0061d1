"""Statistical constants and limits shared by indicators, charts and wording.

Kept in one place so the funnel plot, the wording rule and the rank ranges cannot drift apart.
"""

from __future__ import annotations

# Two-sided normal quantiles: 95% and 99.8% (the funnel plot's outer limits, Spiegelhalter 2005).
Z_95 = 1.959964
Z_998 = 3.090232

# Overdispersion (indicators/dispersion.py): z-scores are winsorised at these percentiles before
# the spread between forces is estimated (Spiegelhalter 2005), and no spread is estimated from
# fewer forces than this.
WINSOR_LOW = 0.10
WINSOR_HIGH = 0.90
MIN_FORCES_FOR_SPREAD = 10

# Rank ranges are simulated (indicators/rank_ranges.py) with this many draws from a fixed seed,
# so the same data always give the same ranges; the range is the central 95% of simulated places.
RANK_DRAWS = 200
RANK_SEED = 2014
RANK_LOW_QUANTILE = 0.025
RANK_HIGH_QUANTILE = 0.975
