"""The bundled table of published aggregate figures, for machines without the original files.

`openpeel bundle --data DIR` derives it from the original ONS files (via the same parsers the
pipeline uses) and writes small CSVs beside this module, one row per area and period, plus a
MANIFEST.json naming each original file and its SHA-256. Row-level files are never bundled.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from openpeel.ingest.home_office_workforce import WorkforceRow
from openpeel.ingest.records import AsbRow, PopulationRow, RecordedCrimeRow

BUNDLE_DIR = Path(__file__).resolve().parent / "bundled"
RECORDED_CRIME = "recorded_crime.csv"
ASB = "asb_incidents.csv"
POPULATION = "population.csv"
WORKFORCE = "workforce.csv"
MANIFEST = "MANIFEST.json"


def bundle_files() -> Traversable:
    return resources.files("openpeel.ingest").joinpath("bundled")


def write_bundle(
    out: Path,
    crime: list[RecordedCrimeRow],
    asb: list[AsbRow],
    population: list[PopulationRow],
    sources: list[dict[str, Any]],
    workforce: list[WorkforceRow] | None = None,
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    groups = sorted({r.offence_group for r in crime})
    wide: dict[tuple[str, dt.date], dict[str, int]] = {}
    for r in crime:
        wide.setdefault((r.area_id, r.period_end), {})[r.offence_group] = r.offences
    written = []
    path = out / RECORDED_CRIME
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["area_id", "period_end", *groups])
        for (area, period), counts in sorted(wide.items()):
            writer.writerow([area, period.isoformat(), *(counts.get(g, "") for g in groups)])
    written.append(path)
    path = out / ASB
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["area_id", "period_end", "incidents", "published_rate_per_1000"])
        for a in sorted(asb, key=lambda r: (r.area_id, r.period_end)):
            rate = "" if a.published_rate_per_1000 is None else repr(a.published_rate_per_1000)
            writer.writerow([a.area_id, a.period_end.isoformat(), a.incidents, rate])
    written.append(path)
    path = out / POPULATION
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["area_id", "mid_year", "population"])
        for p in sorted(population, key=lambda r: (r.area_id, r.mid_year)):
            writer.writerow([p.area_id, p.mid_year, p.population])
    written.append(path)
    workforce = workforce or []
    path = out / WORKFORCE
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["area_id", "as_at", "officers_fte", "source_id"])
        for w in sorted(workforce, key=lambda r: (r.area_id, r.as_at)):
            writer.writerow([w.area_id, w.as_at.isoformat(), repr(w.officers_fte), w.source_id])
    written.append(path)
    path = out / MANIFEST
    manifest = {
        "description": "Published aggregate figures per police force area and period, derived by openpeel from the original files listed here. Contains public sector information licensed under the Open Government Licence v3.0.",
        "regenerate": "openpeel bundle --data ../shared/data",
        "sources": sources,
        "files": {
            RECORDED_CRIME: _ids({r.source_id for r in crime}),
            ASB: _ids({a.source_id for a in asb}),
            POPULATION: _ids({p.source_id for p in population}),
            WORKFORCE: sorted({w.source_id for w in workforce}),
        },
    }
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    written.append(path)
    return written


def _ids(source_ids: set[str]) -> str | list[str]:
    """One source id as itself (as the bundle has always named it), several as a sorted list:
    the bundle's rows then came from newer editions too (openpeel.ingest.editions)."""
    ordered = sorted(source_ids)
    return ordered[0] if len(ordered) == 1 else ordered


def read_manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(bundle_files().joinpath(MANIFEST).read_text(encoding="utf-8"))
    return data


def _rows(name: str) -> list[dict[str, str]]:
    text = bundle_files().joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def read_recorded_crime() -> list[RecordedCrimeRow]:
    out = []
    for line_no, row in enumerate(_rows(RECORDED_CRIME), start=2):
        area, period = row.pop("area_id"), dt.date.fromisoformat(row.pop("period_end"))
        for group, value in row.items():
            if value != "":
                out.append(
                    RecordedCrimeRow(
                        area, period, group, int(value), f"bundled {RECORDED_CRIME} line {line_no}"
                    )
                )
    return out


def read_asb() -> list[AsbRow]:
    return [
        AsbRow(
            row["area_id"],
            dt.date.fromisoformat(row["period_end"]),
            int(row["incidents"]),
            float(row["published_rate_per_1000"]) if row["published_rate_per_1000"] else None,
            f"bundled {ASB} line {line_no}",
        )
        for line_no, row in enumerate(_rows(ASB), start=2)
    ]


def read_population() -> list[PopulationRow]:
    return [
        PopulationRow(
            row["area_id"],
            int(row["mid_year"]),
            int(row["population"]),
            f"bundled {POPULATION} line {line_no}",
        )
        for line_no, row in enumerate(_rows(POPULATION), start=2)
    ]


def read_workforce() -> list[WorkforceRow]:
    if not bundle_files().joinpath(WORKFORCE).is_file():
        return []
    return [
        WorkforceRow(
            row["area_id"],
            dt.date.fromisoformat(row["as_at"]),
            float(row["officers_fte"]),
            row["source_id"],
            f"bundled {WORKFORCE} line {line_no}",
        )
        for line_no, row in enumerate(_rows(WORKFORCE), start=2)
    ]
