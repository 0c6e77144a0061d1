"""CLI commands for the static site, PDFs, charts and downloads, registered on the main Typer app by openpeel.cli."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from openpeel.core.cli_support import DataOption, DbOption, err, friendly_errors, locations, step_progress
from openpeel.framework.cli_options import YearOption, YearsOption


def _ready(db: Path | None, data: Path | None) -> tuple[Any, Any]:
    from openpeel.assessment.prepare import open_ready

    return open_ready(locations(db=db, data=data))


# Read commands never write evidence: the site and the downloads show only what a publication
# recorded, so a file given here could change nothing in them, and importing it (as these
# options once did, as drafts) would change the store behind the user's back.
RefusedEvidence = Annotated[
    list[Path] | None,
    typer.Option("--evidence", hidden=True, help="Refused: import evidence with `openpeel evidence import`."),
]


def refuse_evidence(command: str, evidence: list[Path] | None) -> None:
    if evidence:
        raise typer.BadParameter(
            f"`openpeel {command}` shows only published judgements, so it reads no evidence files and "
            f"stores none; import {evidence[0]} with `openpeel evidence import {evidence[0]} --by NAME`, "
            "then confirm, moderate and publish the judgements (`openpeel judgement ...`) and publish again",
            param_hint="--evidence",
        )


def register(app: typer.Typer) -> None:
    """Add this stage's commands to `app`."""
    from openpeel.publish.publication_commands import register_publications

    register_publications(app)

    @app.command()
    @friendly_errors
    def publish(
        year: YearsOption = None,
        out_dir: Annotated[
            Path, typer.Option("--out", help="Folder for the site (created or replaced).")
        ] = Path("site"),
        pdf: Annotated[
            bool, typer.Option("--pdf", help="Also print every report to PDF (needs Chromium).")
        ] = False,
        evidence: RefusedEvidence = None,
        by: Annotated[
            str | None, typer.Option("--by", help="Who publishes (default: your login name).")
        ] = None,
        note: Annotated[
            str | None,
            typer.Option("--note", help="What changed since the last publication, shown on new versions."),
        ] = None,
        db: DbOption = None,
        data: DataOption = None,
    ) -> None:
        """Write the static site: 43 reports per year, national overview, scan, methodology, data dictionary and downloads; record it as a publication."""
        import getpass

        from openpeel.assessment.prepare import assess
        from openpeel.publish.publish_run import publish_recorded
        from openpeel.store.audit import require_actor

        refuse_evidence("publish", evidence)
        who = require_actor(by or getpass.getuser())
        years = sorted(set(year or [2014]))
        con, store = _ready(db, data)
        with store.write() as ws:
            for y in years:
                assess(con, ws, y)
        with step_progress() as progress:
            run = publish_recorded(con, store, years, out_dir, by=who, note=note, pdf=pdf, progress=progress)
        result, publication = run.site, run.publication
        err.print(
            f"[green]wrote the site for {', '.join(map(str, result.years))} to {result.out_dir}[/]: "
            f"{len(result.pages)} pages, {len(result.downloads)} download files"
            + (f", {len(result.pdfs)} PDFs" if result.pdfs else "")
            + f". Open {result.out_dir / 'index.html'}"
        )
        err.print(
            f"publication {publication.publication_id} recorded: {len(publication.files)} files hashed, "
            f"{len(run.versioning.new)} new report version(s), audit chain head event {run.head.event_id}"
        )

    @app.command()
    @friendly_errors
    def pdf(
        force: Annotated[str, typer.Argument(help="Force id or name, e.g. northamptonshire.")],
        year: YearOption = 2014,
        out_file: Annotated[
            Path | None, typer.Option("--out", help="PDF file to write (default: FORCE-YEAR.pdf).")
        ] = None,
        evidence: Annotated[
            list[Path] | None, typer.Option("--evidence", help="Extra evidence YAML file(s).")
        ] = None,
        db: DbOption = None,
        data: DataOption = None,
    ) -> None:
        """Print one force's report to PDF (headless Chromium; needs the 'pdf' extra)."""
        from openpeel.assessment.prepare import evidence_for_year, judgements_by_force, load_evidence
        from openpeel.forces import lookup
        from openpeel.publish import build_report, render
        from openpeel.publish.pdf import pdf_printer

        area = lookup(force)
        con, store = _ready(db, data)
        # --evidence previews files without storing them; otherwise the report shows the store.
        with store.read() as ws:
            found = load_evidence(year, evidence) if evidence else evidence_for_year(ws, year)
            stored = {} if evidence else judgements_by_force(ws, year).get(area.force_id, {})
        report = build_report(con, area.force_id, year, found.get(area.force_id), stored=stored)
        out = out_file or Path(f"{area.force_id}-{year}.pdf")
        with pdf_printer() as printer:
            printer.print(render(report, "html", print_mode=True), out)
        err.print(f"[green]wrote {out}[/]")

    @app.command()
    @friendly_errors
    def export(
        year: YearOption = 2014,
        out_dir: Annotated[Path, typer.Option("--out", help="Folder for the files.")] = Path("downloads"),
        fmt: Annotated[
            list[str] | None, typer.Option("--format", "-f", help="csv and/or parquet (default: both).")
        ] = None,
        evidence: RefusedEvidence = None,
        dictionary: Annotated[
            bool,
            typer.Option("--dictionary", help="Print the downloads' data dictionary (Markdown) and stop."),
        ] = False,
        db: DbOption = None,
        data: DataOption = None,
    ) -> None:
        """Write a year's indicators, judgements, findings and the inspectorate's published grades as CSV and/or Parquet, for open reuse."""
        import sys

        from openpeel.assessment.public import public_year
        from openpeel.evidence.followed import next_cycle
        from openpeel.framework import load_framework
        from openpeel.publish.cycle import Cycle
        from openpeel.publish.export import EXPORT_FORMATS, downloads_dictionary_markdown, export_year

        if dictionary:
            sys.stdout.write(downloads_dictionary_markdown())
            return
        formats = fmt or list(EXPORT_FORMATS)
        for f in formats:
            if f not in EXPORT_FORMATS:
                raise typer.BadParameter(
                    f"unknown format {f!r}; choose from {', '.join(EXPORT_FORMATS)}", param_hint="--format"
                )
        refuse_evidence("export", evidence)
        framework = load_framework(year)
        con, store = _ready(db, data)
        following = next_cycle(framework.year)
        with store.read() as ws:
            public = public_year(ws, year)
            later = public_year(ws, following.to_year).evidence if following is not None else {}
        cycle = Cycle(con, framework.year, public.evidence, public.judgements, public.progress)
        written = export_year(cycle, out_dir, formats, following=later)  # type: ignore[arg-type]
        for path in written:
            err.print(f"wrote {path}")
