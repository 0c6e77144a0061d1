"""A force's report in the form of its cycle's published reports: PEEL 2021/22 on (the framework's
`report`).

The inspectorate's reports of these cycles cover every graded area of policing in one report: a
judgments table, the inspector's summary, then a section per area with its causes of concern, areas
for improvement and innovative or promising practice. openpeel's report follows that form:
- the judgments table: every graded area with the inspectorate's grade where a source openpeel
  holds names it (its date, the kind of page it was read on, any later revision), "not found"
  where none does, and the counts per grade where a source gives only those; beside it openpeel's
  grade, whose it is and its state;
- the inspector's summary, from the evidence's account of the inspection where findings are loaded;
- the official statistics: how far they precede the cycle, or why they are left out
  (publish/recent_data.py);
- a section per area: the inspectorate's and openpeel's grades, the findings by kind, then
  openpeel's analysis (figures, charts and data-led flags, each dated against the cycle).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Unpack

import duckdb

from openpeel.assessment import propose_grades
from openpeel.evidence import EvidenceFile, Finding
from openpeel.evidence.models import PRACTICE_KINDS
from openpeel.forces import EW_ID, Force, get_force
from openpeel.framework import Framework, Pillar, Question, load_framework
from openpeel.framework.published_records import grade_counts, revisions
from openpeel.indicators.data_age import DataAge, data_age
from openpeel.indicators.query import IndicatorValue
from openpeel.publish.appendix import appendix
from openpeel.publish.credits import setter
from openpeel.publish.document import (
    GivenInputs,
    ReportInputs,
    load_report_inputs,
    no_findings_note,
    openpeel_whose,
    standing_fields,
    ungraded_basis,
)
from openpeel.publish.evidence_entries import outcome_paragraphs
from openpeel.publish.inspectorate_grades import PublishedView, agreement, agreement_clause, joined
from openpeel.publish.model import (
    AreaGradeRow,
    Evidence,
    FindingGroup,
    JudgementRow,
    Paragraph,
    PublishedGradeLine,
    QuestionSection,
    Report,
    RuleLine,
    Segment,
    para,
)
from openpeel.publish.prose import fact_sentence
from openpeel.publish.recent_data import (
    data_note,
    data_sentences,
    dated_charts,
    flag_paragraphs,
    report_chart_data,
    report_framework,
    report_values,
)

SOURCE_KIND_WORDS = {
    "inspectorate": "the inspectorate's page",
    "commissioner": "a commissioner's page",
    "force": "the force's page",
    "press": "a press report",
}
"""The kind of page a published grade was read on, in words (framework/published_grades.SOURCE_KINDS)."""

# An area's findings by kind, in the order the inspectorate's reports give them; what the force
# does well and other findings follow, so a section carries all its reasons.
GROUPS = (
    ("cause-of-concern", "Causes of concern"),
    ("area-for-improvement", "Areas for improvement"),
    ("innovative-practice", "Innovative practice"),
    ("promising-practice", "Promising practice"),
    ("strength", "What the force does well"),
    ("observation", "Other findings"),
)
assert {k for k, _ in GROUPS} >= set(PRACTICE_KINDS)

# The inspectorate names these forces with the article ("An inspection of the City of London Police").
_WITH_ARTICLE = frozenset({"city-of-london", "metropolitan"})

NOT_FOUND = "not found in the sources openpeel holds"


def inspected_name(force: Force) -> str:
    return f"the {force.name}" if force.force_id in _WITH_ARTICLE else force.name


def _date_text(day: dt.date | None) -> str:
    return f"{day.day} {day.strftime('%B %Y')}" if day else "date not stated"


def _clause(text: str) -> str:
    """A sentence as a clause inside another: no capital to open it, no full stop to close it."""
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:]


def published_line(
    framework: Framework, force_id: str, view: PublishedView | None
) -> PublishedGradeLine | None:
    """The inspectorate's grade for an area as the report shows it: date, kind of page, revision."""
    if view is None:
        return None
    short = view.published.strftime("%d/%m/%Y") if view.published else "no date"
    revised = [
        r
        for r in revisions()
        if r.force_id == force_id and r.year == framework.year and r.target == view.target
    ]
    revision = None
    if revised:
        steps = "; ".join(
            f"published as {framework.grade(r.grade_before).label.lower()}"
            f"{' on ' + _date_text(r.published_before) if r.published_before else ''}, changed to "
            f"{framework.grade(r.grade_after).label.lower()} on {_date_text(r.revised_on)} ({_clause(r.reason)})"
            for r in revised
        )
        revision = f"The inspectorate revised this grade: {steps}."
    return PublishedGradeLine(
        view.label,
        view.date_text,
        short,
        view.source_url,
        SOURCE_KIND_WORDS.get(view.source_kind, view.source_kind),
        revision,
    )


