"""Comparing each force with its peers, in SQL, by the same rule as England and Wales.

The band is descriptive (a material difference); significance allows for the spread between
forces (ind_dispersion): the variance adds tau^2 for the force and tau^2 sum(d^2)/(sum d)^2 for
the combined peers, d being their populations, base counts or sample sizes.

A force's peers (ref_peer_groups, per peer set) are combined the way England and Wales is: sums of
counts, and only when every peer has a value for the period (a missing peer is never zero).
Forces the indicator does not rank (City of London on rates per resident) are left out on both
sides. The force itself is never among its peers, so the two sides are independent and the
comparison adds both variances (comparison.compare with the comparator's counts; a test checks
the SQL and the Python agree on every row).
"""

from __future__ import annotations

import duckdb

from openpeel.core.statistics import Z_95
from openpeel.forces import EW_ID
from openpeel.indicators.catalogue import Indicator
from openpeel.indicators.rank_ranges import meta_values


def _excluded(indicators: list[Indicator]) -> str:
    rows = [f"('{i.id}', '{area}')" for i in indicators for area in i.rank_excludes]
    rows = rows or ["(NULL, NULL)"]
    return f"excluded(indicator_id, area_id) AS (VALUES {', '.join(rows)})"


def peer_values_sql(indicators: list[Indicator]) -> str:
    return f"""
WITH {meta_values(indicators)}, {_excluded(indicators)},
v AS (
    SELECT v.indicator_id, v.area_id, v.period_end, v.numerator, v.denominator, v.value,
           m.kind, m.scale, m.materiality
    FROM ind_values v JOIN meta m USING (indicator_id)
    WHERE v.area_id <> '{EW_ID}'
      AND NOT EXISTS (SELECT 1 FROM excluded x WHERE x.indicator_id = v.indicator_id AND x.area_id = v.area_id)
),
peers AS (
    SELECT g.peer_set, g.force_id, g.peer_id, g.group_name, m.indicator_id
    FROM ref_peer_groups g CROSS JOIN meta m
    WHERE NOT EXISTS (SELECT 1 FROM excluded x WHERE x.indicator_id = m.indicator_id AND x.area_id = g.peer_id)
),
wanted AS (
    SELECT peer_set, force_id, indicator_id, any_value(group_name) AS group_name, count(*) AS n_peers
    FROM peers GROUP BY peer_set, force_id, indicator_id
),
combined AS (
    SELECT f.indicator_id, f.area_id, f.period_end, w.peer_set, w.group_name, w.n_peers,
           count(o.area_id) AS present, sum(o.numerator) AS pn, sum(o.denominator) AS pd,
           sum(o.denominator * o.denominator) AS pd2
    FROM v f
    JOIN wanted w ON w.force_id = f.area_id AND w.indicator_id = f.indicator_id
    JOIN peers p ON p.peer_set = w.peer_set AND p.force_id = f.area_id AND p.indicator_id = f.indicator_id
    LEFT JOIN v o ON o.indicator_id = f.indicator_id AND o.period_end = f.period_end AND o.area_id = p.peer_id
    GROUP BY f.indicator_id, f.area_id, f.period_end, w.peer_set, w.group_name, w.n_peers
),
valued AS (
    SELECT c.*, f.numerator, f.denominator, f.value, f.kind, f.materiality,
           CASE WHEN c.present < c.n_peers OR c.pd <= 0 THEN NULL
                WHEN f.kind = 'change' THEN (c.pn / c.pd - 1) * 100
                ELSE c.pn / c.pd * f.scale END AS peer_value
    FROM combined c
    JOIN v f ON f.indicator_id = c.indicator_id AND f.area_id = c.area_id AND f.period_end = c.period_end
),
scored AS (
    SELECT valued.*,
        CASE WHEN peer_value IS NULL OR d.tau2 IS NULL THEN NULL
             WHEN kind = 'rate' THEN CASE WHEN numerator > 0 AND pn > 0
                 THEN ln(value / peer_value) / sqrt(1 / numerator + 1 / pn + d.tau2 * (1 + pd2 / (pd * pd))) END
             WHEN kind = 'change' THEN CASE WHEN numerator > 0 AND denominator > 0 AND pn > 0 AND pd > 0
                 THEN ln((numerator / denominator) / (pn / pd))
                      / sqrt(1 / numerator + 1 / denominator + 1 / pn + 1 / pd + d.tau2 * (1 + pd2 / (pd * pd))) END
             ELSE (value - peer_value) / 100 / nullif(sqrt((value / 100) * (1 - value / 100) / denominator
                                                          + (peer_value / 100) * (1 - peer_value / 100) / pd
                                                          + d.tau2 * (1 + pd2 / (pd * pd))), 0)
        END AS z_score,
        CASE WHEN peer_value IS NULL THEN NULL
             WHEN kind = 'rate' THEN peer_value > 0 AND abs(value / peer_value - 1) >= materiality
             ELSE abs(value - peer_value) >= materiality END AS is_material
    FROM valued
    LEFT JOIN ind_dispersion d ON d.indicator_id = valued.indicator_id AND d.period_end = valued.period_end
)
SELECT indicator_id, area_id, period_end, peer_set, group_name, n_peers AS peer_count, peer_value, z_score,
       CASE WHEN peer_value IS NULL THEN NULL ELSE coalesce(abs(z_score) > {Z_95}, false) END AS is_significant,
       is_material,
       CASE WHEN peer_value IS NULL THEN NULL
            WHEN is_material
                 THEN (CASE WHEN value > peer_value THEN 'higher' ELSE 'lower' END)
            ELSE 'similar' END AS band,
       pn AS peer_numerator, pd AS peer_denominator, pd2 / (pd * pd) AS peer_overlap
FROM scored
"""


def compute_peer_values(
    con: duckdb.DuckDBPyConnection, indicators: list[Indicator], *, replace_all: bool = False
) -> None:
    """Replace ind_peer_values for these indicators (call inside the compute transaction)."""
    if not indicators:
        return
    if replace_all:
        con.execute("DELETE FROM ind_peer_values")
    else:
        con.execute(
            "DELETE FROM ind_peer_values WHERE list_contains(?, indicator_id)", [[i.id for i in indicators]]
        )
    con.execute(
        "INSERT INTO ind_peer_values (indicator_id, area_id, period_end, peer_set, group_name, peer_count, "
        "peer_value, z_score, is_significant, is_material, band, peer_numerator, peer_denominator, peer_overlap) "
        f"SELECT * FROM ({peer_values_sql(indicators)})"
    )
