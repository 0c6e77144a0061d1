"""The main job, step by step: official statistics -> indicators -> evidence -> assessment -> reports.

Only the CLI imports this module: it strings the stages together and owns nothing of its own.
The warehouse is written through a private copy that replaces the file at the end, so a server
reading it, or a build that fails half-way, never sees half a build.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from openpeel.assessment.prepare import assess, evidence_for_year, judgements_by_force
from openpeel.core.locations import Locations
from openpeel.evidence.store import read_evidence
from openpeel.forces import get_force, lookup, territorial_forces
from openpeel.indicators.prepare import prepare_warehouse
from openpeel.ingest.official_statistics import LoadReport
from openpeel.publish.cycle import Cycle
from openpeel.publish.render import Format
from openpeel.publish.year_reports import write_year_reports
from openpeel.store import Store
from openpeel.warehouse import writing

Progress = Callable[[str, int, int], None]


def _no_progress(_step: str, _done: int, _total: int) -> None:
    return None


@dataclass
class BuildResult:
    out_dir: Path
    year: int
    reports: list[Path] = field(default_factory=list)
    graded_forces: list[str] = field(default_factory=list)
    load: LoadReport | None = None


def build(
    where: Locations,
    store: Store,
    year: int,
    out_dir: Path,
    *,
    evidence_paths: Iterable[Path] = (),
    formats: Iterable[Format] = ("text", "md", "html"),
    forces: Iterable[str] | None = None,
    progress: Progress = _no_progress,
    on_wait: Callable[[], None] | None = None,
) -> BuildResult:
    """Run the whole assessment for one PEEL year and write every force's report."""
    paths = list(evidence_paths)
    for path in paths:
        read_evidence(path)  # a bad evidence file stops the build before anything is written
    territorial = {t.force_id for t in territorial_forces()}
    chosen = (
        [get_force(f) if f in territorial else lookup(f) for f in forces]
        if forces
        else list(territorial_forces())
    )
    result = BuildResult(out_dir / str(year), year)
    with writing(where.warehouse, where.lake, on_wait=on_wait) as con:
        progress("official statistics", 0, 1)
        progress("indicators", 0, 1)
        result.load = prepare_warehouse(con, where.data)
        progress("official statistics", 1, 1)
        progress("indicators", 1, 1)
        progress("evidence and judgements", 0, 1)
        with store.write() as ws:
            assess(con, ws, year, paths)
        with store.read() as ws:
            evidence = evidence_for_year(ws, year)
            judgements = judgements_by_force(ws, year)
        progress("evidence and judgements", 1, 1)
        cycle = Cycle(con, year, evidence, judgements)
        result.reports = write_year_reports(cycle, out_dir, chosen, formats=list(formats), progress=progress)
    result.graded_forces = [f.force_id for f in chosen if f.force_id in evidence]
    return result
