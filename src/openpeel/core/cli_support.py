"""What every openpeel command shares: its options, its error handling, its progress display and
the settings it runs with. Each stage's `commands.py` registers its commands with these, so a
command behaves the same whichever stage it belongs to: one line on stderr and exit status 2
for any openpeel error, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from openpeel.core.errors import OpenpeelError, storage_error

if TYPE_CHECKING:
    from openpeel.core.locations import Locations
    from openpeel.core.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def console(*, stderr: bool = False) -> Console:
    """A Rich console; writing to a pipe or file, as wide as its lines need (Rich would otherwise
    cut every table to 80 columns), unless $COLUMNS says otherwise."""
    import os
    import sys

    stream = sys.stderr if stderr else sys.stdout
    wide = not stream.isatty() and "COLUMNS" not in os.environ
    return Console(stderr=stderr, width=1000 if wide else None)


err = console(stderr=True)
out = console()

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Warehouse file (default: $OPENPEEL_DB, else warehouse.duckdb in the home folder).",
    ),
]
DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Folder of the original files (the layout of ../shared/data). Default: $OPENPEEL_DATA, else the bundled aggregate table.",
    ),
]
# Commands take the parsing option of openpeel.framework.cli_options, which also accepts cycles
# such as 2018/19; this one, for stages below the framework, takes the cycle's first year only.
YearOption = Annotated[
    int, typer.Option("--year", "-y", help="PEEL cycle's first year, e.g. 2014, or 2018 for 2018/19.")
]
ByOption = Annotated[str, typer.Option("--by", help="Who is making the change (kept in the audit trail).")]
ReasonOption = Annotated[
    str | None,
    typer.Option(
        "--reason", help="Why (required for overrides, reopening and changes to published judgements)."
    ),
]
ForceArg = Annotated[str, typer.Argument(help="Force id or name, e.g. northamptonshire.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]

# Set once per invocation by the top-level options (`openpeel --home DIR --store URL ...`).
_overrides: dict[str, Any] = {}


def set_global_options(**values: Any) -> None:
    _overrides.clear()
    _overrides.update({k: v for k, v in values.items() if v is not None})


def settings(**values: Any) -> Settings:
    """The settings this command runs with: its own options over the global ones over the
    environment and the config file."""
    # Imported here, not above: pydantic-settings is a tenth of a second that `--help` never needs.
    from pydantic import ValidationError

    from openpeel.core.settings import Settings

    chosen = {**_overrides, **{k: v for k, v in values.items() if v is not None}}
    try:
        return Settings(**chosen)
    except ValidationError as exc:
        raise OpenpeelError(setting_errors(exc)) from None
    except ValueError as exc:
        raise OpenpeelError(f"invalid setting: {exc}") from None


def setting_errors(exc: Any) -> str:
    """A pydantic ValidationError of the settings as one line per setting: which, what is wrong
    and the value given (never pydantic's multi-line report with its documentation links)."""
    parts = []
    for error in exc.errors():
        name = ".".join(str(p) for p in error["loc"]) or "settings"
        given = error.get("input")
        shown = f" (given: {given!r})" if given is not None and not isinstance(given, dict) else ""
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"invalid setting {name}: {message}{shown}")
    return "; ".join(parts)


def locations(**values: Any) -> Locations:
    """Where this command's data lives (home, warehouse, lake, store, audit key, original
    files), from `settings(**values)`: made here, at the edge, and passed down."""
    from openpeel.core.locations import Locations

    return Locations.from_settings(settings(**values))


def friendly_errors(func: F) -> F:
    """openpeel's errors as one clear line on stderr and exit status 2, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OpenpeelError as exc:
            # The message is text, not markup: "openpeel[pdf]" and file names keep their brackets.
            err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, markup=True, soft_wrap=True)
            raise typer.Exit(2) from None
        except OSError as exc:
            # A full disk or a refused write anywhere (the site, downloads, a key file): one line.
            problem = storage_error(exc)
            if problem is None:
                raise
            err.print(f"[bold red]error:[/] {escape(str(problem))}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def step_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A Rich progress display on stderr with one bar per named step; yields the callback
    (step, done, total) that openpeel's long-running functions accept as `progress`."""
    with Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        yield progress


def waiting_message() -> None:
    err.print("[dim]another openpeel command is writing the warehouse; waiting for it to finish…[/]")
