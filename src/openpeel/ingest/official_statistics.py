"""Loading the official statistics (ONS recorded crime, ASB incidents, population) into the warehouse.

Everything is parsed and checked before anything is written; the write itself is one
transaction, so a failure at any point leaves the warehouse as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from openpeel.core.errors import InputError
from openpeel.forces import EW_ID, all_areas
from openpeel.ingest import bundled
from openpeel.ingest.editions import SourceFile, edition_files, holds_table, merge_editions
from openpeel.ingest.home_office_workforce import WorkforceRow, parse_workforce
from openpeel.ingest.ons_pfa_tables import parse_asb_incidents, parse_population
from openpeel.ingest.ons_recorded_crime import offence_groups, parse_recorded_crime
from openpeel.ingest.records import (
    ASB_P7_ID,
    POPULATION_P9_ID,
    RECORDED_CRIME_ID,
    AsbRow,
    ControlTotal,
    PopulationRow,
    RecordedCrimeRow,
)
from openpeel.warehouse import transaction
from openpeel.warehouse.bulk import insert_rows

RECORDED_CRIME = SourceFile(
    RECORDED_CRIME_ID,
    "Police recorded crime by police force area and offence group",
    "Office for National Statistics",
    "ons/recorded-crime-pfa/rec-crime-pfa.csv",
)
ASB_P7 = SourceFile(
    ASB_P7_ID,
    "Anti-social behaviour incidents by police force area (PFA tables, year ending March 2019, table P7)",
    "Office for National Statistics (Home Office police recorded incidents)",
    "ons/pfa-tables/policeforceareatablesyeendingmarch2019.xlsx",
)
POPULATION_P9 = SourceFile(
    POPULATION_P9_ID,
    "Mid-year population estimates by police force area (PFA tables, year ending March 2018, table P9)",
    "Office for National Statistics",
    "ons/pfa-tables/policeforceareatablesyearendingmarch2018v2.xlsx",
)
SOURCES = (RECORDED_CRIME, ASB_P7, POPULATION_P9)


@dataclass
class ParsedStatistics:
    crime: list[RecordedCrimeRow]
    asb: list[AsbRow]
    population: list[PopulationRow]
    controls: list[ControlTotal]
    files: list[dict[str, object]]
    workforce: list[WorkforceRow] = field(default_factory=list)


@dataclass
class LoadReport:
    read_from: str
    rows: dict[str, int] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def parse_originals(data_dir: Path) -> ParsedStatistics:
    """Read and check the original files under `data_dir` (the layout of ../shared/data)."""
    if not data_dir.is_dir():
        raise InputError(
            "data folder not found",
            path=data_dir,
            hint="pass the folder that holds ons/ (e.g. ../shared/data)",
        )
    crime = merge_editions(
        RECORDED_CRIME,
        edition_files(data_dir, RECORDED_CRIME, "*.csv"),
        lambda path: (parse_recorded_crime(path), []),
        lambda row: row.period_end,
        lambda _control: None,
    )
    tables = edition_files(data_dir, ASB_P7, "*.xlsx")
    asb = merge_editions(
        ASB_P7,
        _holding(tables, "P7", ASB_P7, data_dir),
        parse_asb_incidents,
        lambda row: row.period_end,
        lambda control: dt.date.fromisoformat(control.period),
    )
    population = merge_editions(
        POPULATION_P9,
        _holding(tables, "P9", POPULATION_P9, data_dir),
        parse_population,
        lambda row: row.mid_year,
        lambda control: int(control.period),
    )
    files = [
        _file_entry(source, path, data_dir)
        for source, merged in ((RECORDED_CRIME, crime), (ASB_P7, asb), (POPULATION_P9, population))
        for path in merged.used
    ]
    workforce, editions = parse_workforce(data_dir)
    for edition in editions:
        files.append(
            {
                "source_id": edition.source_id,
                "dataset": "Police workforce, England and Wales: police officers by police force area "
                f"(table 1, edition of {edition.edition.isoformat()})",
                "publisher": "Home Office",
                "path": edition.path.relative_to(data_dir).as_posix(),
                "sha256": sha256_of(edition.path),
                "bytes": edition.path.stat().st_size,
            }
        )
    return ParsedStatistics(
        crime.rows, asb.rows, population.rows, asb.controls + population.controls, files, workforce
    )


def _holding(tables: list[Path], code: str, source: SourceFile, data_dir: Path) -> list[Path]:
    """The workbooks holding table `code`; an error names the usual edition if none does."""
    found = [path for path in tables if holds_table(path, code)]
    if not found:
        raise InputError(
            f"no workbook in {source.folder}/ holds table {code}",
            path=data_dir / source.path,
            hint=f"expected {source.dataset}",
        )
    return found


def _file_entry(source: SourceFile, path: Path, data_dir: Path) -> dict[str, object]:
    return {
        "source_id": source.edition_id(path),
        "dataset": source.edition_dataset(path),
        "publisher": source.publisher,
        "path": path.relative_to(data_dir).as_posix(),
        "sha256": sha256_of(path),
        "bytes": path.stat().st_size,
    }


def parse_bundled() -> ParsedStatistics:
    manifest = bundled.read_manifest()
    return ParsedStatistics(
        bundled.read_recorded_crime(),
        bundled.read_asb(),
        bundled.read_population(),
        [],
        list(manifest["sources"]),
        bundled.read_workforce(),
    )


def check_controls(parsed: ParsedStatistics) -> list[str]:
    """Compare the 43 forces' sums with the published England and Wales totals."""
    territorial = {a.force_id for a in all_areas() if a.is_territorial}
    asb_sums: dict[str, float] = defaultdict(float)
    for a in parsed.asb:
        if a.area_id in territorial:
            asb_sums[a.period_end.isoformat()] += a.incidents
    pop_sums: dict[str, float] = defaultdict(float)
    for p in parsed.population:
        if p.area_id in territorial:
            pop_sums[str(p.mid_year)] += p.population
    notes = []
    for control in parsed.controls:
        if control.key != EW_ID:
            continue
        sums = asb_sums if "-" in control.period else pop_sums
        total = sums.get(control.period)
        if total is None:
            continue
        # Population estimates are rounded to the nearest 100 per area, so their sum may differ a little.
        tolerance = 0 if sums is asb_sums else 100 * len(territorial)
        if abs(total - control.value) > tolerance:
            raise InputError(
                f"the 43 forces sum to {total:,.0f} but the published England and Wales total for {control.period} is {control.value:,.0f}",
                hint=control.source_ref,
            )
        notes.append(
            f"England and Wales {control.period}: forces sum to the published total ({control.source_ref})"
        )
    return notes


