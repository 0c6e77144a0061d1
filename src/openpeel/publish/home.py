"""The home page's cycles, for the static site's index and the web app's home alike.

The home page shows one cycle, the latest with published grades, with its coverage (a count, a map
and the map's table), then every cycle with its own count and links. No part of it adds up or
colours grades of two cycles together.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from markupsafe import Markup

from openpeel.forces import Force, territorial_forces
from openpeel.framework import available_years
from openpeel.framework.published_coverage import ForceCoverage
from openpeel.publish.cycle_coverage import (
    STATUS_LABELS,
    CycleCoverage,
    coverage_text,
    cycle_coverage_view,
    latest_graded_year,
)
from openpeel.publish.render import environment


@dataclass(frozen=True)
class HomeCycles:
    latest: CycleCoverage
    cycles: tuple[CycleCoverage, ...]
    """every cycle, newest first"""

    def force_rows(self, forces: Collection[Force] | None = None) -> list[tuple[Force, ForceCoverage, str]]:
        """(force, its coverage in the latest cycle, its named grades counted), by force name;
        where none is named but a source counts them, the counts, said as such."""
        tallies = self.latest.summaries()
        chosen = forces if forces is not None else territorial_forces()
        out = []
        for f in sorted(chosen, key=lambda f: f.name):
            coverage = self.latest.of(f.force_id)
            said = tallies[f.force_id]
            if not said and coverage.status == "counts-only":
                counted = coverage_text(self.latest.framework, coverage).removeprefix("Counts only: ")
                said = f"none named; {counted}"
            out.append((f, coverage, said))
        return out


def home_cycles() -> HomeCycles:
    return HomeCycles(
        cycle_coverage_view(latest_graded_year()),
        tuple(cycle_coverage_view(y) for y in reversed(available_years())),
    )


def home_cycles_html(home: HomeCycles, built: Collection[int], up: str) -> tuple[Markup, Markup]:
    """The latest cycle's section (its coverage count and map) and the list of every cycle; `up`
    prefixes links ("" on the site, "/" in the web app) and `built` holds the cycles whose
    overview, scan and downloads exist."""
    env = environment("html")
    context = {"latest": home.latest, "cycles": home.cycles, "built": set(built), "up": up}
    latest = env.get_template("cycle_latest.html.j2").render(latest_map=home.latest.map(), **context)
    every = env.get_template("cycles_home.html.j2").render(**context)
    return Markup(latest), Markup(every)


__all__ = ["STATUS_LABELS", "HomeCycles", "home_cycles", "home_cycles_html"]
