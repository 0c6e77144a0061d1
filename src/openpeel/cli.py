"""The openpeel command line: a thin layer over the library; every command has --help."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from openpeel.assessment.commands import register as register_assessment
from openpeel.core.errors import OpenpeelError
from openpeel.indicators.commands import register as register_indicators
from openpeel.ingest.police_uk.commands import register as register_police_uk
from openpeel.publish.commands import register as register_publish
from openpeel.web.commands import register as register_web

app = typer.Typer(
    name="openpeel",
    help=(
        "Open, reproducible PEEL-style assessments of the police forces of England and Wales.\n\n"
        "Data flows sources -> ingest -> warehouse -> indicators -> assessment -> publish. "
        "Start with: openpeel build --year 2014"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
err = Console(stderr=True)
out = Console()

F = TypeVar("F", bound=Callable[..., Any])

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Warehouse file (default: $OPENPEEL_DB, else ./openpeel.duckdb)."),
]
DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Folder of the original files (the layout of ../shared/data). Default: $OPENPEEL_DATA, else the bundled aggregate table.",
    ),
]
YearOption = Annotated[int, typer.Option("--year", "-y", help="PEEL year (2014, 2015).")]


def friendly_errors(func: F) -> F:
    """Turn openpeel's errors into one clear line on stderr and exit status 2, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OpenpeelError as exc:
            err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def step_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A Rich progress display on stderr with one bar per named step; yields the callback
    (step, done, total) that openpeel's long-running functions accept as `progress`."""
    with Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        yield progress


def _data_dir(option: Path | None) -> Path | None:
    import os

    if option is not None:
        return option
    env = os.environ.get("OPENPEEL_DATA")
    return Path(env) if env else None


def _open(db: Path | None) -> Any:
    from openpeel.warehouse import connect, resolve_db_path

    return connect(resolve_db_path(db))


def _ready(db: Path | None, data: Path | None) -> Any:
    """A warehouse holding statistics and indicators, loading them first if it has none."""
    from openpeel.pipeline import has_statistics, prepare_warehouse

    con = _open(db)
    if not has_statistics(con):
        err.print("[dim]warehouse is empty: loading official statistics and computing indicators…[/]")
        prepare_warehouse(con, _data_dir(data), with_evidence=True)
    return con


@app.command()
@friendly_errors
def build(
    year: YearOption = 2014,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for the reports; they go in OUT/YEAR/.")
    ] = Path("out"),
    db: DbOption = None,
    data: DataOption = None,
    evidence: Annotated[
        list[Path] | None,
        typer.Option("--evidence", help="Extra evidence YAML file(s); bundled ones are always read."),
    ] = None,
    force: Annotated[
        list[str] | None, typer.Option("--force", help="Only these forces (default: all 43).")
    ] = None,
    fmt: Annotated[
        list[str] | None, typer.Option("--format", help="text, md, html (default: all three).")
    ] = None,
) -> None:
    """The main job: load the statistics, compute indicators, assess and publish every force's report."""
    from openpeel.pipeline import build as run_build
    from openpeel.publish.render import FORMATS

    formats = fmt or list(FORMATS)
    for f in formats:
        if f not in FORMATS:
            raise typer.BadParameter(
                f"unknown format {f!r}; choose from {', '.join(FORMATS)}", param_hint="--format"
            )
    con = _open(db)
    with step_progress() as progress:
        result = run_build(
            con,
            year,
            out_dir,
            data_dir=_data_dir(data),
            evidence_paths=evidence or [],
            formats=formats,  # type: ignore[arg-type]
            forces=force,
            progress=progress,
        )
    if result.load:
        err.print(
            f"read {result.load.read_from}: " + ", ".join(f"{k} {v:,}" for k, v in result.load.rows.items())
        )
    err.print(
        f"[green]wrote {len(result.reports)} report files for {len(result.reports) // max(1, len(formats))} forces "
        f"to {result.out_dir}[/] (graded from evidence: {', '.join(result.graded_forces) or 'none'})"
    )


