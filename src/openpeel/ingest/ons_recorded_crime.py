"""ONS police recorded crime by police force area and offence group (rec-crime-pfa.csv).

Rolling 12-month totals: years ending March 2003-2006, then every quarter to December 2018.
Every row is checked; a bad row stops the load with its line and field, so no figure is ever
built on a partly read file.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from importlib import resources
from pathlib import Path

from openpeel.core.errors import InputError, UnknownNameError
from openpeel.forces import lookup
from openpeel.ingest.records import RecordedCrimeRow

EXPECTED_HEADER = ["12 months ending", "PFA", "Region", "Offence", "Rolling year total number of offences"]
# A period end this close to a quarter end is that quarter end: the published file has one
# typo ("30-12-2017" for 31 December 2017) and a period must compare with the others.
_SNAP_DAYS = 3


@lru_cache(maxsize=1)
def offence_groups() -> dict[str, dict[str, str]]:
    """The offence groups ONS publishes, with category, main group and fraud flag (offence_groups.csv)."""
    text = resources.files("openpeel.ingest").joinpath("offence_groups.csv").read_text(encoding="utf-8")
    return {row["offence_group"]: row for row in csv.DictReader(text.splitlines())}


def quarter_end(day: dt.date) -> dt.date:
    """The calendar quarter end nearest to `day` within a few days, else `day` unchanged."""
    for candidate in (
        dt.date(day.year, 3, 31),
        dt.date(day.year, 6, 30),
        dt.date(day.year, 9, 30),
        dt.date(day.year, 12, 31),
    ):
        if abs((candidate - day).days) <= _SNAP_DAYS:
            return candidate
    return day


def parse_recorded_crime(path: Path) -> list[RecordedCrimeRow]:
    if not path.exists():
        raise InputError(
            "file not found", path=path, hint="pass --data pointing at the folder that holds ons/"
        )
    groups = offence_groups()
    rows: list[RecordedCrimeRow] = []
    seen: dict[tuple[str, dt.date, str], int] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or [h.strip() for h in header] != EXPECTED_HEADER:
            raise InputError(
                f"unexpected header {header!r}",
                path=path,
                line=1,
                hint=f"expected {','.join(EXPECTED_HEADER)}",
            )
        for line_no, record in enumerate(reader, start=2):
            if not record:
                continue
            if len(record) != len(EXPECTED_HEADER):
                raise InputError(
                    f"expected {len(EXPECTED_HEADER)} fields, found {len(record)}", path=path, line=line_no
                )
            date_text, pfa, _region, offence, count_text = (field.strip() for field in record)
            try:
                published = dt.datetime.strptime(date_text, "%d-%m-%Y").date()
            except ValueError:
                raise InputError(
                    f"date {date_text!r} is not dd-mm-yyyy", path=path, line=line_no, field="12 months ending"
                ) from None
            try:
                area = lookup(pfa)
            except UnknownNameError as exc:
                raise InputError(str(exc), path=path, line=line_no, field="PFA") from None
            if offence not in groups:
                raise InputError(
                    f"unknown offence group {offence!r}",
                    path=path,
                    line=line_no,
                    field="Offence",
                    hint="add it to openpeel/ingest/offence_groups.csv with its category",
                )
            try:
                count = int(count_text)
            except ValueError:
                raise InputError(
                    f"count {count_text!r} is not a whole number",
                    path=path,
                    line=line_no,
                    field="Rolling year total number of offences",
                ) from None
            period_end = quarter_end(published)
            key = (area.force_id, period_end, offence)
            if key in seen:
                raise InputError(
                    f"duplicate of line {seen[key]} ({pfa}, {date_text}, {offence})", path=path, line=line_no
                )
            seen[key] = line_no
            ref = f"line {line_no}" + (f" (published as {date_text})" if period_end != published else "")
            rows.append(RecordedCrimeRow(area.force_id, period_end, offence, count, ref))
    if not rows:
        raise InputError("no data rows", path=path)
    return rows
