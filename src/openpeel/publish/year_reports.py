"""Writing a year's reports to a folder: every force in every format, and judgements.json.

The files are written beside `out_dir/<year>` and swapped into its place in one step only when
all succeed (publish/site_folder.py), so a failure or a kill never leaves a half-built set behind.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from openpeel.forces import Force
from openpeel.framework.published_grades import load_published_grades
from openpeel.publish import render
from openpeel.publish.cycle import Cycle
from openpeel.publish.render import EXTENSIONS, Format
from openpeel.publish.site_folder import new_staging, site_lock, swap_in

Progress = Callable[[str, int, int], None]


def _no_progress(_step: str, _done: int, _total: int) -> None:
    return None


def write_year_reports(
    cycle: Cycle,
    out_dir: Path,
    forces: Sequence[Force],
    *,
    formats: Iterable[Format] = ("text", "md", "html"),
    progress: Progress = _no_progress,
) -> list[Path]:
    """Every chosen force's report for the cycle in every format under `out_dir/<year>`, with
    judgements.json (the rubric's proposals, the stored judgements and, apart, the grades the
    inspectorate published); returns the reports."""
    year = cycle.year
    target = out_dir / str(year)
    with site_lock(target):
        return _write(cycle, target, forces, list(formats), progress)


def _write(
    cycle: Cycle, target: Path, forces: Sequence[Force], formats: list[Format], progress: Progress
) -> list[Path]:
    year = cycle.year
    staging = new_staging(target, site=False)
    written: list[Path] = []
    try:
        rows = []
        published = load_published_grades(year)
        for i, force in enumerate(forces):
            progress(f"reports {year}", i, len(forces))
            report = cycle.report(force.force_id)
            for fmt in formats:
                path = staging / f"{force.force_id}.{EXTENSIONS[fmt]}"
                path.write_text(render(report, fmt), encoding="utf-8")
                written.append(target / path.name)
            rows.append(
                {
                    "force": force.force_id,
                    "year": year,
                    "has_findings": cycle.progress_for(force.force_id).has_findings,
                    "has_published_judgement": cycle.progress_for(force.force_id).has_published_judgement,
                    "questions": [p.as_json() for p in cycle.proposals(force.force_id).values()],
                    "judgements": [j.as_json() for j in cycle.judgements.get(force.force_id, {}).values()],
                    # The inspectorate's own grades, kept apart from openpeel's proposals and judgements.
                    "published_grades": [r.as_json() for r in published if r.force_id == force.force_id],
                }
            )
        progress(f"reports {year}", len(forces), len(forces))
        (staging / "judgements.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
        swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written
