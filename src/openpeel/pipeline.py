"""The main job, step by step: official statistics -> indicators -> evidence -> assessment -> reports.

The CLI and the tests drive the same functions; a progress callback lets the CLI draw bars.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from openpeel.assessment import propose_grades
from openpeel.evidence import EvidenceFile, bundled_evidence_files, load_evidence_file
from openpeel.forces import get_force, lookup, territorial_forces
from openpeel.framework import load_framework
from openpeel.indicators.compute import compute_indicators
from openpeel.indicators.query import values_by_indicator
from openpeel.ingest.official_statistics import LoadReport, load_official_statistics
from openpeel.publish import build_report, render
from openpeel.publish.render import EXTENSIONS, Format

Progress = Callable[[str, int, int], None]


def _no_progress(_step: str, _done: int, _total: int) -> None:
    return None


def has_statistics(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM core_recorded_crime").fetchone()
    return bool(row and row[0])


def prepare_warehouse(
    con: duckdb.DuckDBPyConnection, data_dir: Path | None, *, reload: bool = True
) -> LoadReport | None:
    """Load official statistics and compute indicators (skipped when present and reload is False)."""
    if not reload and has_statistics(con):
        return None
    report = load_official_statistics(con, data_dir)
    compute_indicators(con)
    return report


def load_evidence(year: int, extra: Iterable[Path] = ()) -> dict[str, EvidenceFile]:
    """Evidence files for `year`, by force id: the bundled ones, then any given (which win)."""
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
    evidence = load_evidence(year, evidence_paths)
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
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".openpeel-{year}-", dir=out_dir))
    try:
        judgements = []
        for index, force in enumerate(chosen):
            progress("reports", index, len(chosen))
            force_evidence = evidence.get(force.force_id)
            report = build_report(con, force.force_id, year, force_evidence)
            for fmt in fmts:
                path = staging / f"{force.force_id}.{EXTENSIONS[fmt]}"
                path.write_text(render(report, fmt), encoding="utf-8")
                result.reports.append(result.out_dir / path.name)
            proposals = propose_grades(
                framework, force_evidence, values_by_indicator(con, framework, force.force_id)
            )
            judgements.append(
                {
                    "force": force.force_id,
                    "year": year,
                    "has_evidence": force_evidence is not None,
                    "questions": [p.as_json() for p in proposals.values()],
                }
            )
            if force_evidence is not None:
                result.graded_forces.append(force.force_id)
        progress("reports", len(chosen), len(chosen))
        (staging / "judgements.json").write_text(json.dumps(judgements, indent=2) + "\n", encoding="utf-8")
        if result.out_dir.exists():
            shutil.rmtree(result.out_dir)
        staging.rename(result.out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result
