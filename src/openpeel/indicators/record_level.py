"""The record-level indicators of data.police.uk, written once in DuckDB's SQL dialect.

The same text runs on the warehouse's views (openpeel.indicators.outcomes), on the lake's Parquet
files from DuckDB, and, translated by sqlglot, on Apache Spark (openpeel.indicators.lake_engines).
So it keeps to SQL both engines share: no DuckDB-only functions beyond what sqlglot translates,
and no aggregate whose result depends on the order rows arrive in.

Definitions (see openpeel.indicators.outcomes): a crime is a non-ASB street row in its recorded
month; its outcome group is that of the latest outcome record for its crime id, else the street
file's last outcome category; months to outcome run from the crime's month to that record's month.
"""

from __future__ import annotations

from openpeel.core.sql import sql_str
from openpeel.ingest.police_uk.code_lists import OUTCOME_GROUPS

_PACK = 16
"""Room for the outcome groups' ranks (1 to len(OUTCOME_GROUPS); 0: none) below the month index."""
assert len(OUTCOME_GROUPS) < _PACK


def _month_index(column: str) -> str:
    """Months since the start of year 0: consecutive months differ by one on every engine."""
    return f"(year({column}) * 12 + month({column}) - 1)"


def crimes_sql(street: str, outcomes: str, where: str) -> str:
    """One row per street row in scope: force, month, is_asb, outcome group, months to outcome.

    Outcome groups are resolved at ingest (`outcome_group`), and street rows join outcomes on a
    64-bit hash of the crime id: comparing the 64-character ids as well would cost a third more
    time for no practical gain. Two ids share a key with probability about n^2 / 2^65,
    about 1 in 7,000 for all 70 million crimes data.police.uk has published; even then one crime
    in millions would take another's outcome.

    The latest outcome is the greatest (month, group) pair: two outcomes of one crime can share a
    month, and taking the alphabetically last group of that month gives the same answer on every
    engine, where `arg_max` would keep whichever row came last. The pair is packed into one integer
    (month index x 16 + the group's alphabetical rank, 0 for none), whose maximum costs a third of
    what the maximum of a (month, group) struct does over a national year's outcomes.
    """
    groups = sorted(OUTCOME_GROUPS)
    rank = " ".join(f"WHEN {sql_str(g)} THEN {i}" for i, g in enumerate(groups, start=1))
    group_of = " ".join(f"WHEN {i} THEN {sql_str(g)}" for i, g in enumerate(groups, start=1))
    lag = f"l.pick // {_PACK} - {_month_index('s.month')}"
    return f"""
    WITH latest AS (
        SELECT hash(crime_id) AS crime_key,
               max({_month_index("month")} * {_PACK} + CASE outcome_group {rank} ELSE 0 END) AS pick
        FROM {outcomes} GROUP BY hash(crime_id)
    ),
    rows AS (
        SELECT s.force_id, s.month, s.crime_type = 'Anti-social behaviour' AS is_asb,
               coalesce(CASE l.pick % {_PACK} {group_of} END, s.outcome_group) AS outcome_group,
               CASE WHEN {lag} >= 0 THEN {lag} END AS lag
        FROM {street} s
        LEFT JOIN latest l ON l.crime_key = hash(s.crime_id)
        WHERE {where}
    )
    SELECT force_id, month, is_asb, CASE WHEN is_asb THEN NULL ELSE coalesce(outcome_group, 'other') END AS grp, lag
    FROM rows
    """


def force_month_sql(street: str, outcomes: str, where: str) -> str:
    """Every force-month in one pass: crimes, ASB, count and share per outcome group, months to outcome.

    Street rows are first counted by (force, month, group, months to outcome), a few thousand rows,
    and every figure comes from those counts: the median from the cumulative counts of each month's
    lags (the mean of the two middle values when the count is even, as `median` gives). That is an
    eighth faster over a national year than aggregating the millions of rows themselves.
    """
    counts = ", ".join(
        f"CAST(sum(n) FILTER (WHERE grp = {sql_str(g)}) AS BIGINT) AS {g}, "
        f"sum(n) FILTER (WHERE grp = {sql_str(g)}) / nullif(sum(n) FILTER (WHERE NOT is_asb), 0) AS {g}_share"
        for g in OUTCOME_GROUPS
    )
    return f"""
        WITH grouped AS (
            SELECT force_id, month, is_asb, grp, lag, count(*) AS n FROM ({crimes_sql(street, outcomes, where)}) c
            GROUP BY force_id, month, is_asb, grp, lag
        ),
        lags AS (
            SELECT force_id, month, lag,
                   sum(sum(n)) OVER (PARTITION BY force_id, month ORDER BY lag) AS upto,
                   sum(sum(n)) OVER (PARTITION BY force_id, month) AS total
            FROM grouped WHERE NOT is_asb AND lag IS NOT NULL GROUP BY force_id, month, lag
        ),
        medians AS (
            -- 0-based positions of the middle values: (total - 1) // 2 and total // 2
            SELECT force_id, month,
                   (min(lag) FILTER (WHERE upto > (total - 1) // 2) + min(lag) FILTER (WHERE upto > total // 2)) / 2
                       AS median_months_to_outcome,
                   CAST(max(total) AS BIGINT) AS with_record
            FROM lags GROUP BY force_id, month
        )
        SELECT g.force_id, g.month, CAST(sum(n) FILTER (WHERE NOT is_asb) AS BIGINT) AS crimes,
               CAST(sum(n) FILTER (WHERE is_asb) AS BIGINT) AS asb_incidents,
               sum(n) FILTER (WHERE is_asb) / sum(n) AS asb_share, {counts},
               max(m.median_months_to_outcome) AS median_months_to_outcome,
               coalesce(max(m.with_record), 0) AS crimes_with_outcome_record
        FROM grouped g LEFT JOIN medians m ON m.force_id = g.force_id AND m.month = g.month
        GROUP BY g.force_id, g.month ORDER BY g.force_id, g.month
    """
