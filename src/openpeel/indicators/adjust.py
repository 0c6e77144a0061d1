"""The overdispersion-adjusted comparison with England and Wales, in SQL, for the whole catalogue.

indicators/dispersion.py states the method and holds it in Python; here the same steps run over
every indicator and period at once, inside the compute transaction:

1. `ind_contrast` (temporary): per force, its difference from England and Wales without it, the
   Poisson/binomial variance of that difference and the overlap share h_i;
2. `ind_dispersion`: per indicator and period, the winsorised dispersion factor, the
   DerSimonian-Laird between-force variance of the cross-section, the variance used (for changes,
   the mean over the series' history up to the period) and the variance rank ranges simulate;
3. the rows of ind_values get the adjusted z-score and significance from both.
"""

from __future__ import annotations

import duckdb

from openpeel.core.statistics import MIN_FORCES_FOR_SPREAD, WINSOR_HIGH, WINSOR_LOW, Z_95
from openpeel.forces import EW_ID
from openpeel.indicators.catalogue import Indicator
from openpeel.indicators.dispersion import METHOD, WINSOR_CONSISTENCY
from openpeel.indicators.rank_ranges import meta_values

PRE_TABLE = "ind_pre"
CONTRAST_TABLE = "ind_contrast"

# A territorial force is part of England and Wales, so it is taken out of the comparator;
# British Transport Police is not, and is compared with the whole.
CONTRAST_SQL = f"""
WITH {{meta}},
ew AS (SELECT indicator_id, period_end, numerator AS en, denominator AS ed FROM {PRE_TABLE} WHERE area_id = '{EW_ID}'),
members AS (
    SELECT p.indicator_id, p.period_end, sum(p.denominator * p.denominator) AS d2
    FROM {PRE_TABLE} p JOIN ref_areas a ON a.area_id = p.area_id
    WHERE a.kind = 'territorial' GROUP BY p.indicator_id, p.period_end
),
r AS (
    SELECT p.indicator_id, p.area_id, p.period_end, m.kind, p.numerator AS n, p.denominator AS d,
           p.rank IS NOT NULL AS is_ranked,
           CASE WHEN a.kind = 'territorial' THEN e.en - p.numerator ELSE e.en END AS cn,
           CASE WHEN a.kind = 'territorial' THEN e.ed - p.denominator ELSE e.ed END AS cd,
           CASE WHEN a.kind = 'territorial' THEN w.d2 - p.denominator * p.denominator ELSE w.d2 END AS cd2
    FROM {PRE_TABLE} p
    JOIN meta m USING (indicator_id)
    JOIN ref_areas a ON a.area_id = p.area_id
    JOIN ew e ON e.indicator_id = p.indicator_id AND e.period_end = p.period_end
    JOIN members w ON w.indicator_id = p.indicator_id AND w.period_end = p.period_end
    WHERE p.band IS NOT NULL
),
c AS (
    SELECT *,
        CASE WHEN cd <= 0 OR d <= 0 THEN NULL
             WHEN kind = 'proportion' THEN n / d - cn / cd
             WHEN n > 0 AND cn > 0 AND (kind = 'rate' OR (d > 0 AND cd > 0)) THEN ln(n / d) - ln(cn / cd) END AS diff
    FROM r
)
SELECT indicator_id, area_id, period_end, is_ranked, diff,
    CASE WHEN diff IS NULL THEN NULL
         WHEN kind = 'rate' THEN 1 / n + 1 / cn
         WHEN kind = 'change' THEN 1 / n + 1 / d + 1 / cn + 1 / cd
         ELSE (n / d) * (1 - n / d) / d + (cn / cd) * (1 - cn / cd) / cd END AS var,
    cd2 / (cd * cd) AS overlap
FROM c
"""

