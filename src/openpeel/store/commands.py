"""CLI commands for the workspace store: where it is, its migrations, and moving a workspace out
of a warehouse from before the store existed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from openpeel.core.cli_support import DbOption, err, friendly_errors, locations, out


def register(app: typer.Typer) -> None:
    """Add `openpeel store ...` to `app`."""
    group = typer.Typer(
        help="The workspace store (evidence, judgements, audit trail, users).", no_args_is_help=True
    )
    app.add_typer(group, name="store")
    _audit_commands(app)

    @group.command("info")
    @friendly_errors
    def info() -> None:
        """Which store this command line uses, and its schema revision."""
        from openpeel.store import open_store
        from openpeel.store.migrate import current_revision, head_revision

        store = open_store(locations(), upgrade=False)
        out.print(f"store: {store.describe()} ({store.backend})")
        out.print(f"schema revision: {current_revision(store) or 'none'} (latest {head_revision(store)})")

    @group.command("upgrade")
    @friendly_errors
    def upgrade() -> None:
        """Apply pending schema migrations (every command also does this on first use)."""
        from openpeel.store import open_store
        from openpeel.store.migrate import current_revision

        store = open_store(locations())
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

        chosen = locations(db=db)
        path: Path = chosen.warehouse
        store = open_store(chosen)
        moved = move_legacy_workspace(path, store, keep=keep)
        for name, count in moved.items():
            err.print(f"moved {count:,} rows of {name}")
        err.print(f"[green]workspace of {path} is now in {store.describe()}[/]")
        if moved.get("as_audit_events"):
            # Their plain SHA-256 links can be recomputed by anyone until a keyed event follows
            # them; a keyed head file pins them meanwhile.
            err.print(
                "the moved audit events keep their plain SHA-256 hashes: record the chain head now "
                "(openpeel audit head --out FILE) and keep it outside the store",
                soft_wrap=True,
            )


def _audit_commands(app: typer.Typer) -> None:
    audit = typer.Typer(
        help="The audit trail: export its head, verify it against the tables.", no_args_is_help=True
    )
    app.add_typer(audit, name="audit")

    @audit.command("head")
    @friendly_errors
    def head(
        out_file: Annotated[Path, typer.Option("--out", help="JSON file to write the head to.")],
    ) -> None:
        """Write the audit chain's head (last event id, its hash, its time), signed with the audit
        key; keep it outside the store and give it to `openpeel audit verify --head`."""
        import json

        from openpeel.store import open_store
        from openpeel.store.verify import head_document

        with open_store(locations()).read() as ws:
            document = head_document(ws)
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        err.print(
            f"chain head: event {document['event_id']} ({document['hash'][:16]}...) written to {out_file}"
        )

    @audit.command("verify")
    @friendly_errors
    def verify(
        heads: Annotated[
            list[Path] | None,
            typer.Option("--head", help="A head file written by `openpeel audit head` (repeatable)."),
        ] = None,
    ) -> None:
        """Replay the audit trail and compare it with the tables; check the keyed chain and the
        recorded heads. Exits 1 naming the first event or row that does not match."""
        from openpeel.store import open_store
        from openpeel.store.verify import verify_store

        with open_store(locations()).read() as ws:
            result = verify_store(ws, heads or [])
        for note in result.notes:
            err.print(note, soft_wrap=True)
        if not result.ok:
            for problem in result.problems:
                err.print(f"[bold red]not verified:[/] {problem}", highlight=False, soft_wrap=True)
            raise typer.Exit(1)
        out.print(f"audit trail verified: {result.events} events, keyed chain intact, tables match the log")
