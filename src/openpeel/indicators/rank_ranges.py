"""How sure a force's rank is: a rank range from pairwise comparisons, in SQL.

A rank of 3 out of 43 may rest on differences smaller than chance. For every indicator and period,
each ranked force is compared with every other ranked force by the same statistics as the
England and Wales comparison, but now with both sides uncertain:

- rate:       z = ln(rate_a / rate_b) / √(1/count_a + 1/count_b)
- change:     z = ln(ratio_a / ratio_b) / √(1/now_a + 1/base_a + 1/now_b + 1/base_b)
- proportion: z = (p_a − p_b) / √(p_a(1−p_a)/n_a + p_b(1−p_b)/n_b)

With |z| > 1.96 the two are told apart. Then
  rank_best  = 1 + the forces significantly better than this one
  rank_worst = forces ranked − the forces significantly worse than this one
so the force's true position lies between them (each comparison at 95%). For "the lowest in the
country" what matters is the order of values: `significantly_above` counts the forces whose value
is significantly below this one's, `significantly_below` those significantly above it. A force is
told apart from every other one only when one of them equals forces ranked − 1.
"""

from __future__ import annotations

import duckdb

from openpeel.core.statistics import Z_95
from openpeel.indicators.catalogue import Indicator


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


def rank_ranges_sql(indicators: list[Indicator]) -> str:
    return f"""
WITH {meta_values(indicators)},
r AS (
    SELECT v.indicator_id, v.area_id, v.period_end, v.rank_of, m.lower_better, {X_AND_VAR}
    FROM ind_values v JOIN meta m USING (indicator_id)
    WHERE v.rank IS NOT NULL
),
pairs AS (
    SELECT a.indicator_id, a.area_id, a.period_end, a.rank_of, a.lower_better,
           (a.x - b.x) / sqrt(nullif(a.var + b.var, 0)) AS z
    FROM r a JOIN r b
      ON b.indicator_id = a.indicator_id AND b.period_end = a.period_end AND b.area_id <> a.area_id
),
counted AS (
    SELECT indicator_id, area_id, period_end, any_value(rank_of) AS rank_of, any_value(lower_better) AS lower_better,
           count(*) FILTER (WHERE z > {Z_95}) AS above,
           count(*) FILTER (WHERE z < -{Z_95}) AS below
    FROM pairs GROUP BY indicator_id, area_id, period_end
)
SELECT indicator_id, area_id, period_end,
       CASE WHEN lower_better THEN 1 + above ELSE 1 + below END AS rank_best,
       CASE WHEN lower_better THEN rank_of - below ELSE rank_of - above END AS rank_worst,
       above AS significantly_above, below AS significantly_below
FROM counted
"""


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
    con.execute(
        "INSERT INTO ind_rank_ranges (indicator_id, area_id, period_end, rank_best, rank_worst, "
        f"significantly_above, significantly_below) {rank_ranges_sql(indicators)}"
    )
