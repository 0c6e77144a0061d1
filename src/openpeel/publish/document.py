"""Building a force's report (the document model) from the warehouse, framework and evidence."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from openpeel.assessment import Proposal, propose_grades
from openpeel.assessment.judgements import Judgement, current_judgements
from openpeel.evidence import EvidenceFile, Finding
from openpeel.forces import Force, get_force
from openpeel.framework import Framework, Question, load_framework
from openpeel.indicators.query import IndicatorValue, source_files, values_by_indicator
from openpeel.publish import charts, narrative
from openpeel.publish.chart_data import YearChartData, load_chart_data
from openpeel.publish.model import (
    Chart,
    Evidence,
    JudgementRow,
    Paragraph,
    QuestionSection,
    Report,
    RuleLine,
    Segment,
    para,
)

SUMMARY_SUBJECTS = ("{name}", "The force", "It")
FINDING_LABELS = {
    "strength": "Strength",
    "area-for-improvement": "Area for improvement",
    "cause-of-concern": "Cause of concern",
    "observation": "Observation",
}


def _period_label(framework: Framework, family: str) -> str:
    period = framework.data_periods.get(family)
    return period.label if period else ""


def _finding_paragraph(finding: Finding, evidence: EvidenceFile) -> Paragraph:
    inspection = evidence.inspection(finding.inspection)
    return para(finding.text.strip(), kind=finding.kind, source=f"{inspection.title} ({inspection.source})")


def _data_paragraphs(
    question: Question, framework: Framework, values: dict[str, IndicatorValue], place: str
) -> tuple[list[Paragraph], list[IndicatorValue]]:
    """Sentences for the question's indicators, most telling first; returns the values used."""
    wanted = [*question.primary_indicators, *question.supporting_indicators]
    present = [values[i] for i in wanted if i in values]
    order = {"change": 0, "rate": 1}
    present.sort(key=lambda v: (order[v.indicator.kind], -(v.indicator.years or 0)))
    sentences: list[Segment] = []
    for value in present:
        label = _period_label(framework, value.indicator.period_family)
        ind = value.indicator
        if ind.kind == "rate":
            what = (
                "recorded crimes (excluding fraud)"
                if ind.short_title == "recorded crime"
                else f"{ind.short_title} incidents"
            )
            segs = narrative.rate_sentence(value, place, label, what)
        else:
            span = (
                f"Over the {'four years' if ind.years == 4 else f'{ind.years} years'} to {narrative.month_year(value.period_end)}"
                if (ind.years or 1) > 1
                else f"In the {label}, compared with a year earlier"
            )
            subject = f"{ind.short_title} in {place}" if (ind.years or 1) > 1 else ind.short_title
            if ind.short_title == "anti-social behaviour":
                subject = subject.replace("anti-social behaviour", "anti-social behaviour incidents", 1)
            segs = narrative.change_sentence(value, subject, span)
        if sentences:
            sentences.append(Segment(" "))
        sentences.extend(segs)
    return ([Paragraph(tuple(sentences), "data")] if sentences else []), present


def _evidence_entry(value: IndicatorValue, force: Force, sources: dict[str, dict[str, object]]) -> Evidence:
    ind = value.indicator
    unit = ind.unit
    area = force.name if value.area_id == force.force_id else value.area_id
    period = f"{ind.period_family.replace('_', ' ')} period ending {value.period_end.isoformat()}"
    if value.base_period_end:
        period += f", compared with the period ending {value.base_period_end.isoformat()}"
    if ind.kind == "rate":
        counts = f"{value.numerator:,.0f} counted; population {value.denominator:,.0f}"
        shown = f"{value.value:.2f} {unit}"
        ew = f"{value.ew_value:.2f} {unit}" if value.ew_value is not None else None
    else:
        counts = f"{value.numerator:,.0f} now; {value.denominator:,.0f} in the base period"
        shown = f"{value.value:+.2f}%"
        ew = f"{value.ew_value:+.2f}%" if value.ew_value is not None else None
    interval = None
    if value.ci_low is not None and value.ci_high is not None:
        interval = (
            f"{value.ci_low:.2f} to {value.ci_high:.2f}"
            if ind.kind == "rate"
            else f"{value.ci_low:+.2f}% to {value.ci_high:+.2f}%"
        )
    comparison = None
    if value.band is not None:
        z = f"z = {value.z_score:.2f}" if value.z_score is not None else "z not defined"
        comparison = (
            f"{value.band} ({z}; significant: {'yes' if value.is_significant else 'no'}; "
            f"material at {ind.materiality:g}{'' if ind.kind == 'rate' else ' points'}: {'yes' if value.is_material else 'no'})"
        )
    rank = f"{value.rank} of {value.rank_of} (1 = best)" if value.rank else None
    source_lines = []
    for source_id in value.source_ids:
        info = sources.get(source_id)
        if info:
            source_lines.append(
                f"{info['dataset']} — {info['publisher']}; file {info['path']} (sha256 {str(info['sha256'])[:12]}…); read from {info['read_from']}"
            )
        else:
            source_lines.append(source_id)
    return Evidence(
        anchor=narrative.anchor(value),
        indicator_id=ind.id,
        title=ind.title,
        area=area,
        period=period,
        value=shown,
        unit=unit,
        ew_value=ew,
        interval=interval,
        comparison=comparison,
        rank=rank,
        counts=counts,
        sources=tuple(source_lines),
        notes=ind.comparability,
    )


