"""CLI commands for the workspace store: where it is, its migrations, and moving a workspace out
of a warehouse from before the store existed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from openpeel.core.cli_support import DbOption, err, friendly_errors, out, settings


def register(app: typer.Typer) -> None:
    """Add `openpeel store ...` to `app`."""
    group = typer.Typer(
        help="The workspace store (evidence, judgements, audit trail, users).", no_args_is_help=True
    )
    app.add_typer(group, name="store")

    @group.command("info")
    @friendly_errors
    def info() -> None:
        """Which store this command line uses, and its schema revision."""
        from openpeel.store import open_store
        from openpeel.store.migrate import current_revision, head_revision

        store = open_store(settings().store_url(), upgrade=False)
        out.print(f"store: {store.describe()} ({store.backend})")
        out.print(f"schema revision: {current_revision(store) or 'none'} (latest {head_revision(store)})")

    @group.command("upgrade")
    @friendly_errors
    def upgrade() -> None:
        """Apply pending schema migrations (every command also does this on first use)."""
        from openpeel.store import open_store
        from openpeel.store.migrate import current_revision

        store = open_store(settings().store_url())
        out.print(f"{store.describe()} is at revision {current_revision(store)}")

    @group.command("import-warehouse")
    @friendly_errors
    def import_warehouse(
        db: DbOption = None,
        keep: Annotated[
            bool, typer.Option("--keep", help="Leave the copied tables in the old warehouse.")
        ] = False,
    ) -> None:
        """Move the workspace (evidence, judgements, audit trail, users) out of a warehouse written
        by an earlier openpeel into the workspace store, then finish the warehouse's migrations."""
        from openpeel.store import open_store
        from openpeel.store.legacy import move_legacy_workspace

        chosen = settings(db=db)
        path: Path = chosen.warehouse_path()
        store = open_store(chosen.store_url())
        moved = move_legacy_workspace(path, store, keep=keep)
        for name, count in moved.items():
            err.print(f"moved {count:,} rows of {name}")
        err.print(f"[green]workspace of {path} is now in {store.describe()}[/]")
