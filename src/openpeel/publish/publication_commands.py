"""`openpeel publications list|show|report`: what was published, when, by whom, and any version
of a report exactly as it was published."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from openpeel.core.cli_support import err, friendly_errors, locations, out


def register_publications(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Publications recorded by `openpeel publish`: versions, hashes, chain heads.",
        no_args_is_help=True,
    )
    app.add_typer(group, name="publications")

    @group.command("list")
    @friendly_errors
    def list_publications() -> None:
        """Every publication: id, time, who, years, new report versions and the chain head."""
        from openpeel.store import open_store
        from openpeel.store.publications import publications, report_versions

        with open_store(locations()).read() as ws:
            found = publications(ws)
            versions = report_versions(ws)
        if not found:
            err.print("nothing published yet: `openpeel publish` records a publication")
        for p in found:
            new = sum(1 for v in versions if v.publication_id == p.publication_id)
            out.print(
                f"{p.publication_id}\t{p.published_at.isoformat(sep=' ')} UTC\t{p.published_by}\t"
                f"PEEL {', '.join(map(str, p.years))}\t{len(p.files)} files\t{new} new report version(s)\t"
                f"head event {p.head_event_id} {p.head_hash[:16]}" + (f"\t{p.note}" if p.note else ""),
                highlight=False,
                soft_wrap=True,
                markup=False,
            )

    @group.command("show")
    @friendly_errors
    def show(
        publication_id: Annotated[int, typer.Argument(help="Publication id (openpeel publications list).")],
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """One publication: every file written with its SHA-256, and the report versions it made."""
        from openpeel.store import open_store
        from openpeel.store.publications import publication, report_versions

        with open_store(locations()).read() as ws:
            found = publication(ws, publication_id)
            versions = [v for v in report_versions(ws) if v.publication_id == publication_id]
        document = {**found.signed_fields(), "new_versions": [v.as_json() for v in versions]}
        if as_json:
            sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")
            return
        out.print(
            f"publication {found.publication_id}: {found.published_at.isoformat(sep=' ')} UTC by "
            f"{found.published_by}; audit chain head event {found.head_event_id} ({found.head_hash})",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
        for v in versions:
            note = f": {v.change_note}" if v.change_note else ""
            out.print(
                f"new version {v.version} of {v.force_id} {v.year}{note}", highlight=False, markup=False
            )
        for path, digest in found.files.items():
            out.print(f"{digest}  {path}", highlight=False, soft_wrap=True, markup=False)

    @group.command("report")
    @friendly_errors
    def report(
        force: Annotated[str, typer.Argument(help="Force id or name.")],
        year: Annotated[int, typer.Option("--year", help="PEEL year.")] = 2014,
        version: Annotated[
            int | None, typer.Option("--version", help="Version (default: the latest).")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="html, md or txt.")] = "html",
    ) -> None:
        """Print a published version of a force's report, exactly as it was published."""
        from openpeel.core.errors import OpenpeelError
        from openpeel.forces import lookup
        from openpeel.store import open_store
        from openpeel.store.publications import read_blob, report_versions

        force_id = lookup(force).force_id
        with open_store(locations()).read() as ws:
            versions = report_versions(ws, force_id, year)
            chosen = [v for v in versions if version is None or v.version == version]
            if not chosen:
                raise OpenpeelError(
                    f"no published version {version or ''} of {force_id}'s PEEL {year} report "
                    f"(versions: {', '.join(str(v.version) for v in versions) or 'none'})"
                )
            digest = chosen[-1].files.get(fmt)
            if digest is None:
                raise OpenpeelError(f"no {fmt!r} content; formats: {', '.join(chosen[-1].files)}")
            sys.stdout.write(read_blob(ws, digest).decode("utf-8"))