def load_official_statistics(con: duckdb.DuckDBPyConnection, data_dir: Path | None) -> LoadReport:
    """Replace the official statistics in the warehouse with those read now (originals, or bundled)."""
    parsed = parse_originals(data_dir) if data_dir is not None else parse_bundled()
    report = LoadReport(
        read_from="original files in " + str(data_dir) if data_dir else "bundled aggregate table"
    )
    report.checks = check_controls(parsed)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    counts: dict[str, int] = {}
    for source_id in (
        *(r.source_id for r in parsed.crime),
        *(a.source_id for a in parsed.asb),
        *(p.source_id for p in parsed.population),
        *(w.source_id for w in parsed.workforce),
    ):
        counts[source_id] = counts.get(source_id, 0) + 1
    read_from = {str(f["source_id"]): "original" for f in parsed.files}
    if data_dir is None:
        for name, source_ids in bundled.read_manifest()["files"].items():
            for source_id in [source_ids] if isinstance(source_ids, str) else source_ids:
                read_from[source_id] = f"bundled table openpeel/ingest/bundled/{name}"
    with transaction(con):
        con.execute("DELETE FROM ref_areas")
        insert_rows(
            con,
            "ref_areas",
            ["area_id", "name", "ons_code", "ons_name", "region", "country", "kind"],
            [(a.force_id, a.name, a.ons_code, a.ons_name, a.region, a.country, a.kind) for a in all_areas()],
        )
        con.execute("DELETE FROM ref_offence_groups")
        insert_rows(
            con,
            "ref_offence_groups",
            ["offence_group", "category", "main_group", "is_fraud", "note"],
            [
                (g["offence_group"], g["category"], g["main_group"], g["is_fraud"], g["note"] or None)
                for g in offence_groups().values()
            ],
        )
        for table_name in ("core_recorded_crime", "core_asb_incidents", "core_population", "core_workforce"):
            con.execute(f"DELETE FROM {table_name}")
        con.execute(
            "DELETE FROM meta_source_files WHERE source_id IN (SELECT unnest(?)) OR source_id LIKE 'home-office-workforce-%' "
            "OR source_id LIKE 'ons-recorded-crime-pfa%' OR source_id LIKE 'ons-pfa-p7-asb%' OR source_id LIKE 'ons-pfa-p9-population%'",
            [list(counts)],
        )
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
                    f["source_id"],
                    f["dataset"],
                    f["publisher"],
                    f["path"],
                    read_from[str(f["source_id"])],
                    f["sha256"],
                    f["bytes"],
                    counts.get(str(f["source_id"]), 0),
                    now.isoformat(sep=" "),
                )
                for f in parsed.files
            ],
        )
        report.rows["core_recorded_crime"] = insert_rows(
            con,
            "core_recorded_crime",
            ["area_id", "period_end", "offence_group", "offences", "source_id", "source_ref"],
            [
                (r.area_id, r.period_end, r.offence_group, r.offences, r.source_id, r.source_ref)
                for r in parsed.crime
            ],
        )
        report.rows["core_asb_incidents"] = insert_rows(
            con,
            "core_asb_incidents",
            ["area_id", "period_end", "incidents", "published_rate_per_1000", "source_id", "source_ref"],
            [
                (
                    a.area_id,
                    a.period_end,
                    a.incidents,
                    a.published_rate_per_1000,
                    a.source_id,
                    a.source_ref,
                )
                for a in parsed.asb
            ],
        )
        report.rows["core_population"] = insert_rows(
            con,
            "core_population",
            ["area_id", "mid_year", "population", "source_id", "source_ref"],
            [(p.area_id, p.mid_year, p.population, p.source_id, p.source_ref) for p in parsed.population],
        )
        report.rows["core_workforce"] = insert_rows(
            con,
            "core_workforce",
            ["area_id", "as_at", "officers_fte", "source_id", "source_ref"],
            [(w.area_id, w.as_at, w.officers_fte, w.source_id, w.source_ref) for w in parsed.workforce],
        )
    return report


def write_bundle_from(data_dir: Path, out: Path | None = None) -> list[Path]:
    """Regenerate the bundled aggregate table from the original files (`openpeel bundle`)."""
    parsed = parse_originals(data_dir)
    check_controls(parsed)
    return bundled.write_bundle(
        out or bundled.BUNDLE_DIR, parsed.crime, parsed.asb, parsed.population, parsed.files, parsed.workforce
    )
