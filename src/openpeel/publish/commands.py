"""CLI commands for the static site, PDFs, charts and downloads, registered on the main Typer app by openpeel.cli."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

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


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def register(app: typer.Typer) -> None:
    """Add this stage's commands to `app`."""
    from openpeel.cli import friendly_errors

    @app.command()
    @friendly_errors
    def publish(
        year: Annotated[
            list[int] | None,
            typer.Option("--year", "-y", help="PEEL year(s) to publish; repeat for several (default: 2014)."),
        ] = None,
        out_dir: Annotated[
            Path, typer.Option("--out", help="Folder for the site (created or replaced).")
        ] = Path("site"),
        pdf: Annotated[
            bool, typer.Option("--pdf", help="Also print every report to PDF (needs Chromium).")
        ] = False,
        evidence: Annotated[
            list[Path] | None, typer.Option("--evidence", help="Extra evidence YAML file(s).")
        ] = None,
        db: DbOption = None,
        data: DataOption = None,
    ) -> None:
        """Write the static site: 43 reports per year, national overview, scan, methodology, data dictionary and downloads."""
        from openpeel.cli import _ready, step_progress
        from openpeel.pipeline import assess, evidence_for_year
        from openpeel.publish.site import publish_site

        err = _console()
        years = year or [2014]
        con = _ready(db, data)
        for y in years:
            assess(con, y, evidence or [])
        with step_progress() as progress:
            result = publish_site(
                con, years, out_dir, lambda y: evidence_for_year(con, y), pdf=pdf, progress=progress
            )
        err.print(
            f"[green]wrote the site for {', '.join(map(str, result.years))} to {result.out_dir}[/]: "
            f"{len(result.pages)} pages, {len(result.downloads)} download files"
            + (f", {len(result.pdfs)} PDFs" if result.pdfs else "")
            + f". Open {result.out_dir / 'index.html'}"
        )

    @app.command()
    @friendly_errors
    def pdf(
        force: Annotated[str, typer.Argument(help="Force id or name, e.g. northamptonshire.")],
        year: Annotated[int, typer.Option("--year", "-y", help="PEEL year (2014, 2015).")] = 2014,
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
        from openpeel.cli import _ready
        from openpeel.forces import lookup
        from openpeel.pipeline import evidence_for_year, load_evidence
        from openpeel.publish import build_report, render
        from openpeel.publish.pdf import pdf_printer

        area = lookup(force)
        con = _ready(db, data)
        # --evidence previews files without storing them; otherwise the report shows the store.
        found = load_evidence(year, evidence) if evidence else evidence_for_year(con, year)
        report = build_report(con, area.force_id, year, found.get(area.force_id))
        out = out_file or Path(f"{area.force_id}-{year}.pdf")
        with pdf_printer() as printer:
            printer.print(render(report, "html", print_mode=True), out)
        _console().print(f"[green]wrote {out}[/]")

    @app.command()
    @friendly_errors
    def export(
        year: Annotated[int, typer.Option("--year", "-y", help="PEEL year (2014, 2015).")] = 2014,
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
        """Write a year's indicators, judgements and findings as CSV and/or Parquet, for open reuse."""
        import sys

        from openpeel.cli import _ready
        from openpeel.framework import load_framework
        from openpeel.pipeline import assess, evidence_for_year
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
        con = _ready(db, data)
        assess(con, year, evidence or [])
        written = export_year(con, framework, evidence_for_year(con, year), out_dir, formats)  # type: ignore[arg-type]
        err = _console()
        for path in written:
            err.print(f"wrote {path}")