@dataclass(frozen=True)
class ShownGrade:
    """The grade a report shows for a question, and how it stands."""

    grade_id: str | None
    note: str


def shown_grades(
    framework: Framework, proposals: dict[str, Proposal], stored: dict[str, Judgement]
) -> dict[str, ShownGrade]:
    """Stored judgements win (confirmed, overridden, moderated, published); else the rubric's proposal."""
    out: dict[str, ShownGrade] = {}
    for question_id, proposal in proposals.items():
        judgement = stored.get(question_id)
        if judgement is None:
            note = f"proposed by {proposal.rubric_id}" if proposal.grade else "no inspection findings loaded"
            out[question_id] = ShownGrade(proposal.grade, note)
            continue
        grade = judgement.current_grade or judgement.proposed_grade
        if judgement.current_grade and judgement.is_overridden:
            proposed = (
                framework.grade(judgement.proposed_grade).label.lower()
                if judgement.proposed_grade
                else "none"
            )
            note = f"set by {judgement.updated_by} over the rubric's {proposed}: {judgement.rationale}"
        elif judgement.current_grade:
            note = f"proposed by {judgement.rubric_id or proposal.rubric_id}, confirmed"
        elif grade:
            note = f"proposed by {judgement.rubric_id or proposal.rubric_id}, awaiting an inspector's confirmation"
        else:
            note = judgement.status_note
        out[question_id] = ShownGrade(grade, f"{judgement.state}; {note}")
    return out


def _summary(
    force: Force, framework: Framework, grades: dict[str, ShownGrade], evidence: EvidenceFile | None
) -> list[Paragraph]:
    if evidence is None:
        return [
            para(
                f"No inspection findings are loaded for {force.name} for {framework.title}, so openpeel gives no "
                "grades. This report is a data-led scan of the official statistics: it shows where an inspection "
                "might look first, and is not a judgement of the force."
            )
        ]
    sentences = []
    graded = 0
    for question in framework.questions():
        shown = grades.get(question.id)
        if shown is None:
            continue
        if shown.grade_id is None:
            sentences.append(f"There are no findings to grade how well it does at {question.summary_phrase}.")
            continue
        subject = SUMMARY_SUBJECTS[min(graded, len(SUMMARY_SUBJECTS) - 1)].format(name=force.name)
        grade = framework.grade(shown.grade_id)
        sentences.append(f"{subject} {grade.summary_verb} {question.summary_phrase}.")
        graded += 1
    return [para(" ".join(sentences))]


def _overview(
    force: Force,
    framework: Framework,
    values: dict[str, IndicatorValue],
    evidence: EvidenceFile | None,
) -> tuple[list[Paragraph], list[IndicatorValue]]:
    paragraphs: list[Paragraph] = []
    used: list[IndicatorValue] = []
    segments: list[Segment] = []
    crime = values.get("recorded_crime_change_1y_pct")
    if crime is not None:
        label = _period_label(framework, "recorded_crime")
        segments += narrative.change_sentence(crime, "recorded crime (excluding fraud)", f"In the {label}")
        used.append(crime)
    asb = values.get("asb_change_1y_pct")
    if asb is not None:
        if segments:
            segments.append(Segment(" "))
        label = _period_label(framework, "asb")
        segments += narrative.change_sentence(asb, "anti-social behaviour incidents", f"In the {label}")
        used.append(asb)
    if segments:
        paragraphs.append(Paragraph(tuple(segments), "data"))
    if evidence is not None:
        paragraphs += [_finding_paragraph(f, evidence) for f in evidence.findings if f.in_overview]
    return paragraphs, used


def _question_charts(question: Question, data: YearChartData, force: Force, done: set[str]) -> list[Chart]:
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


