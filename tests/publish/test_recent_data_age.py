"""Statistics never older than their report without saying so (issue 25).

In a report of a cycle later than its data, every data sentence and chart names the data's period
and how far it precedes the cycle; past the framework's data_age_limit the data section is left
out, saying so and why. The bundled statistics end in December 2018 and March 2019: every report
of PEEL 2021/22, 2023-25 and 2025-27 built from them leaves its figures out. With the limit raised
(as a user's newer files would bring the figures within it), the same reports show the figures,
each dated against the cycle.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.forces import EW_ID, territorial_forces
from openpeel.framework import load_framework
from openpeel.indicators.data_age import data_age
from openpeel.indicators.query import IndicatorValue, values_for_year
from openpeel.publish.cycle import Cycle
from openpeel.publish.document import build_report
from openpeel.publish.recent_data import report_chart_data, report_framework
from openpeel.publish.register import body_text, figure_sentences, undated_data_sentences
from openpeel.publish.render import render

YEARS = (2021, 2023, 2025)


def test_the_detector_finds_a_figure_without_its_period_or_gap() -> None:
    text = (
        "In the year ending March 2019 (a year and nine months before PEEL 2021/22 began) there were "
        "29.7 incidents per 1,000 people. There were 80.0 crimes per 1,000 people. In the year ending "
        "March 2019 there were 29.7 incidents.\n"
        "[Chart] Rates, 2012 to 2019. The latest figures in this chart are for the year ending March 2019.\n"
    )
    assert undated_data_sentences(text) == [
        "There were 80.0 crimes per 1,000 people.",
        "In the year ending March 2019 there were 29.7 incidents.",
        "[Chart] Rates, 2012 to 2019. The latest figures in this chart are for the year ending March 2019.",
    ]


@pytest.mark.parametrize("year", YEARS)
def test_every_report_of_a_recent_cycle_leaves_its_old_figures_out_and_says_why(
    year: int, publish_con: duckdb.DuckDBPyConnection
) -> None:
    framework = load_framework(year)
    limit = framework.data_age_limit
    assert limit is not None
    cycle = Cycle(publish_con, year, {}, {})
    assert cycle.age.left_out
    for report in cycle.reports():
        text = render(report, "text")
        body = body_text(text)
        assert undated_data_sentences(text) == [], report.force_id
        assert figure_sentences(text) == [] and "[Chart]" not in body, report.force_id
        assert not any(q.charts for q in report.questions)
        note = " ".join(p.plain for p in report.data_note)
        assert note.startswith("This report leaves out the official statistics")
        assert "year ending March 2019" in note and f"before {framework.title} began" in note
        assert " ".join(limit.reason.split()) in note
        assert "The official statistics" in body and note in " ".join(body.split())


@pytest.fixture(scope="module")
def raised(publish_con: duckdb.DuckDBPyConnection) -> dict[int, list[str]]:
    """Every force's text report of each recent cycle, with the limit raised to ten years: the
    bundled figures are then shown, each dated against the cycle."""
    out: dict[int, list[str]] = {}
    for year in YEARS:
        framework = load_framework(year)
        age = dataclasses.replace(data_age(publish_con, framework), limit_months=120)
        shown = report_framework(framework, age)
        assert shown is not None
        by_area: dict[str, dict[str, IndicatorValue]] = {}
        for value in values_for_year(publish_con, shown):
            by_area.setdefault(value.area_id, {})[value.indicator.id] = value
        chart_data = report_chart_data(publish_con, framework, age)
        out[year] = [
            render(
                build_report(
                    publish_con,
                    force.force_id,
                    year,
                    None,
                    values=by_area.get(force.force_id, {}),
                    chart_data=chart_data,
                    ew_values=by_area.get(EW_ID, {}),
                    age=age,
                ),
                "text",
            )
            for force in territorial_forces()
        ]
    return out


@pytest.mark.parametrize("year", YEARS)
def test_within_the_limit_every_data_sentence_and_chart_names_its_period_and_gap(
    year: int, raised: dict[int, list[str]]
) -> None:
    texts = raised[year]
    assert len(texts) == 43
    assert all(undated_data_sentences(t) == [] for t in texts)
    # The figures are there: sentences and charts in every report, each naming both.
    assert all(figure_sentences(t) for t in texts)
    assert all("[Chart]" in body_text(t) for t in texts)
    title = load_framework(year).title
    kent = body_text(next(t for t in texts if "Kent" in t.splitlines()[0]))
    assert "The latest official figures here are for the 12 months to 31 December 2018" in kent
    assert "year ending March 2019 (" in kent and f"before {title} began)" in kent


def test_a_newer_cycle_says_a_longer_gap(raised: dict[int, list[str]]) -> None:
    northants = {
        y: body_text(next(t for t in texts if "Northamptonshire" in t.splitlines()[0]))
        for y, texts in raised.items()
    }
    assert (
        "In the year ending March 2019 (a year and nine months before PEEL 2021/22 began) there were"
        in northants[2021]
    )
    assert (
        "In the year ending March 2019 (three years and nine months before PEEL 2023-25 began) there were"
        in northants[2023]
    )
    assert "(four years before PEEL 2023-25 began)" in northants[2023]


@pytest.mark.slow
def test_build_2023_25_writes_reports_in_the_cycles_form(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["build", "--year", "2023-25", "--out", str(tmp_path / "out"), "--db", str(tmp_path / "w.duckdb")],
    )
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "2023"
    texts = {p.stem: p.read_text(encoding="utf-8") for p in folder.glob("*.txt")}
    assert len(texts) == 43 and len(list(folder.glob("*.html"))) == 43
    northants = texts["northamptonshire"]
    assert northants.startswith("PEEL 2023–2025: An inspection of Northamptonshire Police\n")
    body = body_text(northants)
    assert "Our judgments: the inspectorate's grades and openpeel's" in body
    assert (
        "- Responding to the public: inspectorate's grade Requires improvement (8 August 2024; read on a "
        "commissioner's page" in body
    )
    assert "published as adequate, changed to requires improvement on 8 August 2024" in body
    assert "This report leaves out the official statistics" in body
    # Every data sentence of every report says how far its data precede the cycle (here: none is
    # left, the figures being older than the limit).
    assert {f: undated_data_sentences(t) for f, t in texts.items() if undated_data_sentences(t)} == {}
    judgements = json.loads((folder / "judgements.json").read_text(encoding="utf-8"))
    row = next(j for j in judgements if j["force"] == "northamptonshire")
    assert {g["question_id"] for g in row["published_grades"]} >= {"responding-to-public", "recording-data"}
    assert {q["question"] for q in row["questions"]} == {
        q.id for q in load_framework(2023).questions() if q.graded
    }
