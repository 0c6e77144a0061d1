"""CLI commands for data.police.uk files, registered on the main Typer app by openpeel.cli."""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from openpeel.core.cli_support import DbOption, friendly_errors, locations, waiting_message
from openpeel.core.cli_support import console as cli_console
from openpeel.ingest.police_uk.memory_limit import MEMORY_LIMIT
from openpeel.warehouse import open_reader, writing

if TYPE_CHECKING:
    from openpeel.ingest.police_uk.load import FileResult

console = cli_console()
errors = cli_console(stderr=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(), console=errors
    )


@contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """SIGTERM ends the command as Ctrl-C does, so the work folder and the warehouse copy are removed
    on the way out (kill -9 cannot be caught: the next ingest removes what it leaves)."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def register(app: typer.Typer) -> None:
    """Add the data.police.uk commands (download, ingest, coverage, demo-archive) to `app`."""
    _ingest_command(app)
    _coverage_command(app)
    _demo_archive_command(app)
    _download_command(app)


def _ingest_command(app: typer.Typer) -> None:

    @app.command("ingest")
    @friendly_errors
    def ingest_command(
        paths: Annotated[list[Path], typer.Argument(help="Archive zips, folders or monthly CSV files")],
        db: DbOption = None,
        force: Annotated[list[str] | None, typer.Option("--force", help="Only these force ids")] = None,
        month_from: Annotated[str | None, typer.Option("--from", help="First month, YYYY-MM")] = None,
        month_to: Annotated[str | None, typer.Option("--to", help="Last month, YYYY-MM")] = None,
        recheck: Annotated[bool, typer.Option(help="Reload files even if the same bytes are loaded")] = False,
        replace: Annotated[
            bool,
            typer.Option(
                "--replace",
                help="Store files even where they are refused: header only, mostly bad rows, or far fewer "
                "rows than the force-month stored",
            ),
        ] = False,
        memory_limit: Annotated[
            str,
            typer.Option(
                "--memory-limit",
                help="Cap on DuckDB's memory while loading, e.g. 512MB or 2GB; 'none' for no cap",
            ),
        ] = MEMORY_LIMIT,
    ) -> None:
        """Validate and load data.police.uk street, outcome and stop-and-search files (all or nothing).

        A file that is not at least as good as the force-month stored (header only, mostly bad rows,
        far fewer rows) is refused and the stored rows kept; the rest still loads, and the command
        then exits with status 1."""
        from openpeel.core.months import parse_month
        from openpeel.forces import get_force
        from openpeel.ingest.police_uk import bounds
        from openpeel.ingest.police_uk.load import ingest

        forces = [get_force(f).force_id for f in force] if force else None
        start = parse_month(month_from) if month_from else None
        end = parse_month(month_to) if month_to else None
        where = locations(db=db)
        path = where.warehouse
        with (
            _terminate_as_exit(),
            writing(path, where.lake, on_wait=waiting_message) as con,
            _progress() as bar,
        ):
            task = bar.add_task("ingesting", total=None)
            report = ingest(
                con,
                paths,
                forces=forces,
                month_from=start,
                month_to=end,
                recheck=recheck,
                replace=replace,
                memory_limit=None if memory_limit.strip().lower() == "none" else memory_limit,
                lake=where.lake,
                home=where.home,
                on_start=lambda total: bar.update(task, total=total),
                progress=lambda done, what: bar.update(task, advance=done, description=what),
            )
        console.print(
            f"{report.count('ingested')} files ingested, {report.count('unchanged')} unchanged, "
            f"{report.count('kept-newer')} kept (newer edition already loaded), "
            f"{len(report.superseded)} superseded by a newer edition in the input"
        )
        console.print(
            f"{report.rows_stored:,} rows stored, {report.rows_quarantined:,} quarantined "
            f"(of {report.rows_in_files:,} data lines)"
        )
        if report.ignored:
            console.print(
                f"[yellow]{len(report.ignored)} files ignored (not monthly data files)[/], e.g. {report.ignored[0]}"
            )
        if report.rows_quarantined:
            rows = (
                open_reader(path)
                .execute(
                    "SELECT source_path, line, field, reason FROM meta_quarantine ORDER BY quarantined_at DESC, "
                    "source_path, line LIMIT 20"
                )
                .fetchall()
            )
            from rich.table import Table  # imported when printed: rich.table costs the ingest 0.02 s

            table = Table(
                "file",
                "line",
                "field",
                "reason",
                title="Quarantined rows (first 20; meta_quarantine keeps the first "
                f"{bounds.QUARANTINE_KEEP:,} of each file, the rest are counted)",
            )
            for path, line, fld, reason in rows:
                table.add_row(str(path), str(line), str(fld), str(reason))
            console.print(table)
        if report.refused:
            _print_refusals(report.refused)
            raise typer.Exit(1)


def _print_refusals(refused: list[FileResult]) -> None:
    from openpeel.core.months import month_text

    n = len(refused)
    console.print(
        f"[bold yellow]{n} force-month{'' if n == 1 else 's'} refused[/], the rows stored for "
        f"{'it' if n == 1 else 'them'} kept (`openpeel coverage` lists {'it' if n == 1 else 'them'}; "
        "--replace stores a refused file anyway):",
        soft_wrap=True,
    )
    for f in refused[:50]:
        keeps = (
            f"the {f.rows_kept:,} rows stored before are kept" if f.rows_kept else "nothing is stored for it"
        )
        console.print(
            f"  {f.source.force_id} {month_text(f.source.month)} {f.source.kind.value}: "
            f"{f.source.display_path}: {f.refusal}; {keeps}",
            soft_wrap=True,
            markup=False,
            highlight=False,
        )
    if n > 50:
        console.print(f"  ... and {n - 50} more (all in meta_police_uk_refusals)", soft_wrap=True)


def _coverage_command(app: typer.Typer) -> None:
    @app.command("coverage")
    @friendly_errors
    def coverage_command(
        db: DbOption = None,
        kind: Annotated[str, typer.Option(help="street, outcomes or stop-and-search")] = "street",
        force: Annotated[list[str] | None, typer.Option("--force", help="Only these force ids")] = None,
        detail: Annotated[
            bool, typer.Option(help="One line per force-month, with rows, bytes, checksum")
        ] = False,
        as_json: Annotated[
            bool,
            typer.Option("--json", help="One object per force x month x kind, missing ones marked"),
        ] = False,
        month_from: Annotated[str | None, typer.Option("--from", help="First month, YYYY-MM")] = None,
        month_to: Annotated[str | None, typer.Option("--to", help="Last month, YYYY-MM")] = None,
    ) -> None:
        """Show which force-months are in the warehouse, and which are missing (every expected
        force is listed: the 43 and British Transport Police)."""
        from openpeel.core.months import parse_month
        from openpeel.forces import get_force
        from openpeel.ingest.police_uk.coverage import (
            coverage_grid,
            coverage_records,
            coverage_rows,
            file_kind,
            refusal_lines,
        )

        chosen_kind = file_kind(kind)
        forces = [get_force(f).force_id for f in force] if force else None
        where = locations(db=db)
        path = where.warehouse
        if not path.exists():
            with writing(path, where.lake):
                pass  # an empty warehouse: every force-month is listed as missing
        con = open_reader(path)
        if as_json:
            start = parse_month(month_from) if month_from else None
            end = parse_month(month_to) if month_to else None
            records = coverage_records(con, chosen_kind, forces, start, end)
            sys.stdout.write(json.dumps(records, indent=2) + "\n")
            return
        if detail:
            from rich.table import Table

            table = Table(
                "force",
                "month",
                "kind",
                "rows",
                "stored",
                "quarantined",
                "bytes",
                "sha256",
                "ingested",
                "status",
            )
            for row in coverage_rows(con, kind, forces):
                table.add_row(*[str(v) for v in row])
            console.print(table)
        else:
            grid = coverage_grid(con, kind, forces)
            console.print(grid if grid is not None else f"no {kind} files ingested yet")
        refused = refusal_lines(con, kind, forces)
        if refused:
            console.print(
                f"[bold yellow]{len(refused)} refused[/] (the latest file offered for each was not stored):"
            )
            for line in refused:
                console.print(f"  {line}", soft_wrap=True, markup=False, highlight=False)


def _demo_archive_command(app: typer.Typer) -> None:
    @app.command("demo-archive")
    @friendly_errors
    def demo_archive_command(
        out: Annotated[Path, typer.Option("--out", help="Folder to write into")] = Path("demo-archive"),
        months: Annotated[int, typer.Option(help="How many months")] = 12,
        start: Annotated[str, typer.Option(help="First month, YYYY-MM")] = "2014-01",
        forces: Annotated[
            str, typer.Option(help="'all' (the 43 forces) or comma-separated force ids")
        ] = "all",
        seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files")] = 1,
        missing: Annotated[
            list[str] | None, typer.Option(help="Leave out FORCE:YYYY-MM (repeatable)")
        ] = None,
        faults: Annotated[
            bool, typer.Option(help="Inject bad rows, an older edition and a truncated zip")
        ] = False,
        unzipped: Annotated[bool, typer.Option(help="Write month folders instead of a zip")] = False,
        shared_data: Annotated[Path, typer.Option(help="The real files to learn from")] = Path(
            "../shared/data"
        ),
    ) -> None:
        """Write a synthetic data.police.uk archive, learned from the real files, for tests and benchmarks."""
        from openpeel.forces import get_force
        from openpeel.ingest.police_uk.demo_archive import generate

        ids = None if forces == "all" else [get_force(f.strip()).force_id for f in forces.split(",")]
        result = generate(
            out,
            shared_data=shared_data,
            months=months,
            start=start,
            forces=ids,
            seed=seed,
            missing=missing or (),
            as_zip=not unzipped,
            faults=faults,
            progress=lambda what: errors.print(what),
        )
        console.print(
            f"wrote {result.archive}: {len(result.months)} months, {result.files} files, "
            f"{result.street_rows:,} street rows, {result.outcome_rows:,} outcome rows"
        )
        if result.faults:
            console.print(f"faults listed in {result.faults}")


def _download_command(app: typer.Typer) -> None:
    @app.command("download")
    @friendly_errors
    def download_command(
        month_from: Annotated[str, typer.Option("--from", help="First month wanted, YYYY-MM")],
        month_to: Annotated[str, typer.Option("--to", help="Last month wanted, YYYY-MM")],
        force: Annotated[
            list[str] | None, typer.Option("--force", help="Force ids to check are present")
        ] = None,
        dest: Annotated[Path, typer.Option(help="Folder for the archive zips")] = Path(
            "data/police-uk-archives"
        ),
        base_url: Annotated[
            str, typer.Option(help="Where the archives are")
        ] = "https://data.police.uk/data/archive/",
    ) -> None:
        """Fetch the data.police.uk archive zips covering the months (resumable, checksummed)."""
        from openpeel.forces import get_force
        from openpeel.ingest.police_uk.download import download

        forces = [get_force(f).force_id for f in force] if force else None
        with _progress() as bar:
            tasks: dict[str, TaskID] = {}

            def on_progress(name: str, done: int, total: int | None) -> None:
                if name not in tasks:
                    tasks[name] = bar.add_task(name, total=total)
                bar.update(tasks[name], completed=done, total=total)

            results = download(
                month_from, month_to, dest=dest, base_url=base_url, forces=forces, progress=on_progress
            )
        for r in results:
            console.print(f"{r.path}: {r.status}, {r.bytes:,} bytes, sha256 {r.sha256[:16]}...")
            for note in r.notes:
                console.print(f"  [yellow]{note}[/]")
