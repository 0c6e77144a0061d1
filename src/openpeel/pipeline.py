"""The main job, step by step: official statistics -> indicators -> evidence -> assessment -> reports.

The CLI and the tests drive the same functions; a progress callback lets the CLI draw bars.
"""

from __future__ import annotations

import getpass
import json
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from openpeel.assessment import propose_grades
from openpeel.assessment.judgements import current_judgements, record_all
from openpeel.evidence import EvidenceFile, bundled_evidence_files, load_evidence_file
from openpeel.evidence.store import (
    BUILD_ACTOR,
    import_paths,
    read_evidence,
    stored_evidence,
    stored_force_years,
    sync_bundled_evidence,
)
from openpeel.forces import get_force, lookup, territorial_forces
from openpeel.framework import available_years, load_framework
from openpeel.indicators.compute import compute_indicators
from openpeel.indicators.query import IndicatorValue
from openpeel.ingest.official_statistics import LoadReport, load_official_statistics
from openpeel.publish import render
from openpeel.publish.render import EXTENSIONS, Format
from openpeel.publish.site import build_year_reports
from openpeel.warehouse import transaction

Progress = Callable[[str, int, int], None]


def _no_progress(_step: str, _done: int, _total: int) -> None:
    return None


def has_statistics(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM core_recorded_crime").fetchone()
    return bool(row and row[0])


def prepare_warehouse(
    con: duckdb.DuckDBPyConnection,
    data_dir: Path | None,
    *,
    reload: bool = True,
    with_evidence: bool = False,
) -> LoadReport | None:
    """Load official statistics and compute indicators (skipped when present and reload is False);
    with_evidence also stores the shipped evidence and the rubric's draft judgements of every year."""
    if not reload and has_statistics(con):
        return None
    report = load_official_statistics(con, data_dir)
    compute_indicators(con)
    if with_evidence:
        for year in available_years():
            assess(con, year)
    return report


def assess(con: duckdb.DuckDBPyConnection, year: int, evidence_paths: Iterable[Path] = ()) -> None:
    """Bring the evidence store and draft judgements of `year` up to date.

    Shipped evidence is imported unless people have since edited that force and year; files given
    here are imported as the person running openpeel, so later builds leave them alone. Moderated
    and published judgements are never touched.
    """
    paths = list(evidence_paths)
    for path in paths:
        read_evidence(path)  # validate every file before anything is written
    with transaction(con):
        sync_bundled_evidence(con, year)
        if paths:
            import_paths(con, paths, by=f"{getpass.getuser()} (openpeel build)")
        record_all(con, stored_force_years(con, year), by=BUILD_ACTOR)


def evidence_for_year(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, EvidenceFile]:
    """The stored evidence of `year`, by force id."""
    out: dict[str, EvidenceFile] = {}
    for force_id, stored_year in stored_force_years(con, year):
        evidence = stored_evidence(con, force_id, stored_year)
        if evidence is not None:
            out[force_id] = evidence
    return out


def load_evidence(year: int, extra: Iterable[Path] = ()) -> dict[str, EvidenceFile]:
    """Evidence files for `year`, by force id, read without storing them (for previews): the
    bundled ones, then any given (which win)."""
    out: dict[str, EvidenceFile] = {}
    for path in [*bundled_evidence_files(), *extra]:
        evidence = load_evidence_file(path)
        if evidence.year != year:
            continue
        force_id = lookup(evidence.force).force_id
        out[force_id] = evidence
    return out


@dataclass
class BuildResult:
    out_dir: Path
    year: int
    reports: list[Path] = field(default_factory=list)
    graded_forces: list[str] = field(default_factory=list)
    load: LoadReport | None = None


def build(
    con: duckdb.DuckDBPyConnection,
    year: int,
    out_dir: Path,
    *,
    data_dir: Path | None = None,
    evidence_paths: Iterable[Path] = (),
    formats: Iterable[Format] = ("text", "md", "html"),
    forces: Iterable[str] | None = None,
    progress: Progress = _no_progress,
) -> BuildResult:
    """Run the whole assessment for one PEEL year and write every force's report.

    Reports are written to a temporary folder and moved into `out_dir/<year>` only when all
    succeed, so a failure never leaves a half-built set behind.
    """
    framework = load_framework(year)
    paths = list(evidence_paths)
    for path in paths:
        read_evidence(path)  # a bad evidence file stops the build before anything is written
    chosen = (
        [get_force(f) if f in {t.force_id for t in territorial_forces()} else lookup(f) for f in forces]
        if forces
        else list(territorial_forces())
    )
    fmts = list(formats)
    result = BuildResult(out_dir / str(year), year)
    progress("official statistics", 0, 1)
    result.load = load_official_statistics(con, data_dir)
    progress("official statistics", 1, 1)
    progress("indicators", 0, 1)
    compute_indicators(con)
    progress("indicators", 1, 1)
    progress("evidence and judgements", 0, 1)
    assess(con, year, paths)
    evidence = evidence_for_year(con, year)
    progress("evidence and judgements", 1, 1)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".openpeel-{year}-", dir=out_dir))
    try:
        built = build_year_reports(con, year, evidence, forces=chosen, progress=progress)
        by_area: dict[str, dict[str, IndicatorValue]] = {}
        for value in built.values:
            by_area.setdefault(value.area_id, {})[value.indicator.id] = value
        judgements = []
        for force, report in zip(chosen, built.reports, strict=True):
            for fmt in fmts:
                path = staging / f"{force.force_id}.{EXTENSIONS[fmt]}"
                path.write_text(render(report, fmt), encoding="utf-8")
                result.reports.append(result.out_dir / path.name)
            force_evidence = evidence.get(force.force_id)
            proposals = propose_grades(framework, force_evidence, by_area.get(force.force_id, {}))
            stored = current_judgements(con, force.force_id, year)
            judgements.append(
                {
                    "force": force.force_id,
                    "year": year,
                    "has_evidence": force_evidence is not None,
                    "questions": [p.as_json() for p in proposals.values()],
                    "judgements": [j.as_json() for j in stored.values()],
                }
            )
            if force_evidence is not None:
                result.graded_forces.append(force.force_id)
        (staging / "judgements.json").write_text(json.dumps(judgements, indent=2) + "\n", encoding="utf-8")
        if result.out_dir.exists():
            shutil.rmtree(result.out_dir)
        staging.rename(result.out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result