def whose_grade(question: Question, inputs: ReportInputs) -> str:
    """Whose openpeel's grade for the area is and its state, or why openpeel gives none."""
    shown = inputs.grades.get(question.id)
    proposal = inputs.proposals.get(question.id)
    if shown is None or shown.grade_id is None:
        return ungraded_basis(inputs, question.id)
    rubric = proposal.rubric_id if proposal else "the rubric"
    judgement = inputs.stored.get(question.id)
    if judgement is None:
        return f"proposed by openpeel's rubric ({rubric}); not yet recorded as a draft"
    rubric = judgement.rubric_id or rubric
    if judgement.current_grade and judgement.is_overridden:
        author = f"set by {setter(judgement)} for openpeel over the rubric's proposal"
    elif judgement.current_grade:
        author = f"proposed by openpeel's rubric ({rubric}), confirmed by {setter(judgement)}"
    else:
        author = f"proposed by openpeel's rubric ({rubric}), awaiting an inspector's confirmation"
    return f"{author}; {judgement.state}"


def _finding_paragraph(finding: Finding, evidence: EvidenceFile) -> Paragraph:
    inspection = evidence.inspection(finding.inspection)
    text = finding.text.strip()
    if finding.fact:
        text = f"{text} {fact_sentence(finding, evidence)}"
    return Paragraph((Segment(text),), finding.kind, f"{inspection.title} ({inspection.source})")


def finding_groups(
    findings: Sequence[Finding], evidence: EvidenceFile, stated: set[str]
) -> list[FindingGroup]:
    """The area's findings by kind. An observation that only restates figures the report states
    is left out (the figure is said once, with its comparison)."""
    kept = [
        f for f in findings if not (f.kind == "observation" and f.indicators and set(f.indicators) <= stated)
    ]
    out = []
    for kind, title in GROUPS:
        items = tuple(_finding_paragraph(f, evidence) for f in kept if f.kind == kind)
        if items:
            out.append(FindingGroup(title, kind, items))
    return out


def _area_note(question: Question, inputs: ReportInputs, findings: list[Finding]) -> list[Paragraph]:
    """Why an area's section shows no findings, where it shows none."""
    if findings:
        return []
    if inputs.evidence is None and question.graded:
        return []  # the grade line says why openpeel gives none
    notes = no_findings_note(question, inputs, findings)
    if not notes and inputs.evidence is not None:
        notes = [para("The findings loaded for this force hold nothing on this area.", kind="note")]
    if not question.graded:
        notes.append(
            para(f"The inspectorate does not grade this area in {inputs.framework.title}.", kind="note")
        )
    return notes


def _area_section(
    con: duckdb.DuckDBPyConnection,
    pillar: Pillar,
    question: Question,
    inputs: ReportInputs,
    shown: Framework | None,
    age: DataAge,
    state: _Progress,
) -> QuestionSection:
    framework, evidence = inputs.framework, inputs.evidence
    grade = inputs.grades.get(question.id)
    label = framework.grade(grade.grade_id).label if grade and grade.grade_id else None
    section = QuestionSection(
        question.id, question.area_name, question.graded, label, grade.note if label and grade else None
    )
    section.pillar_title = pillar.section_title
    view = inputs.published.get(question.id)
    section.published = published_line(framework, inputs.force.force_id, view)
    section.agreement = agreement(grade.grade_id if grade else None, view)
    if question.graded:
        section.openpeel_whose = whose_grade(question, inputs)
    findings = [f for f in evidence.findings if f.question == question.id] if evidence else []
    if shown is not None:
        paragraphs, present = data_sentences(
            question,
            framework,
            shown,
            age,
            {k: v for k, v in inputs.values.items() if k not in state.said},
            inputs.force.short_name,
            inputs.notes,
        )
        section.paragraphs += paragraphs
        state.used += present
        state.said |= {v.indicator.id for v in present}
        if question.has_police_uk_outcomes and not age.precedes:
            outcome_paras, entry = outcome_paragraphs(con, inputs.force, shown, inputs.sources)
            section.paragraphs += outcome_paras
            if entry is not None:
                state.entries.append(entry)
        section.charts += dated_charts(question, inputs.chart_data, inputs.force, state.charted, shown, age)
    if evidence is not None:
        section.groups = finding_groups(findings, evidence, state.said)
    section.notes = _area_note(question, inputs, findings)
    proposal = inputs.proposals.get(question.id)
    if shown is not None and proposal is not None and proposal.grade is None and proposal.flags:
        section.paragraphs += flag_paragraphs(proposal.flags, inputs.values, shown, age)
    return section


class _Progress:
    """What the sections have used so far: figures stated, charts drawn, appendix entries."""

    def __init__(self) -> None:
        self.said: set[str] = set()
        self.used: list[IndicatorValue] = []
        self.charted: set[str] = set()
        self.entries: list[Evidence] = []


