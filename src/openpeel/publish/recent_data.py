"""The official statistics in a report of the graded-areas shape (PEEL 2021/22 on), never older
than the report without saying so.

The figures a cycle's report can show are the latest the warehouse holds on or before the periods
the framework asks for (indicators/data_age.py). Where those precede the cycle, every data sentence
names its period and how far it precedes the cycle ("In the year ending March 2019 (a year and
nine months before PEEL 2021/22 began) there were ..."), and so does every chart's text; past the
framework's `data_age_limit` the report leaves its figures out and says so, and why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence

import duckdb

from openpeel.forces import Force
from openpeel.framework import Framework, Question
from openpeel.indicators.data_age import DataAge, latest_label, months_between, shown_framework, span_text
from openpeel.indicators.query import IndicatorValue, values_by_indicator
from openpeel.publish import narrative
from openpeel.publish.chart_data import SectionData, TrendData, YearChartData, load_chart_data
from openpeel.publish.document import period_label, question_charts, question_values
from openpeel.publish.model import Chart, Paragraph, Segment, para


def report_framework(framework: Framework, age: DataAge) -> Framework | None:
    """The framework whose data periods the cycle's reports show (the latest held, where earlier
    than asked for), or None where the figures are left out (past the limit, or none at all)."""
    if age.left_out:
        return None
    return shown_framework(framework, age)


def empty_chart_data(framework: Framework) -> YearChartData:
    return YearChartData(framework.year, {}, {})


def report_chart_data(con: duckdb.DuckDBPyConnection, framework: Framework, age: DataAge) -> YearChartData:
    shown = report_framework(framework, age)
    return empty_chart_data(framework) if shown is None else load_chart_data(con, shown)


def report_values(
    con: duckdb.DuckDBPyConnection, framework: Framework, age: DataAge, area_id: str
) -> dict[str, IndicatorValue]:
    shown = report_framework(framework, age)
    return {} if shown is None else values_by_indicator(con, shown, area_id)


def _label(shown: Framework, age: DataAge, family: str) -> str:
    """The period's name with how far it precedes the cycle, where it does."""
    label = period_label(shown, family)
    gap = age.family_phrase(family)
    return f"{label} ({gap})" if gap else label


def data_sentences(
    question: Question,
    framework: Framework,
    shown: Framework,
    age: DataAge,
    values: dict[str, IndicatorValue],
    place: str,
    notes: narrative.RecordingNotes,
) -> tuple[list[Paragraph], list[IndicatorValue]]:
    """The area's figures, each sentence naming its own period and its distance from the cycle:
    a paragraph per source family (recorded crime, anti-social behaviour), each with the caveats
    and recording findings of its own figures."""
    present = question_values(question, framework, values)
    by_family: dict[str, tuple[list[Segment], list[tuple[IndicatorValue, str]]]] = {}
    for value in present:
        ind = value.indicator
        family = ind.period_family
        label = _label(shown, age, family)
        subject = ind.short_title
        if ind.kind == "rate" and ind.unit == "per 1,000 population":
            segs = narrative.rate_sentence(value, place, label, narrative.count_noun(ind))
        elif ind.kind in ("rate", "proportion"):
            segs = narrative.measure_sentence(value, place, label)
        else:
            years = ind.years or 1
            span = narrative.change_span(value, label)
            gap = age.family_phrase(family)
            if years > 1 and gap:
                span = f"{span} ({gap})"
            subject = f"{ind.short_title} in {place}" if years > 1 else ind.short_title
            if ind.short_title == "anti-social behaviour":
                subject = subject.replace("anti-social behaviour", "anti-social behaviour incidents", 1)
            segs = narrative.change_sentence(value, subject, span)
        segments, subjects = by_family.setdefault(family, ([], []))
        subjects.append((value, subject))
        if segments:
            segments.append(Segment(" "))
        segments.extend(segs)
    paragraphs = []
    for segments, subjects in by_family.values():
        segments += narrative.caveat_sentence(subjects)
        segments += [Segment(dated_findings(s.text, age), s.ref) for s in notes.sentence(subjects)]
        paragraphs.append(Paragraph(tuple(segments), "data"))
    return paragraphs, present


