"""The report's document model: what every renderer (text, Markdown, HTML) draws from.

Sentences are lists of segments; a segment that states a figure carries the anchor of its
"how we know" entry, so every number links to the indicator, period and files behind it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from openpeel.publish.chart_data import PlotData


@dataclass(frozen=True)
class Segment:
    text: str
    ref: str | None = None


@dataclass(frozen=True)
class Paragraph:
    segments: tuple[Segment, ...]
    kind: str = (
        "text"  # text | data | strength | area-for-improvement | cause-of-concern | observation | note
    )
    source: str | None = None

    @property
    def plain(self) -> str:
        return "".join(s.text for s in self.segments)


def para(*parts: str | Segment, kind: str = "text", source: str | None = None) -> Paragraph:
    return Paragraph(tuple(p if isinstance(p, Segment) else Segment(p) for p in parts), kind, source)


@dataclass(frozen=True)
class Evidence:
    """One "how we know" entry: a figure used in the text and everything behind it."""

    anchor: str
    indicator_id: str
    title: str
    area: str
    period: str
    value: str
    unit: str
    ew_value: str | None
    interval: str | None
    comparison: str | None
    rank: str | None
    counts: str
    sources: tuple[str, ...]
    notes: str
    source_ids: tuple[str, ...] = ()
    """the warehouse's ids of the files behind the figure (meta_source_files)"""
    caveats: tuple[str, ...] = ()
    """caveats the entry brings beyond its indicator's (coverage of data.police.uk months)"""


@dataclass(frozen=True)
class Chart:
    """A chart as data: drawn as SVG for HTML and PDF, given as its table in text and Markdown.

    `summary` is the text alternative: what the chart shows, in a sentence or two.
    """

    chart_id: str
    kind: str  # trend | funnel | ranked | grades
    title: str
    summary: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    highlight: str | None
    data: PlotData


@dataclass(frozen=True)
class PublishedGradeLine:
    """A grade the inspectorate published, never to be read as openpeel's."""

    label: str
    date_text: str
    short_date: str
    """dd/mm/yyyy, or 'no date' where the source page states none"""
    source_url: str
    source_kind: str | None = None
    """who published the page the grade was read on, in words ('the inspectorate', 'the force's
    commissioner', 'the force', 'the press'); shown by the reports of the graded-areas shape"""
    revision: str | None = None
    """where the inspectorate changed the grade after publishing it, what it was and when"""


@dataclass(frozen=True)
class FindingGroup:
    """One kind of finding in an area's section of a graded-areas report ("Causes of concern")."""

    title: str
    kind: str
    items: tuple[Paragraph, ...]


@dataclass(frozen=True)
class AreaGradeRow:
    """One row of a graded-areas report's judgments table: the inspectorate's grade, if a source
    names it, beside openpeel's grade with whose it is and its state."""

    area: str
    question_id: str
    published: PublishedGradeLine | None
    not_found: str | None
    """why there is no published grade to show ('not found in the sources openpeel holds')"""
    openpeel_grade: str | None
    openpeel_whose: str
    """whose grade and its state ('openpeel's rubric (rubric-2021), a proposal not yet recorded'),
    or why openpeel gives none"""


@dataclass
class QuestionSection:
    question_id: str
    text: str
    graded: bool
    grade_label: str | None
    """openpeel's grade (a proposal or a judgement, as grade_note says)"""
    grade_note: str | None
    paragraphs: list[Paragraph] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    published: PublishedGradeLine | None = None
    agreement: str | None = None
    """'agrees' or 'differs' where openpeel and the inspectorate both grade the question"""
    pillar_title: str | None = None
    """graded-areas reports: the pillar openpeel groups the area under"""
    groups: list[FindingGroup] = field(default_factory=list)
    """graded-areas reports: the area's findings by kind (causes of concern first)"""
    openpeel_whose: str | None = None
    """graded-areas reports: whose openpeel's grade is and its state"""
    notes: list[Paragraph] = field(default_factory=list)
    """graded-areas reports: why the area shows no findings, where it shows none"""


@dataclass(frozen=True)
class JudgementRow:
    question: str
    grade_label: str
    basis: str
    published: PublishedGradeLine | None = None
    agreement: str | None = None


@dataclass(frozen=True)
class RuleLine:
    question: str
    rule_id: str
    fired: bool
    reason: str
    findings: tuple[str, ...]
    indicators: tuple[str, ...]


@dataclass
class Report:
    force_id: str
    force_name: str
    force_short_name: str
    year: int
    title: str
    section_title: str
    last_updated: dt.date | None
    is_data_led: bool
    summary: list[Paragraph]
    overview: list[Paragraph]
    further_insights_title: str
    further_insights: list[Paragraph]
    questions_title: str
    questions: list[QuestionSection]
    judgements: list[JudgementRow]
    evidence: list[Evidence]
    rules: list[RuleLine]
    caveats: list[str]
    sources: list[str]
    version: int | None = None
    """The published version (None: not published, e.g. a data-led preview)"""
    change_note: str | None = None
    """Why this version differs from the one before it"""
    earlier_versions: tuple[tuple[int, dt.date], ...] = ()
    attribution: tuple[str, ...] = ()
    """Who proposed, set, moderated and published the grades, from the audit trail"""
    is_draft: bool = False
    """Shows a grade no one has published (a proposal, or a judgement in draft or moderated):
    every format then says "Draft: not published" at the top (`openpeel build`, `report`, `pdf`)"""
    stage: str = "no-findings"
    """no-findings | unpublished | published (assessment/progress.py)"""
    stage_note: str = ""
    """The stage in a sentence, with what comes next"""
    findings_published: tuple[dt.date | None, ...] = ()
    """Publication dates of the inspections whose findings the report shows (None: undated)"""
    unpublished_questions: tuple[str, ...] = ()
    """Questions with findings loaded whose judgement is not published, so the report shows no grade"""
    shape: str = "pillar"
    """pillar (the reports to 2018/19) | graded-areas (the cycle's report form, framework `report`)"""
    judgments_title: str = ""
    area_grades: list[AreaGradeRow] = field(default_factory=list)
    """graded-areas reports: the judgments table, one row per graded area"""
    grade_counts: list[Paragraph] = field(default_factory=list)
    """graded-areas reports: sources that give only the number of areas per grade"""
    inspector_summary_title: str = ""
    inspector_summary: list[Paragraph] = field(default_factory=list)
    data_title: str = ""
    data_note: list[Paragraph] = field(default_factory=list)
    """graded-areas reports: how old the official statistics are, or why they are left out"""

    @property
    def last_updated_text(self) -> str:
        """This version's own date, labelled: when it was published, or when it was built."""
        if self.last_updated is None:
            return "not published"
        day = self.last_updated.strftime("%d/%m/%Y")
        if self.version:
            return f"{day} (the date openpeel published this version)"
        return f"{day} (the date openpeel built this report; not a published version)"

    @property
    def findings_dates_text(self) -> str | None:
        """When the inspectorate published the reports whose findings this one draws on."""
        dated = sorted({d for d in self.findings_published if d is not None})
        if not dated:
            return None
        undated = sum(1 for d in self.findings_published if d is None)
        span = dated[0].strftime("%d/%m/%Y")
        if len(dated) > 1:
            span = f"between {span} and {dated[-1].strftime('%d/%m/%Y')}"
        extra = f" ({undated} undated)" if undated else ""
        return f"Inspection findings from the inspectorate's reports published {span}{extra}"
