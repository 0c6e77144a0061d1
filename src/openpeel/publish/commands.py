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
        evidence: Annotated[
            list[Path] | None, typer.Option("--evidence", help="Extra evidence YAML file(s).")
        ] = None,
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
        from openpeel.assessment.public import PublicYear, public_year
        from openpeel.publish.publication import Versioning
        from openpeel.publish.site import publish_site
        from openpeel.store.audit import chain_head, require_actor

        who = require_actor(by or getpass.getuser())
        years = sorted(set(year or [2014]))
        con, store = _ready(db, data)
        with store.write() as ws:
            for y in years:
                assess(con, ws, y, evidence or [])
        recorded = []
        # One write transaction from the first read to the record: the chain head, the judgements
        # the reports show and the versions stored all belong to the same moment.
        with store.write() as ws, step_progress() as progress:
            versioning = Versioning(ws, note=note)
            head = chain_head(ws)
            public: dict[int, PublicYear] = {}

            def public_of(y: int) -> PublicYear:
                if y not in public:
                    public[y] = public_year(ws, y)
                return public[y]

            result = publish_site(
                con,
                years,
                out_dir,
                lambda y: public_of(y).evidence,
                pdf=pdf,
                progress=progress,
                judgements_for=lambda y: public_of(y).judgements,
                progress_for=lambda y: public_of(y).progress,
                versioning=versioning,
                on_complete=lambda folder: recorded.append(
                    versioning.record(by=who, years=years, head=head, folder=folder)
                ),
            )
        publication = recorded[0]
        err.print(
            f"[green]wrote the site for {', '.join(map(str, result.years))} to {result.out_dir}[/]: "
            f"{len(result.pages)} pages, {len(result.downloads)} download files"
            + (f", {len(result.pdfs)} PDFs" if result.pdfs else "")
            + f". Open {result.out_dir / 'index.html'}"
        )
        err.print(
            f"publication {publication.publication_id} recorded: {len(publication.files)} files hashed, "
            f"{len(versioning.new)} new report version(s), audit chain head event {head.event_id}"
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
        evidence: Annotated[
            list[Path] | None, typer.Option("--evidence", help="Extra evidence YAML file(s).")
        ] = None,
        dictionary: Annotated[
            bool,
            typer.Option("--dictionary", help="Print the downloads' data dictionary (Markdown) and stop."),
        ] = False,
        db: DbOption = None,
        data: DataOption = None,
    ) -> None:
        """Write a year's indicators, judgements, findings and the inspectorate's published grades as CSV and/or Parquet, for open reuse."""
        import sys

        from openpeel.assessment.prepare import assess
        from openpeel.assessment.public import public_year
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
        framework = load_framework(year)
        con, store = _ready(db, data)
        with store.write() as ws:
            assess(con, ws, year, evidence or [])
        with store.read() as ws:
            public = public_year(ws, year)
        cycle = Cycle(con, framework.year, public.evidence, public.judgements, public.progress)
        written = export_year(cycle, out_dir, formats)  # type: ignore[arg-type]
        for path in written:
            err.print(f"wrote {path}")
