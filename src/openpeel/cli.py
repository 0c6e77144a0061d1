"""The openpeel command line: a thin layer over the library; every command has --help."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from openpeel.core.cli_support import (
    DataOption,
    DbOption,
    err,
    friendly_errors,
    locations,
    out,
    set_global_options,
    step_progress,
    waiting_message,
)
from openpeel.framework.cli_options import YearOption


def main(
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help="Folder of the embedded default: warehouse and workspace store (default: $OPENPEEL_HOME, else ./openpeel-data).",
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Workspace store URL, e.g. postgresql://user@host:5432/openpeel (default: $OPENPEEL_STORE, else SQLite in the home folder).",
        ),
    ] = None,
) -> None:
    """Open, reproducible PEEL-style assessments of the police forces of England and Wales."""
    set_global_options(home=home, store=store)


def _ready(db: Path | None, data: Path | None) -> tuple[Any, Any]:
    """A read-only warehouse holding statistics and indicators (loaded first if missing), and the
    workspace store."""
    from openpeel.assessment.prepare import open_ready

    return open_ready(locations(db=db, data=data))


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
    from openpeel.store import open_store

    chosen = locations(db=db, data=data)
    with step_progress() as progress:
        result = run_build(
            chosen,
            open_store(chosen),
            year,
            out_dir,
            on_wait=waiting_message,
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
    con, _store = _ready(db, data)
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
    from openpeel.assessment.prepare import evidence_for_year, judgements_by_force, load_evidence
    from openpeel.forces import lookup
    from openpeel.publish import FORMATS, build_report, render

    if fmt not in FORMATS:
        hint = " (for a PDF, use: openpeel pdf FORCE --year YEAR)" if fmt == "pdf" else ""
        raise typer.BadParameter(
            f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}{hint}", param_hint="--format"
        )
    area = lookup(force)
    con, store = _ready(db, data)
    # --evidence previews files without storing them; otherwise the report shows the store.
    with store.read() as ws:
        found = load_evidence(year, evidence) if evidence else evidence_for_year(ws, year)
        stored = {} if evidence else judgements_by_force(ws, year).get(area.force_id, {})
    doc = build_report(con, area.force_id, year, found.get(area.force_id), stored=stored)
    sys.stdout.write(render(doc, fmt))


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


@friendly_errors
def dictionary(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """The data dictionary (warehouse tables and indicators) as Markdown."""
    from openpeel.publish.dictionary import data_dictionary_markdown

    text = data_dictionary_markdown()
    if out_file:
        out_file.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


# Each stage's commands (and groups of commands), by the module whose register() adds them, in the
# order they are registered. Importing every stage costs a third of a second (SQLAlchemy, FastAPI,
# Jinja2...), so `openpeel CMD` imports only CMD's stage. tests/test_cli_lazy.py checks this table
# against what each register() really adds.
STAGE_COMMANDS: dict[str, tuple[str, ...]] = {
    "openpeel.store.commands": ("store", "audit"),
    "openpeel.ingest.police_uk.commands": ("ingest", "coverage", "demo-archive", "download"),
    "openpeel.indicators.commands": ("scan", "import-measures", "peers", "backtest", "lake"),
    "openpeel.evidence.commands": ("findings", "evidence"),
    "openpeel.assessment.commands": ("history", "moderate", "judgement"),
    "openpeel.assessment.calibration_commands": ("published-grades", "calibrate"),
    "openpeel.publish.commands": ("publish", "pdf", "export", "publications"),
    "openpeel.web.commands": ("serve", "users"),
}


def _record_drafts(pairs: list[tuple[str, int]], by: str, db: Path | None) -> int:
    from openpeel.assessment.commands import record_drafts

    return record_drafts(pairs, by, db)


# What a stage's commands need from a later stage, handed in here since a stage imports only the
# stages before it: `evidence import --propose` records the assessment stage's draft judgements.
STAGE_HOOKS: dict[str, dict[str, Any]] = {"openpeel.evidence.commands": {"after_import": _record_drafts}}
CORE_COMMANDS: tuple[Callable[..., None], ...] = (build, indicators, report, forces, bundle, dictionary)
# The options of `main` whose value is the next argument, which is then not the command.
GLOBAL_VALUE_OPTIONS = ("--home", "--store")


def make_app(stages: Collection[str] = STAGE_COMMANDS) -> typer.Typer:
    """The openpeel app with the commands of no single stage and those of the given stages (the
    modules of STAGE_COMMANDS; by default all of them)."""
    made = typer.Typer(
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
    made.callback()(main)
    for command in CORE_COMMANDS:
        made.command()(command)
    for module in STAGE_COMMANDS:
        if module in stages:
            importlib.import_module(module).register(made, **STAGE_HOOKS.get(module, {}))
    return made


def command_name(args: Sequence[str]) -> str | None:
    """The command an `openpeel` command line names, or None when something before it (--help, an
    unknown option) may need every command."""
    rest = iter(args)
    for arg in rest:
        if arg in GLOBAL_VALUE_OPTIONS:
            next(rest, None)
        elif arg.startswith(tuple(f"{option}=" for option in GLOBAL_VALUE_OPTIONS)):
            continue
        elif arg.startswith("-"):
            return None
        else:
            return arg
    return None


def stages_for(args: Sequence[str]) -> list[str]:
    """The stages a command line needs: its command's alone, or every stage when it names no
    command or one nobody defines, so that the top-level help and "No such command" (with its
    suggestions) are those of the full app."""
    name = command_name(args)
    if name in {command.__name__.replace("_", "-") for command in CORE_COMMANDS}:
        return []
    for module, names in STAGE_COMMANDS.items():
        if name in names:
            return [module]
    return list(STAGE_COMMANDS)


def run() -> None:
    """The `openpeel` console script."""
    make_app(stages_for(sys.argv[1:]))()


def __getattr__(name: str) -> typer.Typer:
    # `openpeel.cli.app`, the full app, is only built when asked for, so that importing `run`
    # imports no stage.
    if name == "app":
        full = make_app()
        globals()["app"] = full
        return full
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    run()
