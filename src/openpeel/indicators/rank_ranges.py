"""How sure a force's rank is: rank ranges simulated under the fitted model, in SQL.

A rank of 3 out of 43 may rest on differences smaller than the ordinary movement of forces from
year to year. For every indicator and period, each ranked force's value x (the log of a rate or of
a change's ratio; a share) is drawn RANK_DRAWS times from N(x, var + omega^2), where var is its
Poisson (binomial) variance and omega^2 the variance the fitted model gives the force's own value
(ind_dispersion.rank_variance): for changes, the between-force variance measured over the series'
history (changes are mostly a year's wobble); for rates and shares, the year-to-year movement of
a force's difference from the rest of England and Wales, pooled over forces and the history.
The draws come from a fixed seed (core.statistics.RANK_SEED), so the same data always give the
same ranges. Then

  rank_best, rank_worst = the 2.5th and 97.5th percentiles of the force's simulated places,
  widened if need be to contain its observed rank

(Marshall and Spiegelhalter 1998, "Reliability of league tables of in vitro fertilisation
clinics", BMJ 316:1701-1705; Goldstein and Spiegelhalter 1996). For "the lowest in the country"
what matters is the order of values: `significantly_above` counts the forces whose value is below
this one's by more than 1.96 standard errors of the difference, sqrt(var_a + var_b + 2 omega^2),
`significantly_below` those above it. A force is told apart from every other one only when one of
them equals forces ranked - 1.
"""

from __future__ import annotations

import datetime as dt
import random

import duckdb

from openpeel.core.statistics import (
    RANK_DRAWS,
    RANK_HIGH_QUANTILE,
    RANK_LOW_QUANTILE,
    RANK_SEED,
    Z_95,
)
from openpeel.indicators.catalogue import Indicator

DRAWS_TABLE = "rank_draws"


def meta_values(indicators: list[Indicator]) -> str:
    """The indicators' kind, direction, scale and materiality as an inline SQL table `meta`."""
    rows = ", ".join(
        f"('{i.id}', '{i.kind}', {str(i.direction == 'lower_is_better').lower()}, {i.scale}, {i.materiality})"
        for i in indicators
    )
    return f"meta(indicator_id, kind, lower_better, scale, materiality) AS (VALUES {rows})"


# Per row, the quantity compared and its variance, so that for any two rows
# z = (x_a - x_b) / sqrt(var_a + var_b): the log value for rates and changes, the share for
# proportions (the scale cancels out of every difference).
X_AND_VAR = """
    CASE WHEN m.kind = 'rate' THEN CASE WHEN v.numerator > 0 THEN ln(v.numerator / v.denominator) END
         WHEN m.kind = 'change' THEN CASE WHEN v.numerator > 0 AND v.denominator > 0 THEN ln(v.numerator / v.denominator) END
         ELSE v.numerator / v.denominator END AS x,
    CASE WHEN m.kind = 'rate' THEN CASE WHEN v.numerator > 0 THEN 1 / v.numerator END
         WHEN m.kind = 'change' THEN CASE WHEN v.numerator > 0 AND v.denominator > 0 THEN 1 / v.numerator + 1 / v.denominator END
         ELSE (v.numerator / v.denominator) * (1 - v.numerator / v.denominator) / v.denominator END AS var"""


def _simulated(pairs: list[tuple[str, dt.date]]) -> str:
    rows = [f"('{i}', DATE '{p.isoformat()}')" for i, p in pairs] or ["(NULL, NULL::DATE)"]
    return f"simulated(indicator_id, period_end) AS (VALUES {', '.join(rows)})"


def reported_periods(indicators: list[Indicator]) -> list[tuple[str, dt.date]]:
    """(indicator, period) pairs some PEEL year's framework reports: the ranges simulated."""
    from openpeel.framework import available_years, load_framework

    ends = {
        (family, period.period_end)
        for year in available_years()
        for family, period in load_framework(year).data_periods.items()
    }
    return sorted({(i.id, end) for i in indicators for family, end in ends if family == i.period_family})