def build_report(
    con: duckdb.DuckDBPyConnection,
    force_id: str,
    year: int,
    evidence: EvidenceFile | None,
    *,
    chart_data: YearChartData | None = None,
    values: dict[str, IndicatorValue] | None = None,
    stored: dict[str, Judgement] | None = None,
) -> Report:
    """The report's document model.

    When building many reports, pass what is the same for all of them or cheaper read in one go:
    `chart_data` (load_chart_data) and the force's `values` (from one values_for_year call).
    Grades come from the `stored` judgements (read from the warehouse when not given) where an
    inspector has acted on them, else from the rubric's proposals.
    """
    force = get_force(force_id)
    framework = load_framework(year)
    if chart_data is None:
        chart_data = load_chart_data(con, framework)
    charted: set[str] = set()
    if values is None:
        values = values_by_indicator(con, framework, force.force_id)
    proposals = propose_grades(framework, evidence, values)
    if stored is None:
        stored = current_judgements(con, force.force_id, year) if evidence is not None else {}
    grades = shown_grades(framework, proposals, stored)
    pillar = framework.pillars[0]
    place = force.short_name
    used: list[IndicatorValue] = []

    overview, overview_used = _overview(force, framework, values, evidence)
    used += overview_used

    questions: list[QuestionSection] = []
    judgements: list[JudgementRow] = []
    rules: list[RuleLine] = []
    for question in pillar.questions:
        proposal = proposals.get(question.id)
        shown = grades.get(question.id)
        grade_label = None
        grade_note = None
        if shown is not None and shown.grade_id is not None:
            grade_label = framework.grade(shown.grade_id).label
            grade_note = shown.note
        section = QuestionSection(question.id, question.text, question.graded, grade_label, grade_note)
        data_paras, data_used = _data_paragraphs(question, framework, values, place)
        used += data_used
        section.paragraphs += data_paras
        section.charts += _question_charts(question, chart_data, force, charted)
        findings = [f for f in evidence.findings if f.question == question.id] if evidence else []
        section.paragraphs += [_finding_paragraph(f, evidence) for f in findings if evidence]
        if evidence is not None:
            inspected = any(i.kind in question.inspection_kinds for i in evidence.inspections)
            if not findings and not inspected:
                kind = framework.inspection_kind(question.inspection_kinds[0])
                section.paragraphs.append(
                    para(f"There was no {kind.title} inspection for this force.", kind="note")
                )
        elif not findings:
            section.paragraphs.append(
                para("No inspection findings are loaded for this question.", kind="note")
            )
        if proposal is not None and proposal.grade is None and proposal.flags:
            flagged = [values[f.split(":")[0]] for f in proposal.flags if f.split(":")[0] in values]
            section.paragraphs += [
                para("Data-led flag: " + narrative.flag_text(v) + ".", kind="note") for v in flagged
            ]
        questions.append(section)
        if proposal is not None:
            judgements.append(
                JudgementRow(
                    question.text,
                    grade_label or "Not graded",
                    f"{shown.note} ({len(findings)} findings)"
                    if shown and shown.grade_id
                    else "no inspection findings loaded",
                )
            )
            rules += [
                RuleLine(question.text, r.rule_id, r.fired, r.reason, r.findings, r.indicators)
                for r in proposal.rules
            ]

    further: list[Paragraph] = []
    if evidence is not None:
        further = [
            para(i.summary.strip(), kind="text", source=f"{i.title} ({i.source})")
            for i in evidence.inspections
            if i.summary
        ]

    sources = source_files(con)
    seen: set[str] = set()
    entries: list[Evidence] = []
    caveats: list[str] = []
    for value in used:
        entry = _evidence_entry(value, force, sources)
        if entry.anchor not in seen:
            seen.add(entry.anchor)
            entries.append(entry)
            if value.indicator.comparability and value.indicator.comparability not in caveats:
                caveats.append(value.indicator.comparability)
    if force.force_id == "city-of-london":
        caveats.append(
            "City of London has a very small resident population, so rates per resident are not meaningful there."
        )
    source_list = [
        f"{info['dataset']} ({info['publisher']}): {info['path']}, sha256 {info['sha256']}; read from {info['read_from']}"
        for info in sources.values()
    ]
    if evidence is not None:
        source_list += [f"{i.title}: {i.source}" for i in evidence.inspections]

    return Report(
        force_id=force.force_id,
        force_name=force.name,
        force_short_name=force.short_name,
        year=year,
        title=f"{force.short_name} PEEL {year}",
        section_title=pillar.section_title,
        last_updated=framework.published,
        is_data_led=evidence is None,
        summary=_summary(force, framework, grades, evidence),
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
    )
