"""Building a force's report (the document model) from the warehouse, framework and evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, TypedDict, Unpack

import duckdb

from openpeel.assessment import Proposal, propose_grades
from openpeel.assessment.judgements import Judgement
from openpeel.assessment.progress import Progress, progress_of
from openpeel.evidence import EvidenceFile, Finding
from openpeel.forces import EW_ID, Force, get_force
from openpeel.framework import Framework, Question, load_framework
from openpeel.indicators.data_age import DataAge
from openpeel.indicators.query import IndicatorValue, source_files, values_by_indicator
from openpeel.publish import charts, narrative, prose
from openpeel.publish.appendix import appendix
from openpeel.publish.chart_data import YearChartData, load_chart_data
from openpeel.publish.credits import credit_lines, setter
from openpeel.publish.evidence_entries import outcome_paragraphs
from openpeel.publish.inspectorate_grades import (
    PublishedView,
    agreement,
    agreement_clause,
    joined,
    published_summary,
    published_views,
)
from openpeel.publish.model import (
    Chart,
    Evidence,
    JudgementRow,
    Paragraph,
    PublishedGradeLine,
    QuestionSection,
    Report,
    RuleLine,
    Segment,
    para,
)

SUMMARY_SUBJECTS = ("{name}", "The force", "It")


def period_label(framework: Framework, family: str) -> str:
    period = framework.data_periods.get(family)
    return period.label if period else ""


SUPPLIED_FAMILIES = ("imported", "workforce")
EXTRA_DIFFERENCES = 3


def question_values(
    question: Question, framework: Framework, values: dict[str, IndicatorValue]
) -> list[IndicatorValue]:
    """The question's indicators: the framework's primary and supporting ones, then the
    catalogue's other indicators for the question that are supplied measures (imported,
    workforce) or differ significantly and materially from England and Wales (the most marked
    few), so a report neither floods with figures nor hides a striking one."""
    wanted = [*question.primary_indicators, *question.supporting_indicators]
    # Figures the indicator itself sets aside for this area (City of London's rates per resident)
    # are left out: the caveats say why.
    values = {k: v for k, v in values.items() if v.area_id not in v.indicator.rank_excludes}
    chosen = [values[i] for i in wanted if i in values]
    extras = [
        v
        for v in values.values()
        if v.indicator.id not in wanted and question.id in v.indicator.questions.get(framework.year, ())
    ]
    supplied = [v for v in extras if v.indicator.period_family in SUPPLIED_FAMILIES]
    different = sorted(
        (v for v in extras if v not in supplied and v.band in ("higher", "lower")),
        key=lambda v: -abs(v.z_score or 0.0),
    )[:EXTRA_DIFFERENCES]
    order = {"change": 0, "rate": 1, "proportion": 2}
    chosen.sort(key=lambda v: (order[v.indicator.kind], -(v.indicator.years or 0)))
    return chosen + sorted(supplied, key=lambda v: v.indicator.id) + different


def _data_paragraphs(
    question: Question,
    framework: Framework,
    values: dict[str, IndicatorValue],
    place: str,
    said: AbstractSet[str] = frozenset(),
    notes: narrative.RecordingNotes | None = None,
) -> tuple[list[Paragraph], list[IndicatorValue]]:
    """Sentences for the question's indicators, most telling first; returns the values used.

    Indicators in `said` (the overview states them) are not said again. Each period is named
    once in the paragraph; every change names its span ("over the same four years" once the
    period is named). Crime figures carry what the inspectorate found about the force's
    recording, and counts recording drives say why neither direction is better."""
    present = [v for v in question_values(question, framework, values) if v.indicator.id not in said]
    sentences: list[Segment] = []
    stated: set[str] = set()
    subjects: list[tuple[IndicatorValue, str]] = []
    for value in present:
        label = period_label(framework, value.indicator.period_family)
        ind = value.indicator
        years = ind.years or 1
        key = label if years == 1 else f"{label}/{years}"
        fresh = key not in stated
        stated.add(key)
        subject = ind.short_title
        if ind.kind == "rate" and ind.unit == "per 1,000 population":
            segs = narrative.rate_sentence(value, place, label if fresh else None, narrative.count_noun(ind))
        elif ind.kind in ("rate", "proportion"):
            segs = narrative.measure_sentence(value, place, label if fresh else None)
        else:
            span = narrative.change_span(value, label, fresh=fresh)
            subject = f"{ind.short_title} in {place}" if years > 1 else ind.short_title
            if ind.short_title == "anti-social behaviour":
                subject = subject.replace("anti-social behaviour", "anti-social behaviour incidents", 1)
            segs = narrative.change_sentence(value, subject, span)
        subjects.append((value, subject))
        if sentences:
            sentences.append(Segment(" "))
        sentences.extend(segs)
    if sentences:
        sentences += narrative.caveat_sentence(subjects)
        sentences += (notes or narrative.RecordingNotes()).sentence(subjects)
    return ([Paragraph(tuple(sentences), "data")] if sentences else []), present


@dataclass(frozen=True)
class ShownGrade:
    """The grade a report shows for a question, and how it stands."""

    grade_id: str | None
    note: str
    published: bool = False
    """The grade is a published judgement's (else a proposal or a judgement not yet published)"""