def _area_rows(inputs: ReportInputs, sections: list[QuestionSection]) -> list[AreaGradeRow]:
    """The judgments table: every graded area, the inspectorate's grade or "not found", openpeel's."""
    by_id = {s.question_id: s for s in sections}
    rows = []
    for question in inputs.framework.questions():
        if not question.graded:
            continue
        section = by_id[question.id]
        not_found = None
        if section.published is None:
            not_found = NOT_FOUND
            if not question.graded_in_every_report:
                not_found += " (only some forces' reports grade this area)"
        rows.append(
            AreaGradeRow(
                question.area_name,
                question.id,
                section.published,
                not_found,
                section.grade_label,
                section.openpeel_whose or "",
            )
        )
    return rows


def count_paragraphs(force: Force, framework: Framework) -> list[Paragraph]:
    """Sources that give only how many areas got each grade, never which."""
    out = []
    for row in grade_counts():
        if row.force_id != force.force_id or row.year != framework.year:
            continue
        counts = [
            f"{framework.grade(g).label.lower()} in {n} area{'' if n == 1 else 's'}"
            for g, n in row.counts().items()
            if n
        ]
        kind = SOURCE_KIND_WORDS.get(row.source_kind, row.source_kind)
        note = f" ({row.note})" if row.note else ""
        out.append(
            para(
                f"Counts only: {kind} gives the number of areas the inspectorate graded at each grade, "
                f"not which area got which: {joined(counts)}{note}.",
                kind="note",
                source=row.source_url,
            )
        )
    return out


def grade_phrases(framework: Framework, graded: Sequence[tuple[Question, str]]) -> str:
    """'is good at A and at B, and requires improvement at C': areas of one grade said together,
    grades in the order they first come."""
    by_grade: dict[str, list[str]] = {}
    for question, grade_id in graded:
        by_grade.setdefault(grade_id, []).append(question.summary_phrase or question.area_name.lower())
    parts = []
    for grade_id, phrases in by_grade.items():
        first = f"{framework.grade(grade_id).summary_verb} {phrases[0]}"
        parts.append(joined([first, *(f"at {p}" for p in phrases[1:])]))
    return joined(parts)


def _published_summary(force: Force, framework: Framework, inputs: ReportInputs) -> list[Paragraph]:
    """The inspectorate's named grades in a sentence, or that the sources name none."""
    graded = [q for q in framework.questions() if q.graded]
    named = [(q, inputs.published[q.id]) for q in graded if q.id in inputs.published]
    if not named:
        counted = " (a source gives only how many areas got each grade: see below the table)"
        has_counts = any(r.force_id == force.force_id and r.year == framework.year for r in grade_counts())
        return [
            para(
                f"None of the sources openpeel holds names the inspectorate's {framework.title} grade for "
                f"any area of {force.name}{counted if has_counts else ''}."
            )
        ]
    dates = {v.published for _, v in named}
    when = f", published on {_date_text(next(iter(dates)))}" if len(dates) == 1 and None not in dates else ""
    rest = len(graded) - len(named)
    missing = f" The sources name no grade for the other {rest} areas of the table." if rest else ""
    return [
        para(
            f"In its {framework.title} grades{when} (the table below gives each one's date and source), "
            f"the inspectorate found that {force.name} "
            f"{grade_phrases(framework, [(q, v.grade_id) for q, v in named])}.{missing}"
        )
    ]


def _openpeel_summary(
    force: Force, framework: Framework, inputs: ReportInputs, has_figures: bool
) -> list[Paragraph]:
    evidence = inputs.evidence
    if evidence is None:
        then = (
            "The figures and data-led flags below show only where an inspection might look, and are "
            "not a judgement of the force."
            if has_figures
            else "This report does not show the official statistics either: the section on them below says why."
        )
        return [para(f"{inputs.progress.stage_sentence(force.name, framework.title)} {then}")]
    shown = [
        (q, g)
        for q in framework.questions()
        if q.graded and (g := inputs.grades.get(q.id)) is not None and g.grade_id is not None
    ]
    if not shown:
        return [para(f"openpeel's rubric proposes no grade for {force.name} from the findings loaded.")]
    whose = openpeel_whose(shown, inputs.stored, len(evidence.findings))
    phrases = grade_phrases(framework, [(q, g.grade_id) for q, g in shown if g.grade_id])
    agree = agreement_clause({q.id: g.grade_id for q, g in shown}, inputs.published, framework)
    return [para(f"{whose} the force {phrases}{agree}.")]


