"""Writing a year's reports to a folder: every force in every format, and judgements.json.

The files are written to a staging folder and moved into `out_dir/<year>` only when all succeed,
so a failure never leaves a half-built set behind.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import duckdb

from openpeel.assessment import propose_grades
from openpeel.assessment.judgements import Judgement
from openpeel.evidence import EvidenceFile
from openpeel.forces import Force
from openpeel.framework import load_framework
from openpeel.framework.published_grades import load_published_grades
from openpeel.indicators.query import IndicatorValue
from openpeel.publish import render
from openpeel.publish.render import EXTENSIONS, Format
from openpeel.publish.site import build_year_reports

Progress = Callable[[str, int, int], None]


def _no_progress(_step: str, _done: int, _total: int) -> None:
    return None


def write_year_reports(
    con: duckdb.DuckDBPyConnection,
    year: int,
    out_dir: Path,
    forces: Sequence[Force],
    evidence: Mapping[str, EvidenceFile],
    judgements: Mapping[str, dict[str, Judgement]],
    *,
    formats: Iterable[Format] = ("text", "md", "html"),
    progress: Progress = _no_progress,
) -> list[Path]:
    """Every chosen force's report for `year` in every format under `out_dir/<year>`, with
    judgements.json (the rubric's proposals, the stored judgements and, apart, the grades the
    inspectorate published); returns the reports."""
    framework = load_framework(year)
    target = out_dir / str(year)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".openpeel-{year}-", dir=out_dir))
    written: list[Path] = []
    try:
        built = build_year_reports(
            con, year, dict(evidence), forces=forces, progress=progress, judgements=judgements
        )
        by_area: dict[str, dict[str, IndicatorValue]] = {}
        for value in built.values:
            by_area.setdefault(value.area_id, {})[value.indicator.id] = value
        rows = []
        published = load_published_grades(year)
        for force, report in zip(forces, built.reports, strict=True):
            for fmt in formats:
                path = staging / f"{force.force_id}.{EXTENSIONS[fmt]}"
                path.write_text(render(report, fmt), encoding="utf-8")
                written.append(target / path.name)
            force_evidence = evidence.get(force.force_id)
            proposals = propose_grades(framework, force_evidence, by_area.get(force.force_id, {}))
            rows.append(
                {
                    "force": force.force_id,
                    "year": year,
                    "has_evidence": force_evidence is not None,
                    "questions": [p.as_json() for p in proposals.values()],
                    "judgements": [j.as_json() for j in judgements.get(force.force_id, {}).values()],
                    # The inspectorate's own grades, kept apart from openpeel's proposals and judgements.
                    "published_grades": [r.as_json() for r in published if r.force_id == force.force_id],
                }
            )
        (staging / "judgements.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written
