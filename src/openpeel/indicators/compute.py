"""Computing every indicator of the catalogue, for every area and period, in SQL.

Each indicator's own SQL yields counts per area and period; they are gathered into one table
(`ind_raw`, temporary) and one shared statement (below) turns them into values, 95% intervals,
England and Wales values, the descriptive band of openpeel.indicators.comparison, and ranks among
the 43 forces -- for all indicators at once, the indicator's kind, scale, direction and
materiality coming from a small table of the catalogue. Significance needs the spread between
forces, estimated from all of them: adjust.py computes it (ind_dispersion) from those rows before
they are stored with their adjusted z-scores. England and Wales is the 43 territorial
forces combined, and only for periods where all 43 have a value: a missing force is never
treated as zero. Rank ranges (rank_ranges.py) and peer comparisons (peer_comparison.py) follow
in the same transaction.
"""

from __future__ import annotations

import duckdb

from openpeel.core.sql import sql_str
from openpeel.core.statistics import Z_95
from openpeel.forces import EW_ID
from openpeel.forces.peers import ensure_regional_groups
from openpeel.indicators.adjust import CONTRAST_TABLE, PRE_TABLE, adjusted_values_sql, compute_dispersion
from openpeel.indicators.catalogue import Catalogue, Indicator, catalogue
from openpeel.indicators.peer_comparison import compute_peer_values
from openpeel.indicators.rank_ranges import compute_rank_ranges
from openpeel.warehouse import table, transaction

TERRITORIAL_FORCES = 43
RAW_TABLE = "ind_raw"


def _meta(indicators: list[Indicator]) -> str:
    rows = ", ".join(
        f"({sql_str(i.id)}, {sql_str(i.kind)}, {float(i.scale)}::DOUBLE, "
        f"{str(i.direction == 'lower_is_better').lower()}, {float(i.materiality)}::DOUBLE, "
        + (f"DATE '{i.not_comparable_before.isoformat()}'" if i.not_comparable_before else "NULL::DATE")
        + ")"
        for i in indicators
    )
    return f"meta(indicator_id, kind, scale, lower_better, materiality, not_comparable_before) AS (VALUES {rows})"


def _excluded(indicators: list[Indicator]) -> str:
    rows = [f"({sql_str(i.id)}, {sql_str(a)})" for i in indicators for a in i.rank_excludes]
    return f"excluded(indicator_id, area_id) AS (VALUES {', '.join(rows or ['(NULL, NULL)'])})"


VALUE = "CASE WHEN kind = 'change' THEN (numerator / denominator - 1) * 100 ELSE numerator / denominator * scale END"
Z2 = Z_95 * Z_95
# 95% interval of the value: Byar's Poisson interval for rates, the log-ratio interval for changes,
# Wilson's score interval for proportions.
CI_LOW = f"""CASE
    WHEN kind = 'rate' THEN CASE WHEN numerator > 0
        THEN numerator * pow(1 - 1/(9*numerator) - {Z_95}/(3*sqrt(numerator)), 3) / denominator * scale END
    WHEN kind = 'change' THEN CASE WHEN numerator > 0 AND denominator > 0
        THEN (exp(ln(numerator/denominator) - {Z_95}*sqrt(1/numerator + 1/denominator)) - 1) * 100 END
    ELSE (((numerator/denominator) + {Z2}/(2*denominator)) / (1 + {Z2}/denominator)
          - {Z_95} * sqrt((numerator/denominator)*(1-(numerator/denominator))/denominator + {Z2}/(4*denominator*denominator))
            / (1 + {Z2}/denominator)) * 100
END"""
CI_HIGH = f"""CASE
    WHEN kind = 'rate' THEN CASE WHEN numerator > 0
        THEN (numerator+1) * pow(1 - 1/(9*(numerator+1)) + {Z_95}/(3*sqrt(numerator+1)), 3) / denominator * scale END
    WHEN kind = 'change' THEN CASE WHEN numerator > 0 AND denominator > 0
        THEN (exp(ln(numerator/denominator) + {Z_95}*sqrt(1/numerator + 1/denominator)) - 1) * 100 END
    ELSE (((numerator/denominator) + {Z2}/(2*denominator)) / (1 + {Z2}/denominator)
          + {Z_95} * sqrt((numerator/denominator)*(1-(numerator/denominator))/denominator + {Z2}/(4*denominator*denominator))
            / (1 + {Z2}/denominator)) * 100
END"""
MATERIAL = """CASE WHEN kind = 'rate' THEN (ew_value > 0 AND abs(value / ew_value - 1) >= materiality)
     ELSE abs(value - ew_value) >= materiality END"""