def _inspector_summary(inputs: ReportInputs) -> tuple[list[Paragraph], list[Paragraph]]:
    """The summary of the cycle's inspection from the evidence, and other inspections' summaries."""
    evidence, framework = inputs.evidence, inputs.framework
    if evidence is None:
        return [
            para(
                f"No inspection findings are loaded for {inputs.force.name} for {framework.title}, so "
                "this report has no account of the inspector's summary.",
                kind="note",
            )
        ], []
    main_kind = framework.inspection_kinds[0].id
    summaries = [i for i in evidence.inspections if i.summary]
    main = [i for i in summaries if i.kind == main_kind] or summaries[:1]
    summary = [para(i.summary.strip(), source=f"{i.title} ({i.source})") for i in main if i.summary] or [
        para("The findings loaded for this force hold no summary of the inspection.", kind="note")
    ]
    others = [
        para(i.summary.strip(), source=f"{i.title} ({i.source})")
        for i in summaries
        if i not in main and i.summary
    ]
    return summary, others


def _judgements(inputs: ReportInputs) -> tuple[list[JudgementRow], list[RuleLine]]:
    rows: list[JudgementRow] = []
    rules: list[RuleLine] = []
    evidence = inputs.evidence
    for question in inputs.framework.questions():
        proposal = inputs.proposals.get(question.id)
        if proposal is None:
            continue
        shown = inputs.grades.get(question.id)
        label = inputs.framework.grade(shown.grade_id).label if shown and shown.grade_id else None
        count = len([f for f in evidence.findings if f.question == question.id]) if evidence else 0
        view = inputs.published.get(question.id)
        rows.append(
            JudgementRow(
                question.area_name,
                label or "Not graded",
                f"{shown.note}; {count} finding{'' if count == 1 else 's'}"
                if shown and label
                else ungraded_basis(inputs, question.id),
                published_line(inputs.framework, inputs.force.force_id, view),
                agreement(shown.grade_id if shown else None, view),
            )
        )
        rules += [
            RuleLine(question.area_name, r.rule_id, r.fired, r.reason, r.findings, r.indicators)
            for r in proposal.rules
        ]
    return rows, rules


def build_area_report(
    con: duckdb.DuckDBPyConnection,
    force_id: str,
    year: int,
    evidence: EvidenceFile | None,
    *,
    age: DataAge | None = None,
    **given: Unpack[GivenInputs],
) -> Report:
    """The report of a cycle with a published report form (see the module's note).

    `values`, `chart_data` and `ew_values`, where given, are the figures at the periods the
    cycle's reports show (recent_data.report_values); `age` how far they precede the cycle."""
    framework = load_framework(year)
    form = framework.report
    if form is None:
        raise ValueError(f"{framework.title} has no report form; its reports are pillar reports")
    force = get_force(force_id)
    if age is None:
        age = data_age(con, framework)
    shown = report_framework(framework, age)
    # The cycle's own readings of what is not given: figures at the periods its reports show,
    # and the rubric over every area (load_report_inputs would read the pillar reports' ones).
    given = GivenInputs(**given)
    values = given.get("values")
    if values is None:
        values = given["values"] = report_values(con, framework, age, force.force_id)
    if given.get("chart_data") is None:
        given["chart_data"] = report_chart_data(con, framework, age)
    if given.get("ew_values") is None:
        given["ew_values"] = report_values(con, framework, age, EW_ID)
    if given.get("proposals") is None:
        given["proposals"] = propose_grades(framework, evidence, values, pillars=None)
    inputs = load_report_inputs(con, force_id, year, evidence, **given)
    state = _Progress()
    sections = [
        _area_section(con, pillar, question, inputs, shown, age, state)
        for pillar in framework.pillars
        for question in pillar.questions
    ]
    judgements, rules = _judgements(inputs)
    summary, others = _inspector_summary(inputs)
    entries, caveats, source_list = appendix(
        force, evidence, inputs.sources, state.used, state.entries, inputs.ew_values
    )
    return Report(
        force_id=force.force_id,
        force_name=force.name,
        force_short_name=force.short_name,
        year=year,
        title=form.title.format(force=inspected_name(force)),
        section_title=form.section_title,
        last_updated=dt.date.today(),
        is_data_led=evidence is None,
        summary=[
            *_published_summary(force, framework, inputs),
            *_openpeel_summary(force, framework, inputs, shown is not None),
        ],
        overview=[],
        further_insights_title="Other inspections",
        further_insights=others,
        questions_title="The areas inspected",
        questions=sections,
        judgements=judgements,
        evidence=entries,
        rules=rules,
        caveats=caveats,
        sources=source_list,
        **standing_fields(inputs, [(s.question_id, s.grade_label) for s in sections]),
        shape=form.shape,
        judgments_title=form.judgments_title,
        area_grades=_area_rows(inputs, sections),
        grade_counts=count_paragraphs(force, framework),
        inspector_summary_title=form.summary_title,
        inspector_summary=summary,
        data_title="The official statistics",
        data_note=data_note(framework, age, shown),
    )