def shown_grades(
    framework: Framework, proposals: dict[str, Proposal], stored: dict[str, Judgement]
) -> dict[str, ShownGrade]:
    """Stored judgements win (confirmed, overridden, moderated, published); else the rubric's proposal."""
    out: dict[str, ShownGrade] = {}
    for question_id, proposal in proposals.items():
        judgement = stored.get(question_id)
        if judgement is None:
            # Say the state even here: a proposal no one has stored is not yet even a draft.
            note = (
                f"proposed by {proposal.rubric_id}; not yet recorded as a draft in the workspace"
                if proposal.grade
                else "no inspection findings loaded"
            )
            out[question_id] = ShownGrade(proposal.grade, note)
            continue
        grade = judgement.current_grade or judgement.proposed_grade
        if judgement.current_grade and judgement.is_overridden:
            proposed = (
                framework.grade(judgement.proposed_grade).label.lower()
                if judgement.proposed_grade
                else "none"
            )
            note = f"set by {setter(judgement)} over the rubric's {proposed}: {judgement.rationale}"
        elif judgement.current_grade:
            note = f"proposed by {judgement.rubric_id or proposal.rubric_id}, confirmed"
        elif grade:
            note = f"proposed by {judgement.rubric_id or proposal.rubric_id}, awaiting an inspector's confirmation"
        else:
            note = judgement.status_note
        out[question_id] = ShownGrade(grade, f"{judgement.state}; {note}", judgement.state == "published")
    return out


def openpeel_whose(
    grades: list[tuple[Question, ShownGrade]], stored: dict[str, Judgement], found: int
) -> str:
    """Whose grades the summary states, and in what state: said in the sentence that states them."""
    judged = [stored[q.id] for q, _ in grades if q.id in stored and stored[q.id].current_grade]
    overridden = sum(1 for j in judged if j.is_overridden)
    over = (
        f", {overridden} of them set by an inspector over the rubric's proposal,"
        if overridden > 1
        else ", one set by an inspector over the rubric's proposal,"
        if overridden
        else ""
    )
    states = {stored[q.id].state for q, _ in grades if q.id in stored and stored[q.id].current_grade}
    if not judged:
        return (
            f"openpeel's rubric proposes, from the {found} inspection finding{'' if found == 1 else 's'} "
            "loaded (not yet confirmed by an inspector), that"
        )
    if len(judged) == len(grades) and states == {"published"}:
        return f"openpeel's published judgements{over} are that"
    return f"openpeel's grades{over} (each question below gives its state) are that"


