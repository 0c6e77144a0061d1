from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from openpeel.core.errors import InputError
from openpeel.ingest.ons_pfa_tables import parse_asb_incidents, parse_population

MARCH_2019 = "policeforceareatablesyeendingmarch2019.xlsx"
MARCH_2018 = "policeforceareatablesyearendingmarch2018v2.xlsx"


def independent_cell(path: Path, sheet_prefix: str, label: str, header_text: str, offset: int = 0) -> object:
    """Read one value with openpyxl: the row whose label matches, the column under header_text."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = next(workbook[n] for n in workbook.sheetnames if n.strip() == sheet_prefix)
    rows = list(sheet.iter_rows(values_only=True))
    header_col = next(
        c for row in rows for c, v in enumerate(row) if isinstance(v, str) and v.startswith(header_text)
    )
    for row in rows:
        if any(isinstance(v, str) and v.strip() == label for v in row[:2]):
            return row[header_col + offset]
    raise AssertionError(f"{label} not found")


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.parametrize("edition", [MARCH_2019, MARCH_2018])
def test_asb_matches_an_independent_read(shared_data: Path, edition: str) -> None:
    path = shared_data / "ons" / "pfa-tables" / edition
    rows, controls = parse_asb_incidents(path)
    got = {(r.area_id, r.period_end): r for r in rows}
    for label, force_id in [
        ("Northamptonshire", "northamptonshire"),
        ("Gwent", "gwent"),
        ("Metropolitan Police", "metropolitan"),
    ]:
        expected = independent_cell(path, "Table P7", label, "Apr '13 to Mar '14")
        assert got[(force_id, dt.date(2014, 3, 31))].incidents == expected
    # The West Midlands force row is not confused with the West Midlands region row.
    region_total = independent_cell(path, "Table P7", "West Midlands", "Apr '13 to Mar '14")
    assert got[("west-midlands", dt.date(2014, 3, 31))].incidents < region_total  # type: ignore[operator]
    assert len({r.area_id for r in rows if r.area_id != "btp"}) == 43
    # City of London's rate is suppressed ('+') in early years, not a number.
    assert got[("city-of-london", dt.date(2014, 3, 31))].published_rate_per_1000 is None
    ew = [c for c in controls if c.key == "england-and-wales" and c.period == "2014-03-31"]
    assert ew and ew[0].value == sum(
        r.incidents for r in rows if r.period_end == dt.date(2014, 3, 31) and r.area_id != "btp"
    )


@pytest.mark.shared_data
def test_population_matches_an_independent_read(shared_data: Path) -> None:
    path = shared_data / "ons" / "pfa-tables" / MARCH_2018
    rows, _ = parse_population(path)
    got = {(r.area_id, r.mid_year): r.population for r in rows}
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = workbook[next(n for n in workbook.sheetnames if n.strip() == "Table P9")]
    for row in sheet.iter_rows(values_only=True):
        if row[0] == "E23000022":
            values = [v for v in row[2:] if isinstance(v, int | float)]
            assert [got[("northamptonshire", y)] for y in range(2002, 2017)] == [int(v) for v in values]
    assert len({r.area_id for r in rows}) == 43


def test_missing_table_names_the_file_and_the_sheets(tmp_path: Path) -> None:
    path = tmp_path / "tables.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Table P1"  # type: ignore[union-attr]
    workbook.save(path)
    with pytest.raises(InputError) as info:
        parse_asb_incidents(path)
    assert str(path) in str(info.value) and "no sheet for table P7" in str(info.value)
    assert "Table P1" in str(info.value)


def test_table_without_headers_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "tables.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Table P7"
    sheet.append(["Table P7: Anti-social behaviour incidents by police force area"])
    sheet.append(["Kent", 5, 1.0])
    workbook.save(path)
    with pytest.raises(InputError, match="no header row with any of 'Number of Incidents'"):
        parse_asb_incidents(path)


def test_unknown_area_in_a_table(tmp_path: Path) -> None:
    path = tmp_path / "tables.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Table P7 "
    sheet.append(["Table P7: Anti-social behaviour incidents by police force area"])
    sheet.append(["", "Apr '13 to Mar '14", ""])
    sheet.append(["", "Number of Incidents", "Number per 1,000 population"])
    sheet.append(["Kentt", 5, 1.0])
    workbook.save(path)
    with pytest.raises(InputError) as info:
        parse_asb_incidents(path)
    assert "row 4" in str(info.value) and "did you mean 'kent'" in str(info.value)


def test_not_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "tables.xlsx"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match="not a readable spreadsheet"):
        parse_population(path)
