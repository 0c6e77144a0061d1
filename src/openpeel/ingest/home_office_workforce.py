"""Home Office "Police workforce, England and Wales" tables: police officers (FTE) by police force area.

Each edition (.ods) holds, in the table titled "Police officers by police force area", the
full-time-equivalent officers of every force at three dates (30 September a year earlier, 31 March
and 30 September). From September 2019 the edition also has a headcount version; the FTE table is
the one read. Nothing is read from fixed cells: the table is found by its title, the date columns
by the row of date cells under "As at:", force rows by their labels through the forces registry.

Later editions revise earlier dates (the Metropolitan Police's September 2015 figure, for
example), so for each force and date the latest edition holding it wins. The 43 forces must add
up to the edition's "Total 43 forces" row at every date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook

from openpeel.core.errors import InputError, UnknownNameError
from openpeel.forces import lookup, territorial_forces
from openpeel.forces.registry import normalise_name
from openpeel.ingest.spreadsheet import Cell, Sheet, is_blank, number

FOLDER = "home-office/police-workforce"
TITLE = "police officers by police force area"

# Rows that are not forces: regional subtotals, secondments and totals.
_NOT_FORCES = {
    normalise_name(label)
    for label in (
        "North East",
        "North West",
        "Yorkshire and the Humber",
        "East Midlands",
        "Eastern",
        "East",
        "London",
        "South East",
        "South West",
        "Wales",
        "England",
        "England and Wales",
        "Central Service Secondments",
    )
}
_TOTAL_43 = normalise_name("Total 43 forces")
# "West Midlands" is both a region and a force: the region row comes first, above its forces.
_REGION_AND_FORCE = {normalise_name("West Midlands")}


@dataclass(frozen=True)
class WorkforceRow:
    area_id: str
    as_at: dt.date
    officers_fte: float
    source_id: str
    source_ref: str


@dataclass(frozen=True)
class WorkforceEdition:
    path: Path
    source_id: str
    edition: dt.date
    rows: list[WorkforceRow]


def source_id_for(path: Path) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-").removeprefix("police-workforce-")
    return "home-office-workforce-" + stem


def workforce_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / FOLDER).glob("*.ods"))


def _officers_sheet(path: Path) -> Sheet:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several error types for unreadable files
        raise InputError(f"not a readable spreadsheet: {exc}", path=path) from exc
    candidates = []
    for name in workbook.sheet_names:
        rows: list[list[Cell]] = [list(r) for r in workbook.get_sheet_by_name(name).to_python()]
        # The table's own title ("Table 1: Police officers by ..."), not the index listing it.
        texts = [c.strip().lower() for row in rows[:3] for c in row if isinstance(c, str) and c.strip()]
        title = texts[0] if texts else ""
        if title.startswith("table") and TITLE in title and "headcount" not in title:
            candidates.append(Sheet(path=path, name=name, rows=rows))
    if not candidates:
        raise InputError(
            f"no sheet titled '{TITLE}' (full-time equivalents)",
            path=path,
            hint=f"sheets present: {', '.join(workbook.sheet_names)}",
        )
    return candidates[0]


def _date_header(sheet: Sheet) -> tuple[int, dict[int, dt.date]]:
    """The first row holding two or more date cells: row index and {column: date}."""
    for index, row in enumerate(sheet.rows[:20]):
        dates = {
            c: v.date() if isinstance(v, dt.datetime) else v
            for c, v in enumerate(row)
            if isinstance(v, dt.date)
        }
        if len(dates) >= 2:
            return index, dates
    raise InputError(f"sheet '{sheet.name}': no row of 'As at' dates in the first 20 rows", path=sheet.path)


def parse_edition(path: Path) -> WorkforceEdition:
    """Officers (FTE) per force and date from one edition, checked against its 43-force total."""
    sheet = _officers_sheet(path)
    header, dates = _date_header(sheet)
    label_col = min(dates) - 1
    source_id = source_id_for(path)
    rows: list[WorkforceRow] = []
    totals: dict[dt.date, float] = {}
    regions_seen: set[str] = set()
    for index in range(header + 1, len(sheet.rows)):
        row = sheet.rows[index]
        if is_blank(row):
            continue
        raw = sheet.cell(index, label_col)
        if not isinstance(raw, str) or not raw.strip():
            continue
        label = re.sub(r"\d+$", "", raw.strip()).strip()
        key = normalise_name(label)
        if key == "total" or key.startswith(("source", "notes")):
            break  # the grand total (with secondments and BTP) closes the table; notes follow
        if key in _NOT_FORCES:
            continue
        if key in _REGION_AND_FORCE and key not in regions_seen:
            regions_seen.add(key)
            continue
        if key == _TOTAL_43:
            for col, date in dates.items():
                value = number(sheet, index, col, what=f"total 43 forces at {date}")
                if value is not None:
                    totals[date] = value
            continue
        try:
            force = lookup(label)
        except UnknownNameError as exc:
            raise InputError(
                f"{sheet.where(index, label_col)}: {exc}",
                path=path,
                field="police force area",
                hint="add the spelling to the aliases in openpeel/forces/forces.csv if it is a force",
            ) from None
        if force.kind not in ("territorial", "special"):
            continue
        for col, date in dates.items():
            value = number(sheet, index, col, what=f"{force.name} officers at {date}")
            if value is None:
                continue
            if value < 0:
                raise InputError(f"{sheet.where(index, col)}: negative officer count {value}", path=path)
            rows.append(WorkforceRow(force.force_id, date, value, source_id, sheet.where(index, col)))
    _check_total(path, rows, totals)
    return WorkforceEdition(path, source_id, max(dates.values()), rows)


def _check_total(path: Path, rows: list[WorkforceRow], totals: dict[dt.date, float]) -> None:
    territorial = {f.force_id for f in territorial_forces()}
    if not totals:
        raise InputError("no 'Total 43 forces' row to check the forces against", path=path)
    for date, total in totals.items():
        forces = [r for r in rows if r.as_at == date and r.area_id in territorial]
        if len(forces) != len(territorial):
            raise InputError(f"{len(forces)} of the 43 forces have a figure at {date}", path=path)
        summed = sum(r.officers_fte for r in forces)
        if abs(summed - total) > 0.5:
            raise InputError(
                f"the 43 forces sum to {summed:,.2f} officers at {date} but 'Total 43 forces' is {total:,.2f}",
                path=path,
            )


def latest_figures(editions: list[WorkforceEdition]) -> list[WorkforceRow]:
    """For each force and date, the figure from the latest edition holding it."""
    best: dict[tuple[str, dt.date], WorkforceRow] = {}
    for edition in sorted(editions, key=lambda e: e.edition):
        for row in edition.rows:
            best[(row.area_id, row.as_at)] = row
    return sorted(best.values(), key=lambda r: (r.area_id, r.as_at))


def parse_workforce(data_dir: Path) -> tuple[list[WorkforceRow], list[WorkforceEdition]]:
    files = workforce_files(data_dir)
    if not files:
        raise InputError(
            "no Home Office police workforce tables (.ods)",
            path=data_dir / FOLDER,
            hint="expected the editions of table 1",
        )
    editions = [parse_edition(path) for path in files]
    return latest_figures(editions), editions