def _summary(
    force: Force,
    framework: Framework,
    grades: dict[str, ShownGrade],
    evidence: EvidenceFile | None,
    inputs: ReportInputs,
) -> list[Paragraph]:
    """The summary: the inspectorate's published grades first, as facts with their date and
    source, then openpeel's, named as openpeel's (and in what state) in the sentence that states
    them; where openpeel shows none, why not and what comes next."""
    out = published_summary(force, framework, inputs.published)
    progress = inputs.progress
    if evidence is None:
        sentences = [progress.stage_sentence(force.name, framework.title)]
        sentences.append(
            "This report is a data-led scan of the official statistics: it shows where an inspection "
            "might look first, and is not a judgement of the force."
        )
        return [*out, para(" ".join(sentences))]
    shown: list[tuple[Question, ShownGrade]] = []
    missing: list[Question] = []
    for question in framework.questions():
        grade = grades.get(question.id)
        if grade is None:
            continue
        if grade.grade_id is None:
            missing.append(question)
        else:
            shown.append((question, grade))
    sentences = []
    if shown:
        phrases = [
            f"{framework.grade(g.grade_id).summary_verb} {q.summary_phrase}" for q, g in shown if g.grade_id
        ]
        stored = inputs.stored
        whose = openpeel_whose(shown, stored, len(evidence.findings))
        subject = "the force" if out else force.name
        agree = agreement_clause({q.id: g.grade_id for q, g in shown}, inputs.published, framework)
        sentences.append(f"{whose} {subject} {joined(phrases)}{agree}.")
    for question in missing:
        sentences.append(
            f"openpeel has no findings to grade how well the force does at {question.summary_phrase}."
        )
    return [*out, para(" ".join(sentences))] if sentences else out


def _overview(
    force: Force,
    framework: Framework,
    values: dict[str, IndicatorValue],
    evidence: EvidenceFile | None,
    notes: narrative.RecordingNotes | None = None,
) -> tuple[list[Paragraph], list[IndicatorValue]]:
    paragraphs: list[Paragraph] = []
    used: list[IndicatorValue] = []
    segments: list[Segment] = []
    subjects: list[tuple[IndicatorValue, str]] = []
    for ind_id, family, subject in (
        ("recorded_crime_change_1y_pct", "recorded_crime", "recorded crime (excluding fraud)"),
        ("asb_change_1y_pct", "asb", "anti-social behaviour incidents"),
    ):
        value = values.get(ind_id)
        if value is None:
            continue
        if segments:
            segments.append(Segment(" "))
        span = narrative.change_span(value, period_label(framework, family))
        segments += narrative.change_sentence(value, subject, span)
        subjects.append((value, subject))
        used.append(value)
    if segments:
        segments += (notes or narrative.RecordingNotes()).sentence(subjects)
        paragraphs.append(Paragraph(tuple(segments), "data"))
    if evidence is not None:
        paragraphs += prose.overview_findings(framework, evidence)
    return paragraphs, used


def question_charts(question: Question, data: YearChartData, force: Force, done: set[str]) -> list[Chart]:
    """Trend and funnel charts for the question's rates, ranked bars for its primary changes."""
    out: list[Chart | None] = []
    for ind_id in [*question.primary_indicators, *question.supporting_indicators]:
        section = data.sections.get(ind_id)
        if section is None or ind_id in done:
            continue
        ind = section.indicator
        if ind.kind == "rate":
            if force.force_id in ind.rank_excludes:
                continue
            out.append(charts.trend_chart(data, ind, force.force_id, force.short_name))
            out.append(charts.funnel_chart(section, force.force_id, force.short_name))
        elif ind_id in question.primary_indicators:
            out.append(charts.ranked_chart(section, force.force_id, force.short_name))
        else:
            continue
        done.add(ind_id)
    return [c for c in out if c is not None]


