"""Measures the inspectorate or forces supply as CSV (docs/imported-measures.md).

Many PEEL facts come from tables that are not open feeds: domestic abuse arrests per 100 domestic
abuse crimes, crime-recording accuracy from a data-integrity audit, victim satisfaction. A file
gives, per measure, force and period, either the numerator and denominator, or the value and the
denominator (the numerator is then derived), and who supplied the figure:

    measure,force,period_end,numerator,denominator,value,source
    domestic_abuse_arrests,Northamptonshire,2014-03-31,1412,6120,,HMIC domestic abuse data request 2014

The whole file is checked before anything is written; any problem is an error naming the file,
line and field, and the warehouse is left as it was. Importing the same file again changes
nothing: rows replace earlier rows with the same measure, force and period.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from openpeel.core.errors import InputError, UnknownNameError
from openpeel.forces import lookup
from openpeel.indicators.catalogue import Indicator, catalogue
from openpeel.warehouse import transaction
from openpeel.warehouse.bulk import insert_rows

REQUIRED = ("measure", "force", "period_end", "source")
OPTIONAL = ("numerator", "denominator", "value", "notes")
# A value is usually published to one decimal place.
VALUE_TOLERANCE = 0.051

_COLUMNS = [
    "measure",
    "area_id",
    "period_end",
    "numerator",
    "denominator",
    "is_numerator_derived",
    "source",
    "source_id",
    "source_ref",
]


@dataclass(frozen=True)
class ImportedRow:
    measure: str
    area_id: str
    period_end: dt.date
    numerator: float
    denominator: float
    is_numerator_derived: bool
    source: str
    source_ref: str


@dataclass
class ImportReport:
    path: Path
    source_id: str
    rows: int
    measures: dict[str, int] = field(default_factory=dict)

    @property
    def indicator_ids(self) -> list[str]:
        by_measure = catalogue().imported_measures()
        return [by_measure[m].id for m in sorted(self.measures)]


def _number(raw: str, *, path: Path, line: int, name: str) -> float | None:
    text = raw.strip().replace(",", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"expected a number, found {raw!r}", path=path, line=line, field=name) from None
    if not math.isfinite(value) or value < 0:
        raise InputError(f"expected a number of 0 or more, found {raw!r}", path=path, line=line, field=name)
    return value


def _measure(raw: str, *, path: Path, line: int) -> Indicator:
    known = catalogue().imported_measures()
    name = raw.strip()
    if name in known:
        return known[name]
    close = difflib.get_close_matches(name, list(known), n=2)
    raise InputError(
        f"unknown measure {name!r}",
        path=path,
        line=line,
        field="measure",
        hint=(f"did you mean {' or '.join(map(repr, close))}? " if close else "")
        + f"measures: {', '.join(sorted(known))}",
    )


def _row(record: dict[str, str], *, path: Path, line: int) -> ImportedRow:
    indicator = _measure(record["measure"], path=path, line=line)
    try:
        force = lookup(record["force"])
    except UnknownNameError as exc:
        raise InputError(str(exc), path=path, line=line, field="force") from None
    if not force.is_territorial:
        raise InputError(
            f"{force.name} is not one of the 43 territorial forces",
            path=path,
            line=line,
            field="force",
            hint="England and Wales is computed from the 43 forces' counts, never read from the file",
        )
    try:
        period_end = dt.date.fromisoformat(record["period_end"].strip())
    except ValueError:
        raise InputError(
            f"expected a date YYYY-MM-DD, found {record['period_end']!r}",
            path=path,
            line=line,
            field="period_end",
        ) from None
    numerator = _number(record.get("numerator") or "", path=path, line=line, name="numerator")
    denominator = _number(record.get("denominator") or "", path=path, line=line, name="denominator")
    value = _number(record.get("value") or "", path=path, line=line, name="value")
    if denominator is None or denominator == 0:
        raise InputError(
            "a denominator above 0 is needed",
            path=path,
            line=line,
            field="denominator",
            hint="the count the value is measured against (crimes, records audited, respondents): "
            "without it the value's uncertainty cannot be known",
        )
    derived = False
    if numerator is None:
        if value is None:
            raise InputError("give the numerator, or the value", path=path, line=line, field="numerator")
        numerator = value * denominator / indicator.scale
        derived = True
    elif value is not None and abs(numerator / denominator * indicator.scale - value) > VALUE_TOLERANCE:
        raise InputError(
            f"value {value:g} does not match numerator / denominator × {indicator.scale:g} = "
            f"{numerator / denominator * indicator.scale:.2f}",
            path=path,
            line=line,
            field="value",
        )
    if indicator.kind == "proportion" and numerator > denominator:
        raise InputError(
            f"{numerator:g} out of {denominator:g} is more than all of them",
            path=path,
            line=line,
            field="numerator",
            hint=f"{indicator.imported_measure} is a share of the denominator",
        )
    source = record["source"].strip()
    if not source:
        raise InputError("say who published or supplied the figure", path=path, line=line, field="source")
    return ImportedRow(
        str(indicator.imported_measure),
        force.force_id,
        period_end,
        numerator,
        denominator,
        derived,
        source,
        f"{path.name} line {line}",
    )


def parse_imported_measures(path: Path) -> list[ImportedRow]:
    """Read and check a whole file; the first problem raises InputError with file, line and field."""
    if not path.is_file():
        raise InputError("file not found", path=path)
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}",
            path=path,
            line=1,
            hint="header: measure,force,period_end,numerator,denominator,value,source",
        )
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise InputError(f"unknown column(s) {', '.join(unknown)}", path=path, line=1)
    reader.fieldnames = header
    rows: list[ImportedRow] = []
    first_line: dict[tuple[str, str, dt.date], int] = {}
    for record in reader:
        line = reader.line_num
        if all(not (v or "").strip() for v in record.values() if isinstance(v, str)):
            continue
        if None in record:
            raise InputError("more fields than the header has", path=path, line=line)
        row = _row({k: v or "" for k, v in record.items()}, path=path, line=line)
        key = (row.measure, row.area_id, row.period_end)
        if key in first_line:
            raise InputError(
                f"{row.measure} for {row.area_id} in the period ending {row.period_end} is also on line {first_line[key]}",
                path=path,
                line=line,
            )
        first_line[key] = line
        rows.append(row)
    if not rows:
        raise InputError("no rows", path=path, hint="see docs/imported-measures.md for the format")
    return rows


def import_measures(con: duckdb.DuckDBPyConnection, path: Path) -> ImportReport:
    """Check and store a measures file in one transaction (rows with the same key are replaced)."""
    rows = parse_imported_measures(path)
    data = path.read_bytes()
    source_id = f"imported-{path.name}"
    report = ImportReport(path, source_id, len(rows))
    for row in rows:
        report.measures[row.measure] = report.measures.get(row.measure, 0) + 1
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with transaction(con):
        con.execute(
            "DELETE FROM raw_imported_measures "
            "WHERE list_contains(?, measure || '|' || area_id || '|' || strftime(period_end, '%Y-%m-%d'))",
            [[f"{r.measure}|{r.area_id}|{r.period_end.isoformat()}" for r in rows]],
        )
        con.execute("DELETE FROM meta_source_files WHERE source_id = ?", [source_id])
        insert_rows(
            con,
            "meta_source_files",
            [
                "source_id",
                "dataset",
                "publisher",
                "path",
                "read_from",
                "sha256",
                "bytes",
                "rows_loaded",
                "ingested_at",
            ],
            [
                (
                    source_id,
                    "Imported measures: " + ", ".join(sorted(report.measures)),
                    "; ".join(sorted({r.source for r in rows})),
                    str(path),
                    "original",
                    hashlib.sha256(data).hexdigest(),
                    len(data),
                    len(rows),
                    now.isoformat(sep=" "),
                )
            ],
        )
        insert_rows(
            con,
            "raw_imported_measures",
            _COLUMNS,
            [
                (
                    r.measure,
                    r.area_id,
                    r.period_end,
                    r.numerator,
                    r.denominator,
                    r.is_numerator_derived,
                    r.source,
                    source_id,
                    r.source_ref,
                )
                for r in rows
            ],
        )
    return report
