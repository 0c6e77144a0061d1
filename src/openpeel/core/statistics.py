"""Statistical constants and limits shared by indicators, charts and wording.

Kept in one place so the funnel plot, the wording rule and the rank ranges cannot drift apart.
"""

from __future__ import annotations

# Two-sided normal quantiles: 95% and 99.8% (the funnel plot's outer limits, Spiegelhalter 2005).
Z_95 = 1.959964
Z_998 = 3.090232