@dataclass
class ReportInputs:
    """Everything a report is written from, read once before any sentence is built."""

    force: Force
    framework: Framework
    evidence: EvidenceFile | None
    values: dict[str, IndicatorValue]
    chart_data: YearChartData
    proposals: dict[str, Proposal]
    grades: dict[str, ShownGrade]
    sources: dict[str, dict[str, object]]
    published: dict[str, PublishedView] = dataclass_field(default_factory=dict)
    """the inspectorate's published grades for the force and cycle, by pillar or question id
    (load_report_inputs fills it)"""
    notes: narrative.RecordingNotes = dataclass_field(default_factory=narrative.RecordingNotes)
    """what the report has said about the force's recording (said in full once)"""
    stored: dict[str, Judgement] = dataclass_field(default_factory=dict)
    """the judgements shown, by question id"""
    progress: Progress = dataclass_field(default_factory=Progress)
    """how far the force's assessment has got (findings loaded, judgements' states)"""
    ew_values: dict[str, IndicatorValue] = dataclass_field(default_factory=dict)
    """England and Wales's values, by indicator (the appendix's test intervals)"""


class GivenInputs(TypedDict, total=False):
    """What a caller building many reports passes once, the same for all of them or cheaper read
    in one go (openpeel.publish.cycle.Cycle does); whatever is left out (or None) is read for the
    one report. `stored`: the workspace store's judgements (none when not given)."""

    chart_data: YearChartData | None
    values: dict[str, IndicatorValue] | None
    stored: dict[str, Judgement] | None
    proposals: dict[str, Proposal] | None
    sources: dict[str, dict[str, object]] | None
    progress: Progress | None
    ew_values: dict[str, IndicatorValue] | None


def load_report_inputs(
    con: duckdb.DuckDBPyConnection,
    force_id: str,
    year: int,
    evidence: EvidenceFile | None,
    **given: Unpack[GivenInputs],
) -> ReportInputs:
    force = get_force(force_id)
    framework = load_framework(year)
    chart_data = given.get("chart_data")
    if chart_data is None:
        chart_data = load_chart_data(con, framework)
    values = given.get("values")
    if values is None:
        values = values_by_indicator(con, framework, force.force_id)
    proposals = given.get("proposals")
    if proposals is None:
        proposals = propose_grades(framework, evidence, values)
    stored = given.get("stored")
    if stored is None or evidence is None:
        stored = {}
    sources, progress, ew_values = given.get("sources"), given.get("progress"), given.get("ew_values")
    grades = shown_grades(framework, proposals, stored)
    return ReportInputs(
        force,
        framework,
        evidence,
        values,
        chart_data,
        proposals,
        grades,
        source_files(con) if sources is None else sources,
        published_views(framework, force.force_id),
        stored=stored,
        progress=progress if progress is not None else progress_of(evidence, stored),
        ew_values=values_by_indicator(con, framework, EW_ID) if ew_values is None else ew_values,
    )


def no_findings_note(question: Question, inputs: ReportInputs, findings: list[Finding]) -> list[Paragraph]:
    """Why a section shows no findings: none loaded, loaded but not published, or no inspection."""
    evidence = inputs.evidence
    if findings:
        return []
    unshown = inputs.progress.findings.get(question.id, 0) > 0
    if evidence is None or unshown:
        return [para(inputs.progress.question_note(question.id), kind="note")]
    inspected = any(i.kind in question.inspection_kinds for i in evidence.inspections)
    if inspected:
        return []
    kind = inputs.framework.inspection_kind(question.inspection_kinds[0])
    return [para(f"There was no {kind.title} inspection for this force.", kind="note")]