# Cross-section estimate per indicator and period; for changes the history mean; and the
# year-to-year wobble of a force's difference from the rest (what rank ranges simulate for rates
# and shares: how far a force's place ordinarily moves from one year to the next).
DISPERSION_SQL = f"""
WITH {{meta}},
z AS (
    SELECT indicator_id, period_end, diff / sqrt(var) AS z, 1 / var AS w
    FROM {CONTRAST_TABLE} WHERE is_ranked AND diff IS NOT NULL AND var > 0
),
q AS (
    SELECT indicator_id, period_end, quantile_cont(z, {WINSOR_LOW}) AS lo, quantile_cont(z, {WINSOR_HIGH}) AS hi
    FROM z GROUP BY indicator_id, period_end
),
cs AS (
    SELECT z.indicator_id, z.period_end, count(*) AS n,
           avg(pow(greatest(least(z.z, q.hi), q.lo), 2)) / {WINSOR_CONSISTENCY} AS phi, sum(w) AS sw, sum(w * w) AS sw2
    FROM z JOIN q ON q.indicator_id = z.indicator_id AND q.period_end = z.period_end
    GROUP BY z.indicator_id, z.period_end
),
est0 AS (
    SELECT *, CASE WHEN n >= {MIN_FORCES_FOR_SPREAD} AND sw - sw2 / sw > 0
                   THEN greatest(0, (n * phi - (n - 1)) / (sw - sw2 / sw)) END AS tau2_dl
    FROM cs
),
-- One refinement (dispersion.refine): winsorise the differences standardised by the first
-- estimate, and rescale it so their corrected mean square is 1.
zr AS (
    SELECT c.indicator_id, c.period_end, c.diff / sqrt(c.var + e.tau2_dl) AS z, c.var
    FROM {CONTRAST_TABLE} c JOIN est0 e ON e.indicator_id = c.indicator_id AND e.period_end = c.period_end
    WHERE c.is_ranked AND c.diff IS NOT NULL AND c.var > 0 AND e.tau2_dl > 0
),
qr AS (
    SELECT indicator_id, period_end, quantile_cont(z, {WINSOR_LOW}) AS lo, quantile_cont(z, {WINSOR_HIGH}) AS hi
    FROM zr GROUP BY indicator_id, period_end
),
refined AS (
    SELECT zr.indicator_id, zr.period_end,
           avg(pow(greatest(least(zr.z, qr.hi), qr.lo), 2)) / {WINSOR_CONSISTENCY} AS phi_r, avg(zr.var) AS mean_var
    FROM zr JOIN qr ON qr.indicator_id = zr.indicator_id AND qr.period_end = zr.period_end
    GROUP BY zr.indicator_id, zr.period_end
),
est AS (
    SELECT e.*, CASE WHEN e.tau2_dl > 0 THEN greatest(0, r.phi_r * (e.tau2_dl + r.mean_var) - r.mean_var)
                     ELSE e.tau2_dl END AS tau2_cross
    FROM est0 e LEFT JOIN refined r ON r.indicator_id = e.indicator_id AND r.period_end = e.period_end
),
moves AS (
    SELECT a.indicator_id, a.period_end,
           greatest(0, avg(pow(a.diff - b.diff, 2) - a.var - b.var) / 2) AS wobble
    FROM {CONTRAST_TABLE} a
    JOIN {CONTRAST_TABLE} b
      ON b.indicator_id = a.indicator_id AND b.area_id = a.area_id AND b.period_end = a.period_end - INTERVAL 1 YEAR
    WHERE a.is_ranked AND b.is_ranked AND a.diff IS NOT NULL AND b.diff IS NOT NULL
    GROUP BY a.indicator_id, a.period_end
),
hist AS (
    SELECT e.*, m.kind, mv.wobble,
           avg(e.tau2_cross) OVER w AS tau2_hist, count(e.tau2_cross) OVER w AS n_hist,
           avg(mv.wobble) OVER w AS wobble_hist
    FROM est e JOIN meta m USING (indicator_id)
    LEFT JOIN moves mv ON mv.indicator_id = e.indicator_id AND mv.period_end = e.period_end
    WINDOW w AS (PARTITION BY e.indicator_id ORDER BY e.period_end ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT indicator_id, period_end, '{METHOD}' AS method, n AS forces, phi AS dispersion_factor,
       tau2_cross AS tau2_cross_section,
       CASE WHEN kind = 'change' THEN tau2_hist ELSE tau2_cross END AS tau2,
       CASE WHEN kind = 'change' THEN n_hist ELSE 1 END AS history_periods,
       CASE WHEN kind = 'change' THEN tau2_hist ELSE coalesce(wobble_hist, 0) END AS rank_variance
FROM hist
"""

DISPERSION_COLUMNS = (
    "indicator_id, period_end, method, forces, dispersion_factor, tau2_cross_section, tau2, "
    "history_periods, rank_variance"
)


def adjusted_values_sql(columns: str) -> str:
    """ind_pre's rows with the adjusted z-score and significance (NULL where nothing is compared)."""
    replaced = {
        "z_score": "z_adj AS z_score",
        "is_significant": f"CASE WHEN band IS NULL THEN NULL ELSE coalesce(abs(z_adj) > {Z_95}, false) END",
    }
    picked = ", ".join(replaced.get(c.strip(), c.strip()) for c in columns.split(","))
    return f"""
SELECT {picked} FROM (
    SELECT p.* EXCLUDE (z_score, is_significant),
        CASE WHEN c.diff IS NOT NULL AND c.var > 0 AND d.tau2 IS NOT NULL
             THEN c.diff / sqrt(c.var + d.tau2 * (1 + c.overlap)) END AS z_adj
    FROM {PRE_TABLE} p
    LEFT JOIN {CONTRAST_TABLE} c
      ON c.indicator_id = p.indicator_id AND c.area_id = p.area_id AND c.period_end = p.period_end
    LEFT JOIN ind_dispersion d ON d.indicator_id = p.indicator_id AND d.period_end = p.period_end
)
"""


def compute_dispersion(
    con: duckdb.DuckDBPyConnection, indicators: list[Indicator], *, replace_all: bool = False
) -> None:
    """From the table ind_pre, write ind_contrast (temporary) and ind_dispersion."""
    meta = meta_values(indicators)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {CONTRAST_TABLE} AS {CONTRAST_SQL.format(meta=meta)}")
    if replace_all:
        con.execute("DELETE FROM ind_dispersion")
    else:
        con.execute(
            "DELETE FROM ind_dispersion WHERE list_contains(?, indicator_id)", [[i.id for i in indicators]]
        )
    con.execute(f"INSERT INTO ind_dispersion ({DISPERSION_COLUMNS}) {DISPERSION_SQL.format(meta=meta)}")
