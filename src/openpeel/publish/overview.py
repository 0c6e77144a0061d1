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
from openpeel.publish.model import Chart, QuestionSection, Report

NOT_GRADED = "Not graded"
# Findings are loaded for the question, but openpeel's judgement is not published yet.
NOT_PUBLISHED = "Not yet published"


@dataclass(frozen=True)
class OverviewRow:
    force_id: str
    force_name: str
    region: str
    grades: tuple[str, ...]  # one label per graded question, "Not yet published" or "Not graded" when none
    has_evidence: bool  # openpeel's grades are shown (published, or a workspace build)
    worse: int  # indicators significantly and materially worse than England and Wales
    better: int
    stage: str = "no-findings"  # no-findings | unpublished | published (assessment/progress.py)


@dataclass(frozen=True)
class Overview:
    year: int
    title: str
    question_ids: tuple[str, ...]
    questions: tuple[str, ...]
    short_questions: tuple[str, ...]  # "Reducing crime and preventing offending", for column headings
    grade_labels: tuple[str, ...]  # the year's scale, best first, then "Not yet published", "Not graded"
    rows: tuple[OverviewRow, ...]
    counts: tuple[tuple[int, ...], ...]  # counts[question][grade]
    chart: Chart | None
    """openpeel's grades for the forces it graded; None when it graded none"""

    @staticmethod
    def _forces(n: int) -> str:
        return f"{n} force{'' if n == 1 else 's'}"

    def count_stage(self, stage: str) -> int:
        return sum(1 for r in self.rows if r.stage == stage)

    @property
    def state_sentence(self) -> str:
        """Where the year's assessments stand: findings loaded, judgements published."""
        loaded = self.count_stage("unpublished") + self.count_stage("published")
        published = self.count_stage("published")
        if not loaded:
            return "No force has inspection findings loaded for this year, so every question is “Not graded”."
        if not published:
            return (
                f"Inspection findings are loaded for {self._forces(loaded)}, but no judgement of openpeel's is "
                "published yet, so their questions read “Not yet published”: an inspector confirms or "
                "overrides each grade the rubric proposes, a moderator moderates them and they are "
                "published (each force's report says which step is next)."
            )
        waiting = loaded - published
        text = f"openpeel's judgements are published for {self._forces(published)}"
        if waiting:
            text += f"; findings are loaded but not yet published for {self._forces(waiting)}"
        return text + "."

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


def _cell(report: Report, by_id: dict[str, QuestionSection], question_id: str) -> str:
    section = by_id.get(question_id)
    if section is not None and section.grade_label:
        return section.grade_label
    return NOT_PUBLISHED if question_id in report.unpublished_questions else NOT_GRADED


def build_overview(framework: Framework, reports: Sequence[Report], scan: Sequence[ScanRow]) -> Overview:
    if not reports:
        raise ValueError("an overview needs at least one report")
    graded = [q for q in reports[0].questions if q.graded]
    labels = (
        *(g.label for g in sorted(framework.grade_scale, key=lambda g: g.rank)),
        NOT_PUBLISHED,
        NOT_GRADED,
    )
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
                grades=tuple(_cell(report, by_id, q.question_id) for q in graded),
                has_evidence=not report.is_data_led,
                stage=report.stage,
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
    keep = [i for i, label in enumerate(labels) if label not in (NOT_GRADED, NOT_PUBLISHED)]
    return grade_chart(
        questions,
        [labels[i] for i in keep],
        [[row[i] for i in keep] for row in counts],
        framework.title,
        whose=f"openpeel's, for the {graded} of {len(rows)} forces with findings loaded",
    )