def values_sql(indicators: list[Indicator]) -> str:
    """The SELECT producing ind_values rows for these indicators from the table ind_raw."""
    return f"""
WITH {_meta(indicators)}, {_excluded(indicators)},
v AS (
    SELECT r.indicator_id, r.area_id, r.period_end, r.base_period_end,
           r.numerator::DOUBLE AS numerator, r.denominator::DOUBLE AS denominator,
           r.source_ids, a.kind AS area_kind, m.kind, m.scale, m.lower_better, m.materiality
    FROM {RAW_TABLE} r
    JOIN ref_areas a ON a.area_id = r.area_id
    JOIN meta m ON m.indicator_id = r.indicator_id
    WHERE r.denominator > 0 AND a.kind IN ('territorial', 'special')
      AND (m.not_comparable_before IS NULL OR r.base_period_end IS NULL OR r.base_period_end >= m.not_comparable_before)
),
ew AS (
    SELECT indicator_id, period_end, any_value(base_period_end) AS base_period_end,
           sum(numerator) AS numerator, sum(denominator) AS denominator,
           string_agg(DISTINCT source_ids, ',') AS source_ids,
           any_value(kind) AS kind, any_value(scale) AS scale, any_value(lower_better) AS lower_better,
           any_value(materiality) AS materiality
    FROM v WHERE area_kind = 'territorial'
    GROUP BY indicator_id, period_end
    HAVING count(*) = {TERRITORIAL_FORCES}
),
ew_v AS (SELECT *, {VALUE} AS value FROM ew),
all_rows AS (
    SELECT v.indicator_id, v.area_id, v.area_kind, v.period_end, v.base_period_end, v.numerator, v.denominator,
           CASE WHEN v.kind = 'change' THEN (v.numerator / v.denominator - 1) * 100
                ELSE v.numerator / v.denominator * v.scale END AS value,
           ew_v.value AS ew_value, v.source_ids, v.kind, v.scale, v.lower_better, v.materiality
    FROM v LEFT JOIN ew_v ON ew_v.indicator_id = v.indicator_id AND ew_v.period_end = v.period_end
    UNION ALL
    SELECT indicator_id, '{EW_ID}', 'total', period_end, base_period_end, numerator, denominator, value, value,
           source_ids, kind, scale, lower_better, materiality
    FROM ew_v
),
compared AS (
    SELECT *,
           {CI_LOW} AS ci_low,
           {CI_HIGH} AS ci_high,
           NULL::DOUBLE AS z_score,
           CASE WHEN area_id = '{EW_ID}' OR ew_value IS NULL THEN NULL ELSE {MATERIAL} END AS is_material,
           EXISTS (
               SELECT 1 FROM excluded x WHERE x.indicator_id = all_rows.indicator_id AND x.area_id = all_rows.area_id
           ) AS is_excluded
    FROM all_rows
),
compared_ranked AS (
    SELECT *, area_kind = 'territorial' AND NOT is_excluded AS is_ranked FROM compared
),
banded AS (
    -- Significance needs the spread between forces, estimated afterwards from all of them
    -- (indicators/adjust.py); here only the descriptive band, which needs a material difference.
    SELECT *, NULL::BOOLEAN AS is_significant FROM compared_ranked
),
ranked AS (
    SELECT *,
           CASE WHEN is_ranked THEN rank() OVER (
               PARTITION BY indicator_id, period_end, is_ranked
               ORDER BY CASE WHEN lower_better THEN value ELSE -value END) END AS rank,
           CASE WHEN is_ranked THEN count(*) OVER (PARTITION BY indicator_id, period_end, is_ranked) END AS rank_of
    FROM banded
)
SELECT indicator_id, area_id, period_end, base_period_end, numerator, denominator, value,
       ci_low, ci_high, ew_value,
       CASE WHEN area_id = '{EW_ID}' THEN NULL ELSE value - ew_value END AS difference,
       -- An area the indicator excludes (City of London on rates per resident) is neither ranked
       -- nor compared: its figure is shown with a caveat, never worded against England and Wales.
       CASE WHEN is_excluded THEN NULL ELSE z_score END AS z_score,
       CASE WHEN is_excluded THEN NULL ELSE is_significant END AS is_significant,
       CASE WHEN is_excluded THEN NULL ELSE is_material END AS is_material,
       CASE WHEN area_id = '{EW_ID}' OR ew_value IS NULL OR is_excluded THEN NULL
            WHEN is_material THEN (CASE WHEN value > ew_value THEN 'higher' ELSE 'lower' END)
            ELSE 'similar' END AS band,
       rank, rank_of, source_ids
FROM ranked
"""