@app.command()
@friendly_errors
def indicators(
    force: Annotated[str | None, typer.Argument(help="Force id or name, e.g. northamptonshire.")] = None,
    year: YearOption = 2014,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
    list_all: Annotated[bool, typer.Option("--list", help="List the indicator catalogue instead.")] = False,
    db: DbOption = None,
    data: DataOption = None,
) -> None:
    """A force's indicators for a PEEL year, with England and Wales values and rank among the 43."""
    from openpeel.forces import lookup
    from openpeel.framework import load_framework
    from openpeel.indicators import catalogue
    from openpeel.indicators.query import values_for_year

    if list_all:
        rows = [i.model_dump(exclude={"sql"}, mode="json") for i in catalogue().indicators]
        if as_json:
            print(json.dumps(rows, indent=2))
            return
        table = Table("id", "title", "unit", "direction", "period")
        for i in catalogue().indicators:
            table.add_row(i.id, i.title, i.unit, i.direction.replace("_", " "), i.period_family)
        out.print(table)
        return
    if force is None:
        raise typer.BadParameter("give a force (e.g. northamptonshire), or --list", param_hint="FORCE")
    area = lookup(force)
    framework = load_framework(year)
    con = _ready(db, data)
    values = values_for_year(con, framework, area.force_id)
    if as_json:
        print(json.dumps([v.as_json() for v in values], indent=2))
        return
    table = Table(
        "indicator",
        "period end",
        "value",
        "England and Wales",
        "band",
        "rank",
        title=f"{area.name}, PEEL {year}",
    )
    for v in values:
        table.add_row(
            v.indicator.id,
            v.period_end.isoformat(),
            f"{v.value:.2f}",
            f"{v.ew_value:.2f}" if v.ew_value is not None else "-",
            v.band or "-",
            f"{v.rank}/{v.rank_of}" if v.rank else "-",
        )
    out.print(table)


@app.command()
@friendly_errors
def report(
    force: Annotated[str, typer.Argument(help="Force id or name, e.g. northamptonshire.")],
    year: YearOption = 2014,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, md or html.")] = "text",
    evidence: Annotated[
        list[Path] | None, typer.Option("--evidence", help="Extra evidence YAML file(s).")
    ] = None,
    db: DbOption = None,
    data: DataOption = None,
) -> None:
    """Print one force's report ("How well the force tackles crime") for a PEEL year."""
    from openpeel.forces import lookup
    from openpeel.pipeline import evidence_for_year, load_evidence
    from openpeel.publish import FORMATS, build_report, render

    if fmt not in FORMATS:
        hint = " (for a PDF, use: openpeel pdf FORCE --year YEAR)" if fmt == "pdf" else ""
        raise typer.BadParameter(
            f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}{hint}", param_hint="--format"
        )
    area = lookup(force)
    con = _ready(db, data)
    # --evidence previews files without storing them; otherwise the report shows the store.
    found = load_evidence(year, evidence) if evidence else evidence_for_year(con, year)
    doc = build_report(con, area.force_id, year, found.get(area.force_id))
    sys.stdout.write(render(doc, fmt))


@app.command()
@friendly_errors
def forces(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The forces registry: ids, names, ONS codes and regions."""
    from openpeel.forces import all_areas

    areas = all_areas()
    if as_json:
        print(json.dumps([a.model_dump() for a in areas], indent=2))
        return
    table = Table("id", "name", "ONS code", "region", "kind")
    for a in areas:
        table.add_row(a.force_id, a.name, a.ons_code or "-", a.region or "-", a.kind)
    out.print(table)


@app.command()
@friendly_errors
def bundle(
    data: Annotated[Path, typer.Option("--data", help="Folder of the original files (e.g. ../shared/data).")],
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Where to write (default: the package's bundled folder).")
    ] = None,
) -> None:
    """Regenerate the bundled aggregate table from the original ONS files."""
    from openpeel.ingest.official_statistics import write_bundle_from

    for path in write_bundle_from(data, out_dir):
        err.print(f"wrote {path}")


@app.command()
@friendly_errors
def dictionary(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """The data dictionary (warehouse tables and indicators) as Markdown."""
    from openpeel.warehouse.dictionary import data_dictionary_markdown

    text = data_dictionary_markdown()
    if out_file:
        out_file.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


register_police_uk(app)
register_indicators(app)
register_assessment(app)
register_publish(app)
register_web(app)


if __name__ == "__main__":
    app()
