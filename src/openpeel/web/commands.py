"""CLI commands for the web app and JSON API (serve, users), registered on the main Typer app."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from openpeel.core.cli_support import ByOption, DbOption, friendly_errors, locations, settings
from openpeel.core.errors import OpenpeelError

OptionalBy = Annotated[
    str | None,
    typer.Option("--by", help="Who is making the change, for the audit trail (default: your login name)."),
]


def register(app: typer.Typer) -> None:
    """Add `serve` and `users` to `app`."""

    @app.command()
    @friendly_errors
    def serve(
        host: Annotated[
            str | None, typer.Option("--host", help="Address to listen on (default 127.0.0.1).")
        ] = None,
        port: Annotated[int | None, typer.Option("--port", help="Port (default 8000).")] = None,
        workers: Annotated[
            int,
            typer.Option(
                "--workers",
                min=1,
                max=64,
                help="Server processes (default 1); one per core serves more readers at once.",
            ),
        ] = 1,
        db: DbOption = None,
        quiet: Annotated[
            bool, typer.Option("--quiet", "-q", help="No access log (one line per request on stderr).")
        ] = False,
    ) -> None:
        """Serve the reports, the JSON API (/api/v1, OpenAPI at /docs) and the inspector workspace.

        Prints the address it listens on, a line when it is ready, and one line per request on
        stderr (--quiet: none)."""
        import os

        import uvicorn

        from openpeel.web.app import open_data
        from openpeel.web.serving import announce, serve_one

        chosen = settings(db=db, host=host, port=port)
        chosen.check_safe()
        # Request threads waiting on the database give the interpreter back; with many readers on
        # the event loop, a short switch interval lets them resume (and finish a write holding the
        # store's write lock) within a millisecond, not the default five.
        sys.setswitchinterval(0.0005)
        # proxy_headers off: uvicorn would believe X-Forwarded-For from any local peer; openpeel reads
        # it only from the configured trusted_proxies (web/hosts.py).
        options = {"host": chosen.host, "port": chosen.port, "log_level": "warning", "proxy_headers": False}
        if workers == 1:
            serve_one(chosen, options, access_log=not quiet)
            return
        if chosen.port == 0:
            raise OpenpeelError(
                "--port 0 (any free port) needs --workers 1: worker processes share a fixed port"
            )
        # Worker processes build the app from the environment: hand them these settings there.
        # The warehouse is prepared once here, so workers never race to build it.
        open_data(chosen)[0].close()
        os.environ.update(
            OPENPEEL_HOME=str(chosen.home),
            OPENPEEL_DB=str(chosen.warehouse_path()),
            OPENPEEL_LAKE=str(chosen.lake_path()),
            OPENPEEL_STORE=chosen.store_url(),
            OPENPEEL_HOST=chosen.host,
            OPENPEEL_PORT=str(chosen.port),
            OPENPEEL_ACCESS_LOG="false" if quiet else "true",
        )
        announce(chosen.public_base_url, workers=workers)
        uvicorn.run("openpeel.web.app:app_from_environment", factory=True, workers=workers, **options)  # type: ignore[arg-type]

    users = typer.Typer(help="Inspector workspace accounts.", no_args_is_help=True)
    app.add_typer(users, name="users")

    @users.command("add")
    @friendly_errors
    def users_add(
        username: Annotated[str, typer.Argument(help="Sign-in name (lower case).")],
        role: Annotated[
            str, typer.Option("--role", help="viewer, inspector, lead-inspector, moderator or admin.")
        ],
        name: Annotated[str | None, typer.Option("--name", help="Display name for the audit trail.")] = None,
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="Read the password from standard input.")
        ] = False,
        by: OptionalBy = None,
    ) -> None:
        """Add a workspace user (the password is asked for, or read with --password-stdin); audited."""
        from openpeel.store import open_store
        from openpeel.web.users import add_user

        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        with open_store(locations()).write() as ws:
            user = add_user(ws, username, password, role, name, by=by)
        typer.echo(f"added {user.username} ({user.role})")

    @users.command("role")
    @friendly_errors
    def users_role(
        username: Annotated[str, typer.Argument(help="Sign-in name.")],
        role: Annotated[str, typer.Argument(help="viewer, inspector, lead-inspector, moderator or admin.")],
        by: ByOption,
        reason: Annotated[str | None, typer.Option("--reason", help="Why (kept in the audit trail).")] = None,
    ) -> None:
        """Give a user another role (audited: `openpeel audit verify` checks roles against the trail)."""
        from openpeel.store import open_store
        from openpeel.web.users import set_role

        with open_store(locations()).write() as ws:
            changed = set_role(ws, username, role, by=by, reason=reason)
        typer.echo(f"{username} is now {role}" if changed else f"{username} was already {role}")

    @users.command("adopt")
    @friendly_errors
    def users_adopt(by: ByOption) -> None:
        """Record in the audit trail every user it does not hold yet, as they stand (users added
        before users were audited; done on its own at upgrade where the audit key was at hand)."""
        from openpeel.store import open_store
        from openpeel.store.user_audit import adopt_users

        with open_store(locations()).write() as ws:
            names = adopt_users(ws, by=by)
        typer.echo(
            f"recorded {len(names)} user(s): {', '.join(names)}"
            if names
            else "every user is in the audit trail"
        )

    @users.command("list")
    @friendly_errors
    def users_list() -> None:
        """List workspace users and their roles."""
        from openpeel.store import open_store
        from openpeel.web.users import list_users

        with open_store(locations()).read() as ws:
            found = list_users(ws)
        for user in found:
            typer.echo(f"{user.username}\t{user.role}\t{user.display_name}")

    @users.command("disable")
    @friendly_errors
    def users_disable(
        username: Annotated[str, typer.Argument(help="Sign-in name.")],
        by: ByOption,
    ) -> None:
        """Stop a user signing in (the account is kept for the audit trail); ends their sessions."""
        from openpeel.store import open_store
        from openpeel.web.users import disable_user

        with open_store(locations()).write() as ws:
            ended = disable_user(ws, username, by=by)
        typer.echo(f"disabled {username} (by {by}); {ended} session(s) ended")

    @users.command("remove")
    @friendly_errors
    def users_remove(
        username: Annotated[str, typer.Argument(help="Sign-in name.")], by: OptionalBy = None
    ) -> None:
        """Delete a user who never made a change (anyone else: disable them instead); audited."""
        from openpeel.store import open_store
        from openpeel.web.users import remove_user

        with open_store(locations()).write() as ws:
            remove_user(ws, username, by=by)
        typer.echo(f"removed {username}")
