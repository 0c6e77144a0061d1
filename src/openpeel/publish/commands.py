"""CLI commands for the static site, PDFs, charts and downloads, registered on the main Typer app by openpeel.cli."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this stage's commands to `app`."""