def _question_section(
    con: duckdb.DuckDBPyConnection,
    question: Question,
    inputs: ReportInputs,
    charted: set[str],
    said: AbstractSet[str],
) -> tuple[QuestionSection, list[IndicatorValue], Evidence | None]:
    """One framework question's section: grade, data sentences, outcomes, charts, findings.

    `said` holds the indicators the overview has stated, which the section does not repeat."""
    framework, values, evidence = inputs.framework, inputs.values, inputs.evidence
    proposal = inputs.proposals.get(question.id)
    shown = inputs.grades.get(question.id)
    grade_label = grade_note = None
    if shown is not None and shown.grade_id is not None:
        grade_label = framework.grade(shown.grade_id).label
        grade_note = shown.note
    section = QuestionSection(question.id, question.text, question.graded, grade_label, grade_note)
    section.published, section.agreement = _published_line(inputs, question.id)
    data_paras, used = _data_paragraphs(
        question, framework, values, inputs.force.short_name, said, inputs.notes
    )
    section.paragraphs += data_paras
    outcome_entry = None
    if question.has_police_uk_outcomes:
        outcome_paras, outcome_entry = outcome_paragraphs(con, inputs.force, framework, inputs.sources)
        section.paragraphs += outcome_paras
    section.charts += question_charts(question, inputs.chart_data, inputs.force, charted)
    findings = [f for f in evidence.findings if f.question == question.id] if evidence else []
    if evidence is not None:
        stated = set(said) | {v.indicator.id for v in used}
        section.paragraphs += prose.section_findings(findings, evidence, stated)
    section.paragraphs += no_findings_note(question, inputs, findings)
    if proposal is not None and proposal.grade is None and proposal.flags:
        flagged = [values[f.split(":")[0]] for f in proposal.flags if f.split(":")[0] in values]
        section.paragraphs += [
            para(
                "Data-led flag: "
                + narrative.flag_text(v, period_label(framework, v.indicator.period_family), inputs.notes)
                + ".",
                kind="note",
            )
            for v in flagged
        ]
    return section, used, outcome_entry


def _published_line(inputs: ReportInputs, question_id: str) -> tuple[PublishedGradeLine | None, str | None]:
    """The inspectorate's published grade for the question, and whether openpeel's agrees."""
    view = inputs.published.get(question_id)
    if view is None:
        return None, None
    shown = inputs.grades.get(question_id)
    short = view.published.strftime("%d/%m/%Y") if view.published else "no date"
    line = PublishedGradeLine(view.label, view.date_text, short, view.source_url)
    return line, agreement(shown.grade_id if shown else None, view)


def ungraded_basis(inputs: ReportInputs, question_id: str) -> str:
    """Why openpeel shows no grade for a question: no findings, or findings not yet published."""
    loaded = inputs.progress.findings.get(question_id, 0)
    if inputs.evidence is None and loaded:
        state = inputs.progress.states.get(question_id, "not yet recorded")
        return f"{loaded} finding{'' if loaded == 1 else 's'} loaded; judgement not published ({state})"
    return "no inspection findings loaded"


def _judgement_rows(
    inputs: ReportInputs, sections: list[QuestionSection]
) -> tuple[list[JudgementRow], list[RuleLine]]:
    judgements: list[JudgementRow] = []
    rules: list[RuleLine] = []
    evidence = inputs.evidence
    for question, section in zip(inputs.framework.pillars[0].questions, sections, strict=True):
        proposal = inputs.proposals.get(question.id)
        if proposal is None:
            continue
        shown = inputs.grades.get(question.id)
        count = len([f for f in evidence.findings if f.question == question.id]) if evidence else 0
        judgements.append(
            JudgementRow(
                question.text,
                section.grade_label or "Not graded",
                f"{shown.note}; {count} finding{'' if count == 1 else 's'}"
                if shown and shown.grade_id
                else ungraded_basis(inputs, question.id),
                section.published,
                section.agreement,
            )
        )
        rules += [
            RuleLine(question.text, r.rule_id, r.fired, r.reason, r.findings, r.indicators)
            for r in proposal.rules
        ]
    return judgements, rules


