"""Record-level indicators straight from the Parquet lake, on DuckDB or on Apache Spark.

Both engines read the same month files (`LAKE/kind=.../month=.../part-0.parquet`) and run the same SQL (openpeel.indicators.record_level), in DuckDB's dialect for DuckDB and translated
by sqlglot for Spark. The one change the translation makes beyond syntax: DuckDB's 64-bit `hash`
becomes Spark's `xxhash64`, not Spark's 32-bit `hash`, which would make crime ids collide in the
tens for a national year and hand some crimes another's outcome.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from openpeel.core.errors import OpenpeelError
from openpeel.core.sql import sql_str
from openpeel.indicators.record_level import force_month_sql
from openpeel.warehouse.lake import HIVE_TYPES, PART_GLOB, has_files, lake_glob

if TYPE_CHECKING:
    from pyspark.sql import SparkSession
    from sqlglot import exp

# The lake's files hold the month in their paths only; these put it back as a typed column, in the
# dialect of the shared SQL.
_TYPED = {
    "street": "SELECT force_id, CAST(\"month\" || '-01' AS DATE) AS month, crime_id, crime_type, "
    "outcome_group FROM lake_street",
    "outcomes": "SELECT force_id, CAST(\"month\" || '-01' AS DATE) AS month, crime_id, "
    "outcome_group FROM lake_outcomes",
}


def indicators_sql(start: dt.date, end: dt.date) -> str:
    """The query, in DuckDB's dialect, over the relations `lake_street` and `lake_outcomes`."""
    where = f"s.month BETWEEN DATE '{start.isoformat()}' AND DATE '{end.isoformat()}'"
    return force_month_sql(f"({_TYPED['street']})", f"({_TYPED['outcomes']})", where)


def _spark_hash(node: exp.Expression) -> exp.Expression:
    from sqlglot import exp

    if isinstance(node, exp.Anonymous) and node.name.lower() == "hash":
        return exp.Anonymous(this="xxhash64", expressions=node.expressions)
    if type(node).__name__ == "Hash":  # sqlglot versions that parse HASH as a function of its own
        return exp.Anonymous(this="xxhash64", expressions=list(node.args.get("expressions") or [node.this]))
    return node


def to_spark(sql: str) -> str:
    """DuckDB SQL as Spark SQL (sqlglot comes with the [spark] extra, as pyspark does)."""
    import sqlglot

    tree = sqlglot.parse_one(sql, read="duckdb").transform(_spark_hash)
    return tree.sql(dialect="spark")


def _months(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    return (start or dt.date(2010, 12, 1)).replace(day=1), (end or dt.date(2100, 1, 1)).replace(day=1)


Row = dict[str, Any]


def _normalise(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[Row]:
    """Plain Python values, the same from both engines: dates as dates, fractions as floats."""
    out = []
    for row in rows:
        record: Row = {}
        for name, value in zip(columns, row, strict=True):
            if isinstance(value, dt.datetime):
                value = value.date()
            elif isinstance(value, Decimal):
                value = float(value)
            record[name] = value
        out.append(record)
    return out


def run_duckdb(lake: Path, start: dt.date | None = None, end: dt.date | None = None) -> list[Row]:
    """Per force-month indicators from the lake's files, on an in-memory DuckDB."""
    first, last = _months(start, end)
    if not has_files(lake, "street"):
        return []
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # it would print into the command's JSON
    for kind, name in (("street", "lake_street"), ("outcomes", "lake_outcomes")):
        if has_files(lake, kind):
            reader = f"read_parquet({sql_str(lake_glob(lake, kind))}, hive_partitioning=true, {HIVE_TYPES})"
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM {reader}")
        else:
            con.execute(
                f"CREATE VIEW {name} AS SELECT CAST(NULL AS VARCHAR) AS force_id, CAST(NULL AS VARCHAR) AS month, "
                "CAST(NULL AS VARCHAR) AS crime_id, CAST(NULL AS VARCHAR) AS outcome_group WHERE false"
            )
    result = con.execute(indicators_sql(first, last))
    columns = [d[0] for d in result.description]
    return _normalise(columns, result.fetchall())


def spark_session(master: str | None = None, shuffle_partitions: int | None = None) -> SparkSession:
    """A Spark session for the lake: on `master`, else the one spark-submit chose, else local[*]."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise OpenpeelError(
            "the Spark engine needs pyspark and Java 17: pip install 'openpeel[spark]' "
            "(and apt-get install openjdk-17-jre-headless)"
        ) from None
    builder = (
        SparkSession.builder.appName("openpeel-lake")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")  # stage bars would mix into the command's output
        .config("spark.sql.session.timeZone", "UTC")
        # The partition values stay text ("2014-06"); the SQL types them, as on DuckDB.
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    )
    # spark-submit starts the JVM first and hands Python its address: its --master must stand.
    if master is not None or "PYSPARK_GATEWAY_PORT" not in os.environ:
        builder = builder.master(master or "local[*]")
    if shuffle_partitions is not None:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    return builder.getOrCreate()


def run_spark(
    lake: str | Path,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    spark: SparkSession | None = None,
) -> list[Row]:
    """Per force-month indicators from the lake's files, on Spark: `lake` may be any path Spark
    reads (a folder, hdfs://..., s3a://...)."""
    first, last = _months(start, end)
    session = spark or spark_session()
    root = str(lake).rstrip("/")
    if isinstance(lake, Path) and not has_files(lake, "street"):
        return []
    for kind, name in (("street", "lake_street"), ("outcomes", "lake_outcomes")):
        if isinstance(lake, Path) and not has_files(lake, kind):
            session.sql(
                f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT CAST(NULL AS STRING) AS force_id, "
                "CAST(NULL AS STRING) AS month, CAST(NULL AS STRING) AS crime_id, "
                "CAST(NULL AS STRING) AS outcome_group WHERE false"
            )
            continue
        frame = (
            session.read.option("basePath", root)
            .option("pathGlobFilter", PART_GLOB)
            .parquet(f"{root}/kind={kind}")
        )
        frame.createOrReplaceTempView(name)
    result = session.sql(to_spark(indicators_sql(first, last)))
    columns = result.columns
    return _normalise(columns, [tuple(r) for r in result.collect()])
