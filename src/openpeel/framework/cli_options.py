"""The --year option every command shares, parsing any spelling of a PEEL cycle.

It lives here, not in openpeel.core.cli_support, because parsing a cycle needs the framework
files ("2018/19" is the cycle stored as 2018), and core may not import the framework.
"""

from __future__ import annotations

from typing import Annotated

import typer

from openpeel.core.errors import UnknownNameError

YEAR_HELP = (
    "PEEL cycle: a year (2014 ... 2025) or the cycle as the inspectorate writes it "
    "(2018/19, 2021/22, 2023-25, 2025-27)."
)


def parse_year_option(value: str | int) -> int:
    """The cycle's year for a --year value; an unknown cycle is a usage error listing the cycles."""
    from openpeel.framework.loader import parse_year  # at parse time: see openpeel.framework

    try:
        return parse_year(value)
    except UnknownNameError as exc:
        raise typer.BadParameter(str(exc)) from None


YearOption = Annotated[
    int, typer.Option("--year", "-y", help=YEAR_HELP, parser=parse_year_option, metavar="CYCLE")
]
OptionalYearOption = Annotated[
    int | None,
    typer.Option("--year", "-y", help="Only this " + YEAR_HELP, parser=parse_year_option, metavar="CYCLE"),
]
YearsOption = Annotated[
    list[int] | None,
    typer.Option(
        "--year", "-y", help=YEAR_HELP + " Repeat for several.", parser=parse_year_option, metavar="CYCLE"
    ),
]
