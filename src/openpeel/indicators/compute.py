"""Computing every indicator of the catalogue, for every area and period, in SQL.

Each indicator's own SQL yields counts per area and period; one shared statement (below) turns
them into values, 95% intervals, England and Wales values, the comparison band of
openpeel.indicators.comparison, and ranks among the 43 forces. England and Wales is the 43
territorial forces combined, and only for periods where all 43 have a value: a missing force
is never treated as zero.
"""

from __future__ import annotations

import duckdb

from openpeel.indicators.catalogue import Catalogue, Indicator, catalogue
from openpeel.indicators.comparison import Z_95
from openpeel.warehouse import transaction

EW_ID = "england-and-wales"
TERRITORIAL_FORCES = 43


def _value_expr(ind: Indicator, num: str, den: str) -> str:
    if ind.kind == "rate":
        return f"({num}) / ({den}) * {ind.scale}"
    return f"(({num}) / ({den}) - 1) * 100"


def _ci_sql(ind: Indicator) -> tuple[str, str]:
    """95% interval of the value: Byar's Poisson interval for rates, log-ratio interval for changes."""
    z = Z_95
    if ind.kind == "rate":
        low = f"CASE WHEN numerator > 0 THEN numerator * pow(1 - 1/(9*numerator) - {z}/(3*sqrt(numerator)), 3) / denominator * {ind.scale} END"
        high = f"CASE WHEN numerator > 0 THEN (numerator+1) * pow(1 - 1/(9*(numerator+1)) + {z}/(3*sqrt(numerator+1)), 3) / denominator * {ind.scale} END"
        return low, high
    se = "sqrt(1/numerator + 1/denominator)"
    low = f"CASE WHEN numerator > 0 AND denominator > 0 THEN (exp(ln(numerator/denominator) - {z}*{se}) - 1) * 100 END"
    high = f"CASE WHEN numerator > 0 AND denominator > 0 THEN (exp(ln(numerator/denominator) + {z}*{se}) - 1) * 100 END"
    return low, high


def _z_sql(ind: Indicator) -> str:
    if ind.kind == "rate":
        return "CASE WHEN numerator > 0 AND ew_value > 0 THEN ln(value / ew_value) / sqrt(1/numerator) END"
    return (
        "CASE WHEN numerator > 0 AND denominator > 0 AND (1 + value/100) > 0 AND (1 + ew_value/100) > 0 "
        "THEN ln((1 + value/100) / (1 + ew_value/100)) / sqrt(1/numerator + 1/denominator) END"
    )


def _material_sql(ind: Indicator) -> str:
    if ind.kind == "rate":
        return f"(ew_value > 0 AND abs(value / ew_value - 1) >= {ind.materiality})"
    return f"(abs(value - ew_value) >= {ind.materiality})"


def indicator_sql(ind: Indicator, cat: Catalogue) -> str:
    """The full SELECT producing ind_values rows for one indicator."""
    bases = ",\n".join(f"{name} AS (\n{sql}\n)" for name, sql in cat.bases.items())
    ci_low, ci_high = _ci_sql(ind)
    order = "ASC" if ind.direction == "lower_is_better" else "DESC"
    ranked_pred = "area_kind = 'territorial'"
    if ind.rank_excludes:
        ranked_pred += " AND area_id NOT IN (" + ", ".join(f"'{a}'" for a in ind.rank_excludes) + ")"
    comparable = (
        f"AND (r.base_period_end IS NULL OR r.base_period_end >= DATE '{ind.not_comparable_before.isoformat()}')"
        if ind.not_comparable_before
        else ""
    )
    return f"""
WITH {bases},
raw AS (
{ind.sql}
),
v AS (
    SELECT r.area_id, r.period_end, r.base_period_end,
           r.numerator::DOUBLE AS numerator, r.denominator::DOUBLE AS denominator,
           r.source_ids, a.kind AS area_kind
    FROM raw r JOIN ref_areas a ON a.area_id = r.area_id
    WHERE r.denominator > 0 AND a.kind IN ('territorial', 'special') {comparable}
),
ew AS (
    SELECT period_end, any_value(base_period_end) AS base_period_end,
           sum(numerator) AS numerator, sum(denominator) AS denominator,
           string_agg(DISTINCT source_ids, ',') AS source_ids
    FROM v WHERE area_kind = 'territorial'
    GROUP BY period_end
    HAVING count(*) = {TERRITORIAL_FORCES}
),
ew_v AS (
    SELECT *, {_value_expr(ind, "numerator", "denominator")} AS value FROM ew
),
all_rows AS (
    SELECT v.area_id, v.area_kind, v.period_end, v.base_period_end, v.numerator, v.denominator,
           {_value_expr(ind, "v.numerator", "v.denominator")} AS value,
           ew_v.value AS ew_value, v.source_ids
    FROM v LEFT JOIN ew_v ON ew_v.period_end = v.period_end
    UNION ALL
    SELECT '{EW_ID}', 'total', period_end, base_period_end, numerator, denominator, value, value, source_ids
    FROM ew_v
),
compared AS (
    SELECT *,
           {ci_low} AS ci_low,
           {ci_high} AS ci_high,
           CASE WHEN area_id = '{EW_ID}' THEN NULL ELSE {_z_sql(ind)} END AS z_score,
           CASE WHEN area_id = '{EW_ID}' OR ew_value IS NULL THEN NULL ELSE {_material_sql(ind)} END AS is_material
    FROM all_rows
),
banded AS (
    SELECT *,
           CASE WHEN z_score IS NULL THEN (CASE WHEN area_id = '{EW_ID}' OR ew_value IS NULL THEN NULL ELSE false END)
                ELSE abs(z_score) > {Z_95} END AS is_significant
    FROM compared
),
ranked AS (
    SELECT *,
           CASE WHEN {ranked_pred}
                THEN rank() OVER (PARTITION BY period_end, ({ranked_pred}) ORDER BY value {order}) END AS rank,
           CASE WHEN {ranked_pred}
                THEN count(*) OVER (PARTITION BY period_end, ({ranked_pred})) END AS rank_of
    FROM banded
)
SELECT '{ind.id}' AS indicator_id, area_id, period_end, base_period_end, numerator, denominator, value,
       ci_low, ci_high, ew_value,
       CASE WHEN area_id = '{EW_ID}' THEN NULL ELSE value - ew_value END AS difference,
       z_score, is_significant, is_material,
       CASE WHEN area_id = '{EW_ID}' OR ew_value IS NULL THEN NULL
            WHEN is_significant AND is_material THEN (CASE WHEN value > ew_value THEN 'higher' ELSE 'lower' END)
            ELSE 'similar' END AS band,
       rank, rank_of, source_ids
FROM ranked
"""


COLUMNS = (
    "indicator_id, area_id, period_end, base_period_end, numerator, denominator, value, ci_low, ci_high, "
    "ew_value, difference, z_score, is_significant, is_material, band, rank, rank_of, source_ids"
)


def compute_indicators(con: duckdb.DuckDBPyConnection, indicator_ids: list[str] | None = None) -> int:
    """Recompute indicators (all by default) for every area and period; returns rows written."""
    cat = catalogue()
    chosen = [i for i in cat.indicators if indicator_ids is None or i.id in indicator_ids]
    with transaction(con):
        for ind in chosen:
            con.execute("DELETE FROM ind_values WHERE indicator_id = ?", [ind.id])
            con.execute(f"INSERT INTO ind_values ({COLUMNS}) {indicator_sql(ind, cat)}")
        row = con.execute("SELECT count(*) FROM ind_values").fetchone()
    return int(row[0]) if row else 0
