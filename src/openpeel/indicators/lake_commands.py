"""`openpeel lake indicators`: the record-level indicators from the Parquet lake, on DuckDB or Spark."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from openpeel.core.cli_support import friendly_errors, locations, out
from openpeel.core.errors import InputError


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="The Parquet lake of data.police.uk records.", no_args_is_help=True)
    app.add_typer(group, name="lake")

    @group.command("indicators")
    @friendly_errors
    def lake_indicators_command(
        engine: Annotated[
            str, typer.Option(help="duckdb (this machine) or spark (pyspark, Java 17)")
        ] = "duckdb",
        month_from: Annotated[str | None, typer.Option("--from", help="First month, YYYY-MM")] = None,
        month_to: Annotated[str | None, typer.Option("--to", help="Last month, YYYY-MM")] = None,
        lake: Annotated[
            str | None,
            typer.Option(help="The lake (default: the settings' lake; with spark also hdfs:// or s3a://)"),
        ] = None,
        master: Annotated[
            str | None,
            typer.Option(help="Spark master (default: the one spark-submit gives, else local[*])"),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object per force-month")] = False,
    ) -> None:
        """Outcome shares, months to outcome and ASB share per force-month, computed from the lake's
        Parquet files by DuckDB or by Spark with the same SQL."""
        from openpeel.core.months import parse_month
        from openpeel.indicators.lake_engines import run_duckdb, run_spark, spark_session

        start = parse_month(month_from) if month_from else None
        end = parse_month(month_to) if month_to else None
        where: str | Path = lake if lake and "://" in lake else Path(lake) if lake else locations().lake
        if engine == "duckdb":
            if not isinstance(where, Path):
                raise InputError(
                    f"the duckdb engine reads a local folder, not {where}", hint="use --engine spark"
                )
            rows = run_duckdb(where, start, end)
        elif engine == "spark":
            session = spark_session(master)
            rows = run_spark(where, start, end, spark=session)
        else:
            raise InputError(f"unknown engine {engine!r}", hint="--engine duckdb or --engine spark")
        for row in rows:
            row["month"] = row["month"].strftime("%Y-%m")
        if as_json:
            print(json.dumps(rows, indent=2))
            return
        if not rows:
            out.print(
                f"no data.police.uk records in the lake at {where}"
                + (" for those months" if start or end else "")
                + ": load some with `openpeel ingest FILES`",
                markup=False,
                highlight=False,
            )
            return
        table = Table("force", "month", "crimes", "charged", "no suspect", "ASB share", "median months")
        for row in rows:
            table.add_row(
                str(row["force_id"]),
                str(row["month"]),
                f"{row['crimes'] or 0:,}",
                _share(row["charged_or_summonsed_share"]),
                _share(row["no_suspect_identified_share"]),
                _share(row["asb_share"]),
                "–" if row["median_months_to_outcome"] is None else f"{row['median_months_to_outcome']:g}",
            )
        out.print(table)
        out.print("– : no value (no crimes, or no outcome recorded yet, in that force-month)", markup=False)

    _ = lake_indicators_command


def _share(value: float | None) -> str:
    """A share as a percentage; a missing one (nothing to divide by) as a dash, never 0.0%."""
    return "–" if value is None else f"{value:.1%}"
