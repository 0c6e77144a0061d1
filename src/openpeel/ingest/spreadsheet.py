"""Reading tables out of human-formatted spreadsheets (ONS and Home Office editions).

These sheets carry titles, notes, blank spacer rows and footnote digits fused to labels, and their
layout moves between editions. Nothing here relies on fixed cells: tables are found by their
title, header rows by the words they contain.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook

from openpeel.core.errors import InputError

Cell = str | float | int | bool | dt.date | dt.time | dt.datetime | dt.timedelta | None

NOT_AVAILABLE = ".."
SUPPRESSED = "+"


@dataclass(frozen=True)
class Sheet:
    path: Path
    name: str
    rows: list[list[Cell]]

    def where(self, row_index: int, col_index: int | None = None) -> str:
        """Human address of a cell, e.g. "sheet 'Table P7', row 33, column B" (1-based, as Excel shows)."""
        text = f"sheet '{self.name.strip()}', row {row_index + 1}"
        if col_index is not None:
            text += f", column {column_letter(col_index)}"
        return text

    def cell(self, row_index: int, col_index: int) -> Cell:
        row = self.rows[row_index]
        return row[col_index] if col_index < len(row) else None


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def open_table(path: Path, table_code: str, title_words: str) -> Sheet:
    """The sheet holding ONS table `table_code` (e.g. "P7"), checked by words in its title."""
    if not path.exists():
        raise InputError(
            "file not found",
            path=path,
            hint="pass --data pointing at the folder that holds ons/ and home-office/",
        )
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several error types for unreadable files
        raise InputError(f"not a readable spreadsheet: {exc}", path=path) from exc
    pattern = re.compile(rf"^\s*table\s+{re.escape(table_code)}\s*$", re.IGNORECASE)
    names = [n for n in workbook.sheet_names if pattern.match(n)]
    if not names:
        raise InputError(
            f"no sheet for table {table_code} ({title_words})",
            path=path,
            hint=f"sheets present: {', '.join(s.strip() for s in workbook.sheet_names)}",
        )
    rows: list[list[Cell]] = [list(r) for r in workbook.get_sheet_by_name(names[0]).to_python()]
    sheet = Sheet(path=path, name=names[0], rows=rows)
    title = " ".join(str(c) for row in rows[:3] for c in row if isinstance(c, str)).lower()
    if title_words.lower() not in title:
        raise InputError(
            f"sheet '{names[0].strip()}' does not look like the {title_words} table (title: {title[:120]!r})",
            path=path,
        )
    return sheet


def find_row(sheet: Sheet, predicate_words: tuple[str, ...], *, start: int = 0) -> int:
    """Index of the first row containing a cell equal (case-insensitively) to any of the words."""
    wanted = {w.lower() for w in predicate_words}
    for index in range(start, len(sheet.rows)):
        for cell in sheet.rows[index]:
            if isinstance(cell, str) and cell.strip().lower() in wanted:
                return index
    raise InputError(
        f"no header row with any of {', '.join(repr(w) for w in predicate_words)} in sheet '{sheet.name.strip()}'",
        path=sheet.path,
    )


def strip_footnotes(label: str) -> str:
    """'City of London10' -> 'City of London'; 'British Transport Police9' -> 'British Transport Police'."""
    return re.sub(r"(?<=[A-Za-z)\s])[\d,]+\s*$", "", label).strip()


def is_blank(row: list[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in row)


def number(sheet: Sheet, row_index: int, col_index: int, *, what: str) -> float | None:
    """A numeric cell; None for '..' (not available) and '+' (suppressed); anything else is an error."""
    value = sheet.cell(row_index, col_index)
    if isinstance(value, bool):
        value = None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.strip() in (NOT_AVAILABLE, SUPPRESSED):
        return None
    raise InputError(
        f"{sheet.where(row_index, col_index)}: expected a number for {what}, found {value!r}",
        path=sheet.path,
    )
