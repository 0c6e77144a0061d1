from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from openpeel.evidence import Inspection, bundled_evidence_files, load_evidence_file
from openpeel.forces import territorial_forces
from openpeel.publish import build_report, render
from openpeel.publish.model import Report


@pytest.fixture(scope="module")
def con(statistics_con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    return statistics_con


@pytest.fixture(scope="module")
def northants(con: duckdb.DuckDBPyConnection) -> Report:
    ev = load_evidence_file(
        next(p for p in bundled_evidence_files() if p.name == "northamptonshire-2014.yaml")
    )
    return build_report(con, "northamptonshire", 2014, ev)


class Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.scripts = 0
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if tag == "a" and attributes.get("href", "").startswith("#"):  # type: ignore[union-attr]
            self.links.append(str(attributes["href"])[1:])
        if tag == "script":
            self.scripts += 1
        if tag in ("h1", "h2", "h3"):
            self._open, self._text = tag, []

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self.headings.append((tag, "".join(self._text).strip()))
            self._open = None


def test_text_report_has_the_reference_shape(northants: Report) -> None:
    text = render(northants, "text")
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[:2] == ["Northamptonshire PEEL 2014", "How well the force tackles crime"]
    # This version's own date, labelled as openpeel's; the inspectorate's dates, labelled as its own.
    assert lines[2].startswith("Last updated ") and "the date openpeel built this report" in lines[2]
    assert lines[3] == "Inspection findings from the inspectorate's reports published 12/11/2014 (2 undated)"
    # The rubric's proposals are grades no one has published: the draft mark comes before them.
    assert northants.is_draft and lines[4].startswith("DRAFT: NOT PUBLISHED.")
    # The inspectorate's grades first, as its facts with their date and source; then openpeel's,
    # named as openpeel's in the sentence that states them.
    assert lines[5].startswith(
        "In its PEEL 2014 grades, published on 12 November 2014 (source: https://"
    ) and lines[5].endswith(
        "the inspectorate found that Northamptonshire Police is good at reducing crime and preventing "
        "offending, requires improvement at investigating offending and is good at tackling anti-social behaviour."
    )
    assert lines[6].startswith("openpeel's rubric proposes, from the ") and lines[6].endswith(
        "that the force is good at reducing crime and preventing offending, requires improvement at "
        "investigating offending and is good at tackling anti-social behaviour: the same as the "
        "inspectorate's published grades on all 3."
    )
    # Further insights: none here, its inspections' summaries restate the sections (see below).
    assert "Further insights" not in text
    assert "There was no Strategic Policing Requirement inspection for this force." in text
    order = [text.index(q.text) for q in northants.questions]
    assert order == sorted(order) and len(order) == 6


def test_data_sentences_state_the_reference_claims(northants: Report) -> None:
    text = render(northants, "text")
    assert re.search(
        r"Over the four years to June 2014, recorded crime in Northamptonshire fell by [\d.]+%, a greater reduction than across England and Wales",
        text,
    )
    assert re.search(
        r"In the 12 months to 30 June 2014, compared with a year earlier, recorded crime \(excluding fraud\) fell by [\d.]+%, a greater reduction "
        r"than across England and Wales",
        text,
    )
    assert re.search(
        r"anti-social behaviour incidents per 1,000 people in Northamptonshire, higher than England and Wales",
        text,
    )
    assert re.search(r"anti-social behaviour incidents fell slightly, by 1\.3%", text)


def test_numbers_come_from_indicators_not_evidence(northants: Report) -> None:
    for section in northants.questions:
        for p in section.paragraphs:
            if p.kind not in ("data", "note"):
                assert not re.search(r"\d", p.plain), p.plain


def test_html_structure_and_every_figure_links_to_how_we_know(northants: Report) -> None:
    html = render(northants, "html")
    outline = Outline()
    outline.feed(html)
    assert outline.headings[0] == ("h1", "Northamptonshire PEEL 2014")
    h3 = [text for tag, text in outline.headings if tag == "h3"]
    for question in northants.questions:
        assert question.text in h3
    assert outline.links and set(outline.links) <= outline.ids
    assert any(link.startswith("ind-recorded_crime_change_4y_pct") for link in outline.links)
    assert outline.scripts == 0
    assert 'lang="en-GB"' in html


def test_markdown_links_figures(northants: Report) -> None:
    md = render(northants, "md")
    assert md.startswith("# Northamptonshire PEEL 2014\n")
    assert re.search(r"\[[\d.]+%\]\(#ind-recorded_crime_change_4y_pct-2014-06-30\)", md)
    assert '<a id="ind-recorded_crime_change_4y_pct-2014-06-30"></a>' in md


def test_script_in_a_finding_is_shown_as_text(con: duckdb.DuckDBPyConnection, northants: Report) -> None:
    ev = load_evidence_file(
        next(p for p in bundled_evidence_files() if p.name == "northamptonshire-2014.yaml")
    )
    evil = dataclasses.replace  # keep the import used for clarity below
    del evil
    first = ev.findings[0].model_copy(update={"text": "<script>alert('x')</script> & <b>bold</b>"})
    ev = ev.model_copy(update={"findings": (first, *ev.findings[1:])})
    report = build_report(con, "northamptonshire", 2014, ev)
    html = render(report, "html")
    assert "<script>" not in html and "&lt;script&gt;alert(" in html
    md = render(report, "md")
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "<script>alert('x')</script>" in render(report, "text")


@pytest.mark.slow
def test_every_force_gets_a_data_led_report(con: duckdb.DuckDBPyConnection) -> None:
    for force in territorial_forces():
        report = build_report(con, force.force_id, 2014, None)
        text = render(report, "text")
        assert report.is_data_led and "DATA-LED SCAN" in text
        assert len(report.questions) == 6
        assert all(j.grade_label == "Not graded" for j in report.judgements)
        if force.force_id != "city-of-london":
            assert "recorded crimes (excluding fraud) per 1,000 people" in text


def test_2015_report_has_four_graded_questions(con: duckdb.DuckDBPyConnection) -> None:
    report = build_report(con, "northamptonshire", 2015, None)
    assert [q.graded for q in report.questions] == [True, True, True, True]
    assert "12 months to 30 June 2015" in render(report, "text")


def test_html_sections_and_judgement_phrases(northants: Report) -> None:
    outline = Outline()
    outline.feed(render(northants, "html"))
    h2 = [text for tag, text in outline.headings if tag == "h2"]
    assert h2 == ["Summary", "Questions for Effectiveness", "Appendix: how we know"]
    html = render(northants, "html")
    for phrase in (
        "is good at reducing crime and preventing offending",
        "requires improvement at investigating offending",
        "is good at tackling anti-social behaviour",
    ):
        assert phrase in html
    table = html[html.index('<table class="judgements">') : html.index("</table>")]
    assert table.count('<th scope="row">') == 3
    assert re.findall(r'class="grade grade-[a-z-]+">([^<]+)<', table) == [
        "Good",
        "Requires improvement",
        "Good",
    ]


def test_script_in_a_finding_is_visible_text_when_parsed(con: duckdb.DuckDBPyConnection) -> None:
    ev = load_evidence_file(
        next(p for p in bundled_evidence_files() if p.name == "northamptonshire-2014.yaml")
    )
    first = ev.findings[0].model_copy(
        update={"text": 'Bad <script>alert("x")</script> <img src=x onerror=y>'}
    )
    ev = ev.model_copy(update={"findings": (first, *ev.findings[1:])})

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.text: list[str] = []
            self.tags: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append(tag)

        def handle_data(self, data: str) -> None:
            self.text.append(data)

    parser = Text()
    parser.feed(render(build_report(con, "northamptonshire", 2014, ev), "html"))
    assert 'Bad <script>alert("x")</script> <img src=x onerror=y>' in "".join(parser.text)
    assert "script" not in parser.tags and "img" not in parser.tags


def test_every_format_carries_the_charts(northants: Report) -> None:
    charts = [c for q in northants.questions for c in q.charts]
    assert {c.kind for c in charts} == {"trend", "funnel", "ranked"}
    text, md, html = render(northants, "text"), render(northants, "md"), render(northants, "html")
    for chart in charts:
        assert chart.summary in text
        assert html.count(f'id="{chart.chart_id}"') == 1
        assert f"| {chart.columns[0]} |" in md


@pytest.mark.slow
def test_imported_domestic_abuse_arrests_reach_the_report(tmp_path: Path) -> None:
    from tests.indicators.test_imported_measures import domestic_abuse_table

    from openpeel.assessment.prepare import load_evidence
    from openpeel.indicators.compute import compute_indicators as recompute
    from openpeel.indicators.imported_measures import import_measures
    from openpeel.indicators.prepare import prepare_warehouse
    from openpeel.warehouse import connect

    con = connect(":memory:")
    prepare_warehouse(con, None)
    recompute(con, import_measures(con, domestic_abuse_table(tmp_path / "da.csv")).indicator_ids)
    evidence = load_evidence(2014)
    northants = render(build_report(con, "northamptonshire", 2014, evidence.get("northamptonshire")), "text")
    section = northants[northants.index("protecting those at greatest risk of harm?") :]
    assert re.search(
        r"In the year ending March 2014, Northamptonshire's arrest rate for domestic abuse related crimes was "
        r"[\d.]+ arrests per 100 domestic abuse crimes, lower than England and Wales \([\d.]+\): the lowest "
        r"arrest rate for domestic abuse related crimes in the country\.",
        section,
    )
    kent = render(build_report(con, "kent", 2014, None), "text")
    assert "arrest rate for domestic abuse related crimes was" in kent
    assert "the lowest arrest rate" not in kent


@pytest.mark.slow
@pytest.mark.shared_data
def test_police_uk_outcomes_reach_the_investigating_question(shared_data: Path, tmp_path: Path) -> None:
    from openpeel.assessment.prepare import load_evidence
    from openpeel.indicators.prepare import prepare_warehouse
    from openpeel.ingest.police_uk.load import ingest
    from openpeel.warehouse import connect

    con = connect(":memory:", lake=tmp_path / "lake")
    prepare_warehouse(con, None)
    ingest(con, [shared_data / "police-uk" / "2014-02", shared_data / "police-uk" / "2014-03"])
    evidence = load_evidence(2014)
    report = build_report(con, "northamptonshire", 2014, evidence.get("northamptonshire"))
    section = next(q for q in report.questions if q.question_id == "investigating-offending")
    text = " ".join(p.plain for p in section.paragraphs)
    assert re.search(
        r"data\.police\.uk publishes outcomes for the [\d,]+ crimes Northamptonshire recorded in the 2 of these",
        text,
    )
    assert "% charged or summonsed" in text
    # Missing months are flagged, never counted as zero; the caveat is said once, in the appendix.
    assert "No data.police.uk street file for 10 of 12 months" not in text
    assert sum("No data.police.uk street file for 10 of 12 months" in c for c in report.caveats) == 1
    html = render(report, "html")
    assert 'id="outcomes-northamptonshire-2014-06-01"' in html
    # Without data.police.uk files the report has no outcome sentence.
    kent = build_report(con, "kent", 2014, None)
    assert not any("data.police.uk publishes" in p.plain for q in kent.questions for p in q.paragraphs)


def test_further_insights_say_what_the_sections_do_not(
    con: duckdb.DuckDBPyConnection, northants: Report
) -> None:
    """The reference shape's further insights: an inspection's summary, where no section states
    that inspection's findings. Northamptonshire's two summaries restate findings its sections
    state in full (as the reference's further insights restate its later sections), so they are
    left out and each finding is said once."""
    ev = load_evidence_file(
        next(p for p in bundled_evidence_files() if p.name == "northamptonshire-2014.yaml")
    )
    summarised = [i for i in ev.inspections if i.summary]
    assert len(summarised) == 2 and all(any(f.inspection == i.id for f in ev.findings) for i in summarised)
    text = render(northants, "text")
    assert not any(" ".join(str(i.summary).split()) in text for i in summarised)
    assert "The crime inspection found the force was still making real headway" in text  # its finding
    # INVENTED for this test: an inspection with a summary and no findings, so no section speaks for it.
    invented = Inspection(
        id="invented-review",
        kind="value-for-money",
        title="Invented review",
        source="invented for tests/publish/test_report.py",
        summary="INVENTED: an account of the force that no section gives (zq-4410).",
    )
    report = build_report(
        con, "northamptonshire", 2014, ev.model_copy(update={"inspections": (*ev.inspections, invented)})
    )
    text = render(report, "text")
    overview = text[: text.index("Questions for Effectiveness")]
    assert "Further insights on effectiveness" in overview and text.count("zq-4410") == 1
    assert not any(" ".join(str(i.summary).split()) in text for i in summarised)
    outline = Outline()
    outline.feed(render(report, "html"))
    assert [text for tag, text in outline.headings if tag == "h2"] == [
        "Summary",
        "Further insights on effectiveness",
        "Questions for Effectiveness",
        "Appendix: how we know",
    ]
