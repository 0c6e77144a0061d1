"""CLI commands for indicator catalogue, imported measures and the national scan, registered on the main Typer app by openpeel.cli."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this stage's commands to `app`."""
