"""CLI commands for data.police.uk files, registered on the main Typer app by openpeel.cli."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the data.police.uk commands (download, ingest, coverage, demo-archive) to `app`."""
