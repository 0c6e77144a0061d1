"""The report body in the inspectorate's register, measured on the real build (issue 16):
the Northamptonshire 2014 body before `Appendix: how we know` is at most 1,600 words, says no
sentence of six or more words twice, names a period once per paragraph, and new data adds to the
appendix, whose source list names only the files behind this report's figures."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.framework import load_framework
from openpeel.publish.document import build_report
from openpeel.publish.model import Report
from openpeel.publish.register import (
    APPENDIX_HEADING,
    BODY_WORD_LIMIT,
    body_text,
    repeated_sentences,
    word_count,
)
from openpeel.publish.render import render

runner = CliRunner()
SUPERLATIVE = "the lowest arrest rate for domestic abuse related crimes in the country"
MAX_SOURCE_FILES = 25


def _report(home: Path) -> str:
    result = runner.invoke(app, ["--home", str(home), "report", "northamptonshire", "--year", "2014"])
    assert result.exit_code == 0, result.output
    return result.stdout


def _finding_texts() -> list[str]:
    """The shipped Northamptonshire 2014 findings' sentences, as a report prints them."""
    from openpeel.assessment.prepare import load_evidence

    return [" ".join(f.text.split()) for f in load_evidence(2014)["northamptonshire"].findings]


def _sources(text: str) -> list[str]:
    tail = text[text.index("Sources of the figures shown") :]
    return [line[2:] for line in tail.splitlines() if line.startswith("- ")]


def _assert_register(text: str) -> None:
    assert text.count(APPENDIX_HEADING) == 1
    body = body_text(text)
    assert word_count(body) <= BODY_WORD_LIMIT, word_count(body)
    assert repeated_sentences(body) == []
    # The apparatus is in the appendix only.
    for apparatus in ("How the grades were reached", "sha256", "Caveats", "[ind-"):
        assert apparatus not in body


@pytest.fixture(scope="module")
def northants(publish_con: duckdb.DuckDBPyConnection) -> Report:
    from openpeel.assessment.prepare import load_evidence

    return build_report(publish_con, "northamptonshire", 2014, load_evidence(2014)["northamptonshire"])


def test_register_measures() -> None:
    text = "One two three four five six. One two three four five six.\nShort one. Short one.\n"
    assert repeated_sentences(text) == ["One two three four five six."]
    assert word_count(body_text(f"a b c\n{APPENDIX_HEADING}\nd e f")) == 3


@pytest.mark.slow
def test_the_cli_report_body_is_short_and_says_nothing_twice(tmp_path: Path) -> None:
    text = _report(tmp_path / "home")
    _assert_register(text)
    # Findings are prose, not tagged items; each is said once in the whole report.
    body = body_text(text)
    assert "[Strength]" not in body and "[Area for improvement]" not in body
    said = [t for t in _finding_texts() if t in body]
    assert len(said) >= 20 and all(body.count(t) == 1 for t in said)
    assert all(text.count(t) == 1 for t in said)
    # The appendix's judgements give the basis without brackets inside brackets.
    from openpeel.assessment.prepare import load_evidence

    reducing = sum(f.question == "reducing-crime" for f in load_evidence(2014)["northamptonshire"].findings)
    assert f"awaiting an inspector's confirmation; {reducing} findings)" in text and "findings))" not in text
    # Only files behind figures shown: the workforce editions no figure uses are not listed.
    sources = _sources(text)
    assert not any("police-workforce" in s for s in sources)
    assert any("rec-crime-pfa.csv" in s for s in sources)


@pytest.mark.slow
@pytest.mark.shared_data
def test_after_an_ingest_new_data_adds_to_the_appendix_not_the_body(
    tmp_path: Path, shared_data: Path
) -> None:
    home = tmp_path / "home"
    before = _report(home)
    ingested = runner.invoke(app, ["--home", str(home), "ingest", str(shared_data / "police-uk" / "2014-06")])
    assert ingested.exit_code == 0, ingested.output
    after = _report(home)
    _assert_register(after)
    # The framework puts crime outcomes in the investigating question: one sentence, no more.
    grown = word_count(body_text(after)) - word_count(body_text(before))
    assert 0 < grown <= 60
    assert "No data.police.uk street file for 11 of 12 months" in after[after.index(APPENDIX_HEADING) :]
    sources = _sources(after)
    files = [s for s in sources if "police-uk" in s]
    assert len(sources) <= MAX_SOURCE_FILES
    # Of 42 street files ingested, the report rests on Northamptonshire's alone.
    assert len(files) == 1 and "2014-06-northamptonshire-street.csv" in files[0]


