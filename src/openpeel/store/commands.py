"""CLI commands for the workspace store: where it is, its migrations, and moving a workspace out
of a warehouse from before the store existed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from openpeel.core.cli_support import ByOption, DbOption, err, friendly_errors, locations, out


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
                "(openpeel audit head: it goes to the head log, outside the store), which pins them",
                soft_wrap=True,
            )


def _audit_commands(app: typer.Typer) -> None:
    audit = typer.Typer(
        help="The audit trail: record its head, verify it, rotate its key.", no_args_is_help=True
    )
    app.add_typer(audit, name="audit")

    @audit.command("head")
    @friendly_errors
    def head(
        out_file: Annotated[
            Path | None, typer.Option("--out", help="Also write the head to this JSON file.")
        ] = None,
    ) -> None:
        """Record the audit chain's head (last event id, its hash, its time), signed with the audit
        key, in the head log outside the database (every publication does too); `--out` also
        writes it to a file, to keep elsewhere and give to `openpeel audit verify --head`."""
        import json

        from openpeel.store import open_store
        from openpeel.store.audit import chain_head
        from openpeel.store.head_log import append_head
        from openpeel.store.verify import head_document

        chosen = locations()
        with open_store(chosen).read() as ws:
            document = head_document(ws)
            append_head(ws, chain_head(ws), "audit head")
        where = [str(chosen.head_log)]
        if out_file is not None:
            out_file.parent.mkdir(parents=True, exist_ok=True)
            out_file.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
            where.append(str(out_file))
        err.print(
            f"chain head: event {document['event_id']} ({document['hash'][:16]}...) written to "
            + " and ".join(where),
            soft_wrap=True,
        )

    @audit.command("verify")
    @friendly_errors
    def verify(
        heads: Annotated[
            list[Path] | None,
            typer.Option("--head", help="A head file written by `openpeel audit head --out` (repeatable)."),
        ] = None,
        head_logs: Annotated[
            list[Path] | None,
            typer.Option(
                "--head-log",
                help="A copy of the head log to check too, e.g. audit-heads.log of a published site (repeatable).",
            ),
        ] = None,
    ) -> None:
        """Replay the audit trail and compare it with the tables and users; check the keyed chain,
        the head log (kept outside the database) and any heads given. Exits 1 naming each event,
        row or head that does not match."""
        from openpeel.store import open_store
        from openpeel.store.verify import verify_store

        with open_store(locations()).read() as ws:
            result = verify_store(ws, heads or [], head_logs or [])
        for note in result.notes:
            err.print(note, soft_wrap=True, highlight=False)
        if not result.ok:
            for problem in result.problems:
                err.print(f"[bold red]not verified:[/] {problem}", highlight=False, soft_wrap=True)
            raise typer.Exit(1)
        out.print(f"audit trail verified: {result.events} events, keyed chain intact, tables match the log")

    @audit.command("rotate-key")
    @friendly_errors
    def rotate_key(
        by: ByOption,
        reason: Annotated[str, typer.Option("--reason", help="Why the key is rotated (kept in the trail).")],
        lost_key: Annotated[
            bool,
            typer.Option(
                "--lost-key",
                help="The old key is lost for good: continue the chain without it (verify says so for ever).",
            ),
        ] = False,
    ) -> None:
        """Continue the audit chain under a new key: an audited event, signed with the new key,
        that pins every event before it; the head log records it. A key file is replaced (the old
        one kept as retired); a configured key is read from OPENPEEL_NEW_AUDIT_KEY."""
        from openpeel.store import open_store
        from openpeel.store.rotation import rotate_key as rotate

        done = rotate(open_store(locations()), by=by, reason=reason, lost_key=lost_key)
        err.print(
            f"audit key rotated at event {done.event_id}: {done.prior_events} earlier event(s) pinned, "
            f"key {done.old_key_id or '(lost)'} -> {done.new_key_id}",
            soft_wrap=True,
        )
        if done.key_file:
            err.print(
                f"the new key is in {done.key_file}: back it up apart from the database", soft_wrap=True
            )
        else:
            err.print(
                "now set OPENPEEL_AUDIT_KEY (or audit_key) to the new key everywhere this store is written",
                soft_wrap=True,
            )