_FOUND_IN = re.compile(r"\bin ([A-Z][a-z]+ \d{4}) that\b")


def dated_findings(text: str, age: DataAge) -> str:
    """'the inspectorate found in February 2017 that ...' with how far that precedes the cycle
    ('in February 2017 (three years and ten months before PEEL 2021/22 began) that'): a recording
    finding states a figure too, so it is dated against the cycle like the figures it qualifies."""

    def gap(match: re.Match[str]) -> str:
        first = dt.datetime.strptime(f"1 {match.group(1)}", "%d %B %Y").date()
        end = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        months = months_between(end, age.starts)
        if months <= 0:
            return match.group(0)
        return f"in {match.group(1)} ({span_text(months)} before {age.cycle} began) that"

    return _FOUND_IN.sub(gap, text)


def dated_charts(
    question: Question, data: YearChartData, force: Force, done: set[str], shown: Framework, age: DataAge
) -> list[Chart]:
    """The area's charts, each saying in its text which period its latest figures are for and how
    far that precedes the cycle."""
    out = []
    for chart in question_charts(question, data, force, done):
        family = _chart_family(chart)
        if family is None:
            out.append(chart)
            continue
        label = period_label(shown, family)
        gap = age.family_phrase(family)
        when = f"The latest figures in this chart are for the {label}"
        summary = f"{chart.summary} {when}, {gap}." if gap else f"{chart.summary} {when}."
        out.append(dataclasses.replace(chart, summary=summary))
    return out


def _chart_family(chart: Chart) -> str | None:
    """The source family of the indicator a chart draws."""
    if isinstance(chart.data, TrendData):
        return chart.data.indicator.period_family
    if isinstance(chart.data, SectionData):
        return chart.data.section.indicator.period_family
    return None


def flag_paragraphs(
    flags: Sequence[str], values: dict[str, IndicatorValue], shown: Framework, age: DataAge
) -> list[Paragraph]:
    """Data-led flags, each naming its figures' period and how far it precedes the cycle."""
    out = []
    for flag in flags:
        value = values.get(flag.split(":")[0])
        if value is None:
            continue
        family = value.indicator.period_family
        label = _label(shown, age, family)
        out.append(
            para(f"Data-led flag, on the figures for the {label}: {narrative.flag_text(value)}.", kind="note")
        )
    return out


def data_note(framework: Framework, age: DataAge, shown: Framework | None) -> list[Paragraph]:
    """What the report says about its statistics as a whole: how old they are, or that they are
    left out and why."""
    latest = age.latest
    if shown is None:
        limit = framework.data_age_limit
        reason = f" {limit.reason.strip()}" if limit else ""
        within = (
            f" (the limit set for this cycle is {span_text(age.limit_months)})" if age.limit_months else ""
        )
        if latest is None:
            return [
                para(
                    f"This report leaves out the official statistics: openpeel holds no figures for the "
                    f"periods of {framework.title} or before them{within}.{reason}",
                    kind="note",
                )
            ]
        newest = next(f for f in age.families.values() if f.latest == latest)
        return [
            para(
                f"This report leaves out the official statistics: the latest figures openpeel holds are "
                f"for the {latest_label(newest.family, latest)}, {age.phrase() or 'before the cycle'}, "
                f"further back than a report of this cycle shows{within}.{reason}",
                kind="note",
            )
        ]
    gaps = [
        f"the {latest_label(f.family, f.latest)}, {gap}"
        for f in age.families.values()
        if f.latest is not None and (gap := age.family_phrase(f.family))
    ]
    if not gaps:
        return []
    listed = gaps[0] if len(gaps) == 1 else "; ".join(gaps[:-1]) + "; and " + gaps[-1]
    return [
        para(
            f"The latest official figures here are for {listed}. Each figure below says how far its "
            "period precedes this inspection: the force may have changed since.",
            kind="note",
        )
    ]
