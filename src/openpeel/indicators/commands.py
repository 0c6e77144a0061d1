"""CLI commands for indicator catalogue, imported measures and the national scan, registered on the main Typer app by openpeel.cli."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.table import Table

from openpeel.core.cli_support import (
    DataOption,
    DbOption,
    err,
    friendly_errors,
    locations,
    out,
    waiting_message,
)
from openpeel.framework.cli_options import YearOption


def _ready(db: Path | None, data: Path | None) -> duckdb.DuckDBPyConnection:
    """The warehouse, read-only, loading statistics and computing indicators first if it has none."""
    from openpeel.indicators.prepare import ready_warehouse

    return ready_warehouse(
        locations(db=db, data=data),
        on_wait=waiting_message,
        on_prepare=lambda: err.print(
            "[dim]warehouse is empty: loading official statistics and computing indicators…[/]"
        ),
    )


@contextmanager
def _writing(db: Path | None, data: Path | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A ready warehouse to change: the change replaces the file only if it succeeds."""
    from openpeel.warehouse import writing

    _ready(db, data).close()
    where = locations(db=db, data=data)
    with writing(where.warehouse, where.lake, on_wait=waiting_message) as con:
        yield con


def register(app: typer.Typer) -> None:
    """Add this stage's commands to `app`."""

    @app.command("scan")
    @friendly_errors
    def scan(
        year: YearOption = 2014,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
        markdown: Annotated[
            bool, typer.Option("--markdown", help="Print the Markdown page for the site.")
        ] = False,
        peers: Annotated[
            bool, typer.Option("--peers/--no-peers", help="Also list differences from each force's peers.")
        ] = True,
        every: Annotated[
            bool,
            typer.Option(
                "--all", help="Every difference, not only each force's few largest (the triage view)."
            ),
        ] = False,
        db: DbOption = None,
        data: DataOption = None,
    ) -> None:
        """The national scan: for all 43 forces, indicators significantly and materially worse or
        better than England and Wales or peers. By default each force's few largest differences
        (triage); --all lists every one."""
        from openpeel.forces import get_force
        from openpeel.framework import load_framework
        from openpeel.indicators.scan import TRIAGE_LIMIT, national_scan, scan_json, scan_markdown, triage

        framework = load_framework(year)
        con = _ready(db, data)
        found = national_scan(con, framework, include_peers=peers)
        rows = found if every else triage(found)
        if as_json:
            print(scan_json(framework, rows))
            return
        if markdown:
            print(scan_markdown(framework, rows), end="")
            return
        table = Table(
            "force",
            "indicator",
            "value",
            "compared with",
            "their value",
            "",
            "rank",
            title=f"National scan, PEEL {year}",
        )
        for r in rows:
            rank = f"{r.rank}/{r.rank_of}" if r.rank else "-"
            if r.rank and r.rank_best is not None and (r.rank_best, r.rank_worst) != (r.rank, r.rank):
                rank += f" ({r.rank_best}-{r.rank_worst})"
            colour = {"worse": "red", "better": "green"}.get(r.direction, "yellow")
            table.add_row(
                get_force(r.force_id).short_name,
                r.indicator_id,
                f"{r.value:,.2f}",
                r.comparator,
                f"{r.comparator_value:,.2f}",
                f"[{colour}]{r.direction}[/]",
                rank + (f" {r.extreme}" if r.extreme else ""),
            )
        out.print(table)
        forces = len({r.force_id for r in found})
        if every:
            err.print(f"[dim]{len(found)} differences across {forces} forces[/]")
        else:
            err.print(
                f"[dim]the {TRIAGE_LIMIT} largest differences of each force: {len(rows)} of "
                f"{len(found)} across {forces} forces; --all lists every one[/]"
            )

    @app.command("import-measures")
    @friendly_errors
    def import_measures_command(
        file: Annotated[Path, typer.Argument(help="CSV of measures (docs/imported-measures.md).")],
        db: DbOption = None,
        data: DataOption = None,
    ) -> None:
        """Import measures supplied as CSV (domestic abuse arrests, crime-recording accuracy, victim
        satisfaction), check every row, and compute their indicators."""
        from openpeel.indicators.compute import compute_indicators
        from openpeel.indicators.imported_measures import import_measures

        with _writing(db, data) as con:
            report = import_measures(con, file)
            compute_indicators(con, report.indicator_ids)
        parts = ", ".join(f"{m} ({n})" for m, n in sorted(report.measures.items()))
        out.print(f"[green]imported {report.rows} rows from {file}[/]: {parts}")

    @app.command("peers")
    @friendly_errors
    def peers_command(
        force: Annotated[str | None, typer.Argument(help="Force id or name: list its peers.")] = None,
        import_file: Annotated[
            Path | None,
            typer.Option("--import", help="Import a most-similar-groups CSV (columns force,peer)."),
        ] = None,
        peer_set: Annotated[str, typer.Option("--set", help="Peer set to show or import into.")] = "",
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        db: DbOption = None,
        data: DataOption = None,
    ) -> None:
        """Peer groups: the shipped regional groups, or import a most-similar-groups file."""
        from openpeel.forces import lookup, territorial_forces
        from openpeel.forces.peers import (
            MOST_SIMILAR_SET,
            REGION_SET,
            import_most_similar,
            peer_sets,
            peers_of,
        )
        from openpeel.indicators.compute import compute_indicators

        if import_file is not None:
            name = peer_set or MOST_SIMILAR_SET
            with _writing(db, data) as con:
                stored = import_most_similar(con, import_file, peer_set=name)
                compute_indicators(con)
            out.print(f"[green]imported {stored} peer pairs as set {name!r}[/]; indicators recomputed")
            return
        con = _ready(db, data)
        name = peer_set or REGION_SET
        forces = [lookup(force)] if force else list(territorial_forces())
        result = {f.force_id: list(peers_of(con, f.force_id, name)) for f in forces}
        if as_json:
            print(json.dumps({"peer_set": name, "sets": peer_sets(con), "peers": result}, indent=2))
            return
        table = Table("force", "peers", title=f"Peer set {name!r} (sets: {', '.join(peer_sets(con))})")
        for force_id, ids in result.items():
            table.add_row(force_id, ", ".join(ids) or "-")
        out.print(table)

    @app.command("backtest")
    @friendly_errors
    def backtest_command(
        month: Annotated[
            int, typer.Option("--month", min=1, max=12, help="Month the 12-month periods end in.")
        ] = 3,
        indicator: Annotated[
            list[str] | None,
            typer.Option("--indicator", "-i", help="Indicator id (repeatable; default: the main five)."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of Markdown.")] = False,
        db: DbOption = None,
        data: DataOption = None,
    ) -> None:
        """Back-test the comparison rules over the ONS history: share of forces flagged each year,
        and how many stay flagged on the same side the next year against chance (old Poisson rule
        beside the overdispersion-adjusted one)."""
        from openpeel.indicators.backtest import MAIN_INDICATORS, backtest, backtest_markdown
        from openpeel.indicators.catalogue import get_indicator

        ids = tuple(indicator) if indicator else MAIN_INDICATORS
        for indicator_id in ids:
            get_indicator(indicator_id)
        rows = backtest(_ready(db, data), ids, month)
        if as_json:
            print(json.dumps([r.as_json() for r in rows], indent=2))
            return
        print(backtest_markdown(rows, month), end="")

    _ = (scan, import_measures_command, peers_command, backtest_command)

    from openpeel.indicators.lake_commands import register as register_lake

    register_lake(app)