def standing_fields(inputs: ReportInputs, sections: Iterable[tuple[str, str | None]]) -> dict[str, Any]:
    """The Report fields every report form shares that say where its grades stand: who the
    grades are credited to, whether any is unpublished (the draft mark), the progress stage and
    its sentence, the findings' publication dates, and the questions with findings whose grade is
    not shown because it is not published (`sections`: each question id with the grade label
    its section shows, None for none)."""
    framework, evidence, progress = inputs.framework, inputs.evidence, inputs.progress
    return {
        "attribution": tuple(credit_lines(framework, inputs.stored) if evidence is not None else ()),
        "is_draft": any(g.grade_id and not g.published for g in inputs.grades.values()),
        "stage": progress.stage,
        "stage_note": progress.stage_sentence(inputs.force.name, framework.title),
        "findings_published": findings_dates(evidence),
        "unpublished_questions": tuple(
            question_id
            for question_id, label in sections
            if label is None
            and progress.findings.get(question_id)
            and progress.states.get(question_id) != "published"
        ),
    }


def findings_dates(evidence: EvidenceFile | None) -> tuple[dt.date | None, ...]:
    """The publication dates of the inspections whose findings the report shows (None: undated)."""
    if evidence is None:
        return ()
    used = {f.inspection for f in evidence.findings} | {i.id for i in evidence.inspections if i.summary}
    return tuple(i.published for i in evidence.inspections if i.id in used)


def build_report(
    con: duckdb.DuckDBPyConnection,
    force_id: str,
    year: int,
    evidence: EvidenceFile | None,
    *,
    age: DataAge | None = None,
    **given: Unpack[GivenInputs],
) -> Report:
    """The report's document model.

    A cycle whose framework gives its published report form (PEEL 2021/22 on) gets a report in
    that form (publish/recent.py; `age`: how far its figures precede the cycle, read when not
    given); the cycles to 2018/19 get the pillar report built here.

    When building many reports, pass what is the same for all of them or cheaper read in one go
    (`given`, see GivenInputs). Grades come from the `stored` judgements where an inspector has
    acted on them, else from the rubric's proposals.
    """
    if load_framework(year).report is not None:
        # Imported here: the graded-areas builder is built on this module's parts.
        from openpeel.publish.recent import build_area_report

        return build_area_report(con, force_id, year, evidence, age=age, **given)
    inputs = load_report_inputs(con, force_id, year, evidence, **given)
    force, framework = inputs.force, inputs.framework
    pillar = framework.pillars[0]
    overview, used = _overview(force, framework, inputs.values, evidence, inputs.notes)
    charted: set[str] = set()
    questions: list[QuestionSection] = []
    extra_entries: list[Evidence] = []
    for question in pillar.questions:
        said = {v.indicator.id for v in used}
        section, section_used, outcome_entry = _question_section(con, question, inputs, charted, said)
        questions.append(section)
        used += section_used
        if outcome_entry is not None:
            extra_entries.append(outcome_entry)
    judgements, rules = _judgement_rows(inputs, questions)
    questions_shown = {q.id for q in pillar.questions}
    further = prose.further_insights(evidence, questions_shown) if evidence is not None else []
    entries, caveats, source_list = appendix(
        force, evidence, inputs.sources, used, extra_entries, inputs.ew_values
    )
    return Report(
        force_id=force.force_id,
        force_name=force.name,
        force_short_name=force.short_name,
        year=year,
        title=f"{force.short_name} {framework.title}",
        section_title=pillar.section_title,
        # This version's own date: when it was built (publish/publication.py sets the publication
        # date on a published version); the inspectorate's dates are labelled as its own.
        last_updated=dt.date.today(),
        is_data_led=evidence is None,
        summary=_summary(force, framework, inputs.grades, evidence, inputs),
        overview=overview,
        further_insights_title=f"Further insights on {pillar.title.lower()}",
        further_insights=further,
        questions_title=f"Questions for {pillar.title}",
        questions=questions,
        judgements=judgements,
        evidence=entries,
        rules=rules,
        caveats=caveats,
        sources=source_list,
        **standing_fields(
            inputs,
            [(q.id, section.grade_label) for q, section in zip(pillar.questions, questions, strict=True)],
        ),
    )
