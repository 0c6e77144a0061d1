"""Quoting constants and names into SQL text, for the few statements that cannot take parameters
(DuckDB settings, generated column lists, `read_csv` options)."""

from __future__ import annotations

from collections.abc import Sequence


def sql_str(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def quote_ident(name: str) -> str:
    """A SQL identifier, quoted so any header text is a valid column name."""
    return '"' + name.replace('"', '""') + '"'


def sql_list(values: Sequence[str]) -> str:
    """A DuckDB list literal of string constants."""
    return "[" + ", ".join(sql_str(v) for v in values) + "]"


def sql_in(values: Sequence[str]) -> str:
    """The parenthesised list of an `IN (...)` test."""
    return "(" + ", ".join(sql_str(v) for v in values) + ")"