def rank_ranges_sql(indicators: list[Indicator], simulate: list[tuple[str, dt.date]] | None = None) -> str:
    """Rank ranges: simulated for the `simulate` pairs (default: the periods frameworks report);
    elsewhere (the history behind trend charts) bounded by the pairwise comparisons,
    1 + forces significantly better and forces ranked - forces significantly worse, which costs a
    fraction of the simulation."""
    pairs = reported_periods(indicators) if simulate is None else simulate
    return f"""
WITH {meta_values(indicators)}, {_simulated(pairs)},
r AS (
    SELECT v.indicator_id, v.area_id, v.period_end, v.rank, v.rank_of, m.lower_better, {X_AND_VAR},
           coalesce(d.rank_variance, 0) AS omega2
    FROM ind_values v JOIN meta m USING (indicator_id)
    LEFT JOIN ind_dispersion d ON d.indicator_id = v.indicator_id AND d.period_end = v.period_end
    WHERE v.rank IS NOT NULL
),
pairs AS (
    SELECT a.indicator_id, a.area_id, a.period_end,
           (a.x - b.x) / sqrt(nullif(a.var + b.var + a.omega2 + b.omega2, 0)) AS z
    FROM r a JOIN r b
      ON b.indicator_id = a.indicator_id AND b.period_end = a.period_end AND b.area_id <> a.area_id
),
counted AS (
    SELECT indicator_id, area_id, period_end,
           count(*) FILTER (WHERE z > {Z_95}) AS above,
           count(*) FILTER (WHERE z < -{Z_95}) AS below
    FROM pairs GROUP BY indicator_id, area_id, period_end
),
-- Only the simulated periods are joined with the draws (the whole history times the draws
-- would be millions of rows).
rs AS MATERIALIZED (
    SELECT r.* FROM r JOIN simulated q ON q.indicator_id = r.indicator_id AND q.period_end = r.period_end
    WHERE r.x IS NOT NULL AND r.var IS NOT NULL
),
sims AS (
    SELECT rs.indicator_id, rs.area_id, rs.period_end, s.draw,
           (CASE WHEN rs.lower_better THEN 1 ELSE -1 END) * (rs.x + sqrt(rs.var + rs.omega2) * s.e) AS score
    FROM rs JOIN {DRAWS_TABLE} s ON s.area_id = rs.area_id
),
places AS (
    SELECT indicator_id, area_id, period_end,
           rank() OVER (PARTITION BY indicator_id, period_end, draw ORDER BY score) AS place
    FROM sims
),
spans AS (
    SELECT indicator_id, area_id, period_end,
           quantile_disc(place, {RANK_LOW_QUANTILE}) AS low, quantile_disc(place, {RANK_HIGH_QUANTILE}) AS high
    FROM places GROUP BY indicator_id, area_id, period_end
)
SELECT r.indicator_id, r.area_id, r.period_end,
       least(r.rank, coalesce(sp.low, CASE WHEN r.lower_better THEN 1 + c.above ELSE 1 + c.below END, r.rank))
           AS rank_best,
       greatest(r.rank, coalesce(sp.high, CASE WHEN r.lower_better THEN r.rank_of - c.below
                                                ELSE r.rank_of - c.above END, r.rank)) AS rank_worst,
       coalesce(c.above, 0) AS significantly_above, coalesce(c.below, 0) AS significantly_below
FROM r
LEFT JOIN counted c ON c.indicator_id = r.indicator_id AND c.area_id = r.area_id AND c.period_end = r.period_end
LEFT JOIN spans sp ON sp.indicator_id = r.indicator_id AND sp.area_id = r.area_id AND sp.period_end = r.period_end
"""


def standard_normals(area_ids: list[str], draws: int = RANK_DRAWS, seed: int = RANK_SEED) -> list[float]:
    """draws standard normal deviates per area, in area order then draw order, from a fixed seed."""
    generator = random.Random(seed)
    return [generator.gauss(0.0, 1.0) for _ in area_ids for _ in range(draws)]


def _load_draws(con: duckdb.DuckDBPyConnection) -> None:
    areas = sorted(str(row[0]) for row in con.execute("SELECT area_id FROM ref_areas").fetchall())
    normals = standard_normals(areas)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {DRAWS_TABLE} AS "
        "SELECT unnest(?::VARCHAR[]) AS area_id, unnest(?::INTEGER[]) AS draw, unnest(?::DOUBLE[]) AS e",
        [
            [a for a in areas for _ in range(RANK_DRAWS)],
            [d for _ in areas for d in range(RANK_DRAWS)],
            normals,
        ],
    )


def compute_rank_ranges(
    con: duckdb.DuckDBPyConnection, indicators: list[Indicator], *, replace_all: bool = False
) -> None:
    """Replace ind_rank_ranges for these indicators (call inside the compute transaction)."""
    if not indicators:
        return
    if replace_all:
        con.execute("DELETE FROM ind_rank_ranges")
    else:
        con.execute(
            "DELETE FROM ind_rank_ranges WHERE list_contains(?, indicator_id)", [[i.id for i in indicators]]
        )
    _load_draws(con)
    con.execute(
        "INSERT INTO ind_rank_ranges (indicator_id, area_id, period_end, rank_best, rank_worst, "
        f"significantly_above, significantly_below) {rank_ranges_sql(indicators)}"
    )
    con.execute(f"DROP TABLE IF EXISTS temp.{DRAWS_TABLE}")
