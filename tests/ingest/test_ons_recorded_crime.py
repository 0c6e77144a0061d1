from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from openpeel.core.errors import InputError
from openpeel.ingest.ons_recorded_crime import parse_recorded_crime

HEADER = "12 months ending,PFA,Region,Offence,Rolling year total number of offences\n"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "rec.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.shared_data
def test_every_row_of_the_real_file_is_read(shared_data: Path) -> None:
    path = shared_data / "ons" / "recorded-crime-pfa" / "rec-crime-pfa.csv"
    rows = parse_recorded_crime(path)
    with path.open(encoding="utf-8") as handle:
        lines = sum(1 for _ in handle) - 1
    assert len(rows) == lines
    kinds = {r.area_id for r in rows}
    assert {"action-fraud", "cifas", "uk-finance", "btp"} <= kinds
    snapped = [r for r in rows if "published as 30-12-2017" in r.source_ref]
    assert snapped and all(r.period_end == dt.date(2017, 12, 31) for r in snapped)


def test_a_typo_near_a_quarter_end_is_snapped(tmp_path: Path) -> None:
    rows = parse_recorded_crime(write(tmp_path, "30-12-2017,Kent,South East,Robbery,5\n"))
    assert rows[0].period_end == dt.date(2017, 12, 31)
    assert rows[0].source_ref == "line 2 (published as 30-12-2017)"


def test_unknown_area_names_line_field_and_suggestion(tmp_path: Path) -> None:
    path = write(
        tmp_path, "31-03-2014,Kent,South East,Robbery,5\n31-03-2014,Northamptonshre,East Midlands,Robbery,5\n"
    )
    with pytest.raises(InputError) as info:
        parse_recorded_crime(path)
    message = str(info.value)
    assert "line 3" in message and "field 'PFA'" in message and "did you mean 'northamptonshire'" in message


def test_unknown_offence_group_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"line 2, field 'Offence': unknown offence group 'Piracy'"):
        parse_recorded_crime(write(tmp_path, "31-03-2014,Kent,South East,Piracy,5\n"))


def test_bad_count_and_bad_date(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"field 'Rolling year total number of offences'"):
        parse_recorded_crime(write(tmp_path, "31-03-2014,Kent,South East,Robbery,lots\n"))
    with pytest.raises(InputError, match=r"field '12 months ending': date '2014-03-31' is not dd-mm-yyyy"):
        parse_recorded_crime(write(tmp_path, "2014-03-31,Kent,South East,Robbery,5\n"))


def test_wrong_header_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1: unexpected header"):
        parse_recorded_crime(path)
    dup = write(tmp_path, "31-03-2014,Kent,South East,Robbery,5\n31-03-2014,Kent,South East,Robbery,6\n")
    with pytest.raises(InputError, match="line 3: duplicate of line 2"):
        parse_recorded_crime(dup)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        parse_recorded_crime(tmp_path / "nope.csv")


@pytest.mark.shared_data
def test_totals_match_an_independent_read(shared_data: Path) -> None:
    path = shared_data / "ons" / "recorded-crime-pfa" / "rec-crime-pfa.csv"
    rows = parse_recorded_crime(path)
    parsed = {(r.area_id, r.period_end, r.offence_group): r.offences for r in rows}
    with path.open(encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            if record["PFA"] == "Lincolnshire" and record["12 months ending"] == "30-06-2014":
                key = ("lincolnshire", dt.date(2014, 6, 30), record["Offence"])
                assert parsed[key] == int(record["Rolling year total number of offences"])