def raw_sql(indicators: list[Indicator]) -> str:
    """Every indicator's own SQL, tagged with its id, as one UNION ALL (bases must exist as tables)."""
    return "\nUNION ALL\n".join(
        f"SELECT {sql_str(i.id)} AS indicator_id, area_id, period_end::DATE AS period_end, "
        f"base_period_end::DATE AS base_period_end, numerator::DOUBLE AS numerator, "
        f"denominator::DOUBLE AS denominator, source_ids::VARCHAR AS source_ids FROM (\n{i.sql}\n)"
        for i in indicators
    )


def indicator_sql(ind: Indicator, cat: Catalogue) -> str:
    """The statements computing one indicator on its own (for reading and debugging; the compute
    step runs all indicators at once): the bases and the indicator's counts as CTEs, then the
    shared statement. Its z_score and is_significant are NULL: they need the whole cross-section
    and the history (adjust.py)."""
    bases = ",\n".join(f"{name} AS (\n{sql}\n)" for name, sql in cat.bases.items())
    body = values_sql([ind]).strip().removeprefix("WITH ")
    return f"WITH {bases},\n{RAW_TABLE} AS (\n{raw_sql([ind])}\n),\n{body}"


COLUMNS = (
    "indicator_id, area_id, period_end, base_period_end, numerator, denominator, value, ci_low, ci_high, "
    "ew_value, difference, z_score, is_significant, is_material, band, rank, rank_of, source_ids"
)


def _recreate(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    """Empty tables by dropping and creating them again from the registry (inside the caller's
    transaction): in DuckDB, deleting every row of a table with a primary key and inserting the
    same keys again costs about as much as the whole computation."""
    for name in names:
        con.execute(f"DROP TABLE {name}")
        con.execute(table(name).ddl())


def compute_indicators(con: duckdb.DuckDBPyConnection, indicator_ids: list[str] | None = None) -> int:
    """Recompute indicators (all by default) for every area and period; returns rows written.

    Also recomputes, for the same indicators, the comparison with peers (ind_peer_values) and the
    rank ranges (ind_rank_ranges), all in one transaction.
    """
    cat = catalogue()
    chosen = [i for i in cat.indicators if indicator_ids is None or i.id in indicator_ids]
    with transaction(con):
        if chosen:
            ensure_regional_groups(con)
            # The bases (offences per area and period, population...) are shared by many
            # indicators: computed once per run as temporary tables.
            for name, sql in cat.bases.items():
                con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
            con.execute(f"CREATE OR REPLACE TEMP TABLE {RAW_TABLE} AS {raw_sql(chosen)}")
            if indicator_ids is None:
                _recreate(con, "ind_values", "ind_rank_ranges", "ind_peer_values")
            else:
                con.execute(
                    "DELETE FROM ind_values WHERE list_contains(?, indicator_id)", [[i.id for i in chosen]]
                )
            con.execute(f"CREATE OR REPLACE TEMP TABLE {PRE_TABLE} AS {values_sql(chosen)}")
            compute_dispersion(con, chosen, replace_all=indicator_ids is None)
            con.execute(f"INSERT INTO ind_values ({COLUMNS}) {adjusted_values_sql(COLUMNS)}")
            for name in [*cat.bases, RAW_TABLE, PRE_TABLE, CONTRAST_TABLE]:
                con.execute(f"DROP TABLE IF EXISTS temp.{name}")
            compute_rank_ranges(con, chosen, replace_all=indicator_ids is None)
            compute_peer_values(con, chosen, replace_all=indicator_ids is None)
        row = con.execute("SELECT count(*) FROM ind_values").fetchone()
    return int(row[0]) if row else 0
