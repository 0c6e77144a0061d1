"""CSV cells that a spreadsheet will not run: the one rule every CSV openpeel writes goes through.

Spreadsheets treat a cell starting with `=`, `+`, `-` or `@` (and, in some, a tab or carriage
return) as a formula, so a finding written as `=HYPERLINK("https://evil.example","Click")` would
become a live link in whoever opens the download. Such a text cell is written with a leading
apostrophe, which spreadsheets show as text. Numbers are never changed: a numeric cell is not a
string, and a string that is a plain number (`-0.5`, `+3`, `-1e-3`) is left alone too, since a
spreadsheet reads it as that number, not as a formula.

Python's csv writer, with "\n" line endings, leaves a bare carriage return inside a field
unquoted, so a reader (and a spreadsheet) ends the row there and the text after it becomes a new,
unguarded first cell. `csv_line` quotes a field holding any line-ending character.

The rule is reversible: a cell that already starts with apostrophes followed by a trigger is
given one more, so `unguard_cell(guard_cell(x)) == x` for every string, and openpeel's own CSV
readers (evidence import) undo it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TextIO, TypeVar

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

T = TypeVar("T")


def needs_guard(text: str) -> bool:
    """True for a string a spreadsheet could take for a formula (after any apostrophes)."""
    body = text.lstrip(GUARD)
    if not body or body[0] not in FORMULA_TRIGGERS:
        return False
    # A plain number is data, not a formula; but "'-0.5" is guarded, so "'" + it reads back right.
    return not (len(body) == len(text) and _PLAIN_NUMBER.fullmatch(text))


def guard_cell(value: T) -> T | str:
    """The value to write in a CSV cell: text that could be a formula gets a leading apostrophe."""
    if isinstance(value, str) and needs_guard(value):
        return GUARD + value
    return value


def guard_row(values: Iterable[T]) -> list[T | str]:
    return [guard_cell(v) for v in values]


def unguard_cell(text: str) -> str:
    """Undo guard_cell on a cell read back from a CSV openpeel wrote."""
    if text.startswith(GUARD) and needs_guard(text[1:]):
        return text[1:]
    return text


def _field(value: Any) -> str:
    text = "" if value is None else str(guard_cell(value))
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(values: Iterable[Any]) -> str:
    """One CSV line (ending in "\n") of guarded cells; None is an empty cell."""
    return ",".join(_field(v) for v in values) + "\n"


def write_csv(handle: TextIO, rows: Iterable[Iterable[Any]]) -> None:
    """Write rows (the header first) as CSV: every text cell guarded, line breaks in cells quoted."""
    for row in rows:
        handle.write(csv_line(row))