def test_a_period_is_named_once_per_paragraph(northants: Report) -> None:
    labels = [p.label for p in load_framework(2014).data_periods.values()]
    paragraphs = [p for p in northants.overview if p.kind == "data"]
    paragraphs += [p for q in northants.questions for p in q.paragraphs if p.kind == "data"]
    assert paragraphs
    for p in paragraphs:
        for label in labels:
            assert p.plain.count(label) <= 1, p.plain


@pytest.mark.slow
def test_each_finding_is_said_once(northants: Report) -> None:
    said = [p.plain for p in northants.overview] + [
        p.plain for q in northants.questions for p in q.paragraphs
    ]
    whole = " ".join(said)
    assert any(t in whole for t in _finding_texts())
    for sentence in re.split(r"(?<=\.)\s+", whole):
        if word_count(sentence) >= 6:
            assert whole.count(sentence) == 1, sentence


def test_every_format_has_the_appendix_heading_and_the_html_collapses_it(northants: Report) -> None:
    md = render(northants, "md")
    assert f"## {APPENDIX_HEADING}" in md
    # Markdown keeps each chart's table, in the appendix, linked from the chart's caption.
    body = body_text(md)
    assert word_count(body) <= BODY_WORD_LIMIT and repeated_sentences(body) == []
    chart = northants.questions[0].charts[0]
    assert f"(#{chart.chart_id})" in body and f'<a id="{chart.chart_id}"></a>' in md[len(body) :]
    assert f"| {chart.rows[0][0]} |" in md[len(body) :]
    html = render(northants, "html")
    assert f'<h2 id="appendix-h">{APPENDIX_HEADING}</h2>' in html
    at = html.index('id="appendix"')
    assert "<details>" in html[at : at + 200]
    # Printed (PDF), the appendix is open.
    assert "<details open>" in render(northants, "html", print_mode=True)


@pytest.mark.slow
def test_the_arrest_rate_superlative_comes_from_the_imported_measure(tmp_path: Path) -> None:
    from tests.indicators.test_imported_measures import domestic_abuse_table

    from openpeel.assessment.prepare import load_evidence
    from openpeel.indicators.compute import compute_indicators
    from openpeel.indicators.imported_measures import import_measures
    from openpeel.indicators.prepare import prepare_warehouse
    from openpeel.warehouse import connect

    evidence = load_evidence(2014)["northamptonshire"]
    con: duckdb.DuckDBPyConnection = connect(":memory:")
    prepare_warehouse(con, None)
    without = render(build_report(con, "northamptonshire", 2014, evidence), "text")
    # No measure, no superlative of openpeel's own: the words appear once, as the domestic abuse
    # inspection's finding (the finding's fact), never as a comparison openpeel made.
    assert without.count(SUPERLATIVE) == 1
    assert f"The domestic abuse inspection found that the force had {SUPERLATIVE}." in without
    assert f": {SUPERLATIVE}" not in without
    compute_indicators(con, import_measures(con, domestic_abuse_table(tmp_path / "da.csv")).indicator_ids)
    text = render(build_report(con, "northamptonshire", 2014, evidence), "text")
    body = body_text(text)
    section = body[body.index("protecting those at greatest risk of harm?") :]
    assert SUPERLATIVE in section
    _assert_register(text)
    # A force in the middle of the table gets the figure but no superlative.
    middling = domestic_abuse_table(tmp_path / "da2.csv", lowest="Kent")
    compute_indicators(con, import_measures(con, middling).indicator_ids)
    text = render(build_report(con, "northamptonshire", 2014, evidence), "text")
    assert "arrest rate for domestic abuse related crimes was" in text
    assert f": {SUPERLATIVE}" not in text and text.count(SUPERLATIVE) == 1


def test_each_caveat_is_said_once(northants: Report) -> None:
    from openpeel.publish.appendix import caveat_key, caveat_sentences

    keys = [caveat_key(s) for c in northants.caveats for s in caveat_sentences(c)]
    assert keys and len(keys) == len(set(keys))
    # Two indicators word the fraud exclusion differently; the report says it once.
    assert sum("Fraud is excluded" in c for c in northants.caveats) == 1
