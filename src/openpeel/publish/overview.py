"""The national overview: every force's grades for one PEEL year, by force and by region.

Grades come from the reports themselves (`Report.questions`), so the overview can never disagree
with a force's page; data-led flags come from the national scan.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from openpeel.forces import get_force
from openpeel.framework import Framework
from openpeel.indicators.scan import ScanRow
from openpeel.publish.charts import grade_chart
from openpeel.publish.model import Chart, Report

NOT_GRADED = "Not graded"


@dataclass(frozen=True)
class OverviewRow:
    force_id: str
    force_name: str
    region: str
    grades: tuple[str, ...]  # one label per graded question, "Not graded" when none
    has_evidence: bool
    worse: int  # indicators significantly and materially worse than England and Wales
    better: int


@dataclass(frozen=True)
class Overview:
    year: int
    title: str
    question_ids: tuple[str, ...]
    questions: tuple[str, ...]
    short_questions: tuple[str, ...]  # "Reducing crime and preventing offending", for column headings
    grade_labels: tuple[str, ...]  # the year's scale, best first, then "Not graded"
    rows: tuple[OverviewRow, ...]
    counts: tuple[tuple[int, ...], ...]  # counts[question][grade]
    chart: Chart | None
    """openpeel's grades for the forces it graded; None when it graded none"""

    def by_region(self) -> list[tuple[str, list[OverviewRow]]]:
        regions: dict[str, list[OverviewRow]] = {}
        for row in self.rows:
            regions.setdefault(row.region, []).append(row)
        return sorted(regions.items())

    def grade_rank(self, label: str) -> int:
        """Sort key for a grade: best first, "Not graded" last."""
        return self.grade_labels.index(label) if label in self.grade_labels else len(self.grade_labels)


def css_slug(label: str) -> str:
    return label.lower().replace(" ", "-")


def _short(framework: Framework, question_id: str, text: str) -> str:
    try:
        phrase = framework.question(question_id).summary_phrase
    except KeyError:
        phrase = None
    return phrase[:1].upper() + phrase[1:] if phrase else text


def build_overview(framework: Framework, reports: Sequence[Report], scan: Sequence[ScanRow]) -> Overview:
    if not reports:
        raise ValueError("an overview needs at least one report")
    graded = [q for q in reports[0].questions if q.graded]
    labels = (*(g.label for g in sorted(framework.grade_scale, key=lambda g: g.rank)), NOT_GRADED)
    worse = Counter(r.force_id for r in scan if r.direction == "worse")
    better = Counter(r.force_id for r in scan if r.direction == "better")
    rows = []
    for report in reports:
        by_id = {q.question_id: q for q in report.questions}
        force = get_force(report.force_id)
        rows.append(
            OverviewRow(
                force_id=report.force_id,
                force_name=report.force_name,
                region=force.region or force.country,
                grades=tuple(
                    (by_id[q.question_id].grade_label or NOT_GRADED) if q.question_id in by_id else NOT_GRADED
                    for q in graded
                ),
                has_evidence=not report.is_data_led,
                worse=worse[report.force_id],
                better=better[report.force_id],
            )
        )
    rows.sort(key=lambda r: r.force_name)
    counts = tuple(
        tuple(sum(1 for r in rows if r.grades[qi] == label) for label in labels) for qi in range(len(graded))
    )
    questions = tuple(q.text for q in graded)
    return Overview(
        year=framework.year,
        title=f"{framework.title}: {reports[0].section_title}",
        question_ids=tuple(q.question_id for q in graded),
        questions=questions,
        short_questions=tuple(_short(framework, q.question_id, q.text) for q in graded),
        grade_labels=labels,
        rows=tuple(rows),
        counts=counts,
        chart=_graded_chart(
            framework, [_short(framework, q.question_id, q.text) for q in graded], labels, counts, rows
        ),
    )


def _graded_chart(
    framework: Framework,
    questions: Sequence[str],
    labels: Sequence[str],
    counts: Sequence[Sequence[int]],
    rows: Sequence[OverviewRow],
) -> Chart | None:
    """openpeel's grades, drawn for the forces it graded only (None if none): forces with no findings loaded
    would otherwise fill the bars with "Not graded" and hide the grades given. The count left
    out is in the title, and the table above counts them."""
    graded = sum(1 for r in rows if r.has_evidence)
    if not graded:
        return None
    keep = [i for i, label in enumerate(labels) if label != NOT_GRADED]
    return grade_chart(
        questions,
        [labels[i] for i in keep],
        [[row[i] for i in keep] for row in counts],
        framework.title,
        whose=f"openpeel's, for the {graded} of {len(rows)} forces with findings loaded",
    )
