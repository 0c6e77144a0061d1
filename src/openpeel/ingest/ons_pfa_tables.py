"""ONS "Police force area data tables" spreadsheets: table P7 (anti-social behaviour incidents)
and table P9 (mid-year population estimates).

Columns are found from the header rows: P7 by its "Apr 'YY to Mar 'YY" period labels and the
"Number of Incidents" / rate sub-headers; P9 by its "Area Code" / "Area Name" header and year
columns. Labels are matched to the forces registry after removing fused footnote digits.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from openpeel.core.errors import InputError, UnknownNameError
from openpeel.ingest.areas_in_tables import aggregate_key, classify
from openpeel.ingest.records import AsbRow, ControlTotal, PopulationRow
from openpeel.ingest.spreadsheet import Sheet, find_row, is_blank, number, open_table, strip_footnotes

_FINANCIAL_YEAR = re.compile(r"Apr\s*'(\d{2})\s*to\s*Mar\s*'(\d{2})", re.IGNORECASE)


def _label_column(sheet: Sheet, header_index: int, first_data_col: int) -> tuple[int, int | None]:
    """(label column, code column or None) from the header row, else the column left of the data."""
    header = [str(c).strip().lower() if isinstance(c, str) else "" for c in sheet.rows[header_index]]
    code_col = header.index("area code") if "area code" in header else None
    if "area name" in header:
        return header.index("area name"), code_col
    return first_data_col - 1, code_col


def _area_rows(
    sheet: Sheet, start: int, label_col: int, code_col: int | None
) -> list[tuple[int, str, str, str | None]]:
    """(row index, label, kind, area_id-or-aggregate-key) for each labelled row until the source note."""
    out: list[tuple[int, str, str, str | None]] = []
    first_in_block = True
    for index in range(start, len(sheet.rows)):
        row = sheet.rows[index]
        if is_blank(row):
            first_in_block = True
            continue
        raw = sheet.cell(index, label_col)
        if not isinstance(raw, str) or not raw.strip():
            continue
        label = strip_footnotes(raw)
        if label.lower().startswith("source"):
            break
        code_cell = sheet.cell(index, code_col) if code_col is not None else None
        code = code_cell if isinstance(code_cell, str) and code_cell.strip() else None
        try:
            kind, force = classify(label, code=code, first_in_block=first_in_block)
        except UnknownNameError as exc:
            raise InputError(
                f"{sheet.where(index, label_col)}: {exc}",
                path=sheet.path,
                field="area name",
                hint="add the spelling to the aliases in openpeel/forces/forces.csv if it is a force",
            ) from None
        first_in_block = False
        out.append((index, label, kind, force.force_id if force else aggregate_key(label)))
    return out


def parse_asb_incidents(path: Path) -> tuple[list[AsbRow], list[ControlTotal]]:
    """Table P7: ASB incidents and published rate per 1,000, per force and financial year."""
    sheet = open_table(path, "P7", "anti-social behaviour")
    sub_header = find_row(sheet, ("Number of Incidents",))
    period_row = sub_header - 1
    # Each financial year heads a pair of columns: incidents, then rate per 1,000.
    periods: list[tuple[int, dt.date, str]] = []
    for col, cell in enumerate(sheet.rows[period_row]):
        if isinstance(cell, str):
            match = _FINANCIAL_YEAR.search(cell)
            if match:
                end_year = 2000 + int(match.group(2))
                if int(match.group(2)) != (int(match.group(1)) + 1) % 100:
                    raise InputError(
                        f"{sheet.where(period_row, col)}: period {cell!r} is not one financial year",
                        path=path,
                    )
                periods.append((col, dt.date(end_year, 3, 31), cell))
    if not periods:
        raise InputError(
            f"{sheet.where(period_row)}: no financial-year headers like \"Apr '13 to Mar '14\" above the 'Number of Incidents' row",
            path=path,
        )
    for col, _, label in periods:
        count_header = str(sheet.cell(sub_header, col) or "").lower()
        rate_header = str(sheet.cell(sub_header, col + 1) or "").lower()
        if "incidents" not in count_header or "1,000" not in rate_header:
            raise InputError(
                f"{sheet.where(sub_header, col)}: expected 'Number of Incidents' then a rate per 1,000 under {label!r}",
                path=path,
            )
    label_col, code_col = _label_column(sheet, sub_header, periods[0][0])
    rows: list[AsbRow] = []
    controls: list[ControlTotal] = []
    for index, label, kind, key in _area_rows(sheet, sub_header + 1, label_col, code_col):
        for col, period_end, _ in periods:
            incidents = number(sheet, index, col, what=f"ASB incidents of {label}")
            if incidents is None:
                continue
            if incidents != int(incidents) or incidents < 0:
                raise InputError(
                    f"{sheet.where(index, col)}: incidents must be a whole number, found {incidents}",
                    path=path,
                )
            rate = number(sheet, index, col + 1, what=f"ASB rate of {label}")
            ref = f"{sheet.where(index, col)}"
            if kind == "force" and key is not None:
                rows.append(AsbRow(key, period_end, int(incidents), rate, ref))
            elif key in ("england-and-wales", "england", "wales"):
                controls.append(ControlTotal(key, period_end.isoformat(), incidents, ref))
    if not rows:
        raise InputError(f"sheet '{sheet.name.strip()}': no force rows found", path=path)
    return rows, controls


def parse_population(path: Path) -> tuple[list[PopulationRow], list[ControlTotal]]:
    """Table P9: mid-year population estimates per police force area."""
    sheet = open_table(path, "P9", "population")
    header = find_row(sheet, ("Area Name",))
    years: list[tuple[int, int]] = []
    for col, cell in enumerate(sheet.rows[header]):
        value = cell
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, int | float) and not isinstance(value, bool) and 1990 <= value <= 2100:
            years.append((col, int(value)))
    if not years:
        raise InputError(f"{sheet.where(header)}: no year columns (like 2013) in the header row", path=path)
    label_col, code_col = _label_column(sheet, header, years[0][0])
    rows: list[PopulationRow] = []
    controls: list[ControlTotal] = []
    for index, label, kind, key in _area_rows(sheet, header + 1, label_col, code_col):
        for col, year in years:
            value = number(sheet, index, col, what=f"population of {label} in {year}")
            if value is None:
                continue
            ref = sheet.where(index, col)
            if kind == "force" and key is not None:
                rows.append(PopulationRow(key, year, round(value), ref))
            elif key in ("england-and-wales", "england", "wales"):
                controls.append(ControlTotal(key, str(year), value, ref))
    if not rows:
        raise InputError(f"sheet '{sheet.name.strip()}': no force rows found", path=path)
    return rows, controls
