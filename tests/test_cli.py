from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openpeel.cli import app

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "w.duckdb")


@pytest.mark.slow
def test_build_writes_every_force_in_three_formats(tmp_path: Path, db: str) -> None:
    result = runner.invoke(app, ["build", "--year", "2014", "--out", str(tmp_path / "out"), "--db", db])
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "out" / "2014").iterdir())
    assert len([f for f in files if f.suffix in (".txt", ".md", ".html")]) == 43 * 3
    judgements = json.loads((tmp_path / "out" / "2014" / "judgements.json").read_text())
    northants = next(j for j in judgements if j["force"] == "northamptonshire")
    assert [q["proposed_grade"] for q in northants["questions"]] == ["good", "requires-improvement", "good"]
    assert all(r["reason"] for q in northants["questions"] for r in q["rules"])
    published = {r["question_id"]: r["grade"] for r in northants["published_grades"] if r["question_id"]}
    assert published == {
        "reducing-crime": "good",
        "investigating-offending": "requires-improvement",
        "tackling-asb": "good",
    }
    assert all(r["source_url"].startswith("https://") for r in northants["published_grades"])


@pytest.mark.slow
def test_indicators_json(db: str) -> None:
    result = runner.invoke(app, ["indicators", "Northamptonshire", "--year", "2014", "--json", "--db", db])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout[result.stdout.index("[") :])
    by_id = {r["id"]: r for r in rows}
    assert {
        "recorded_crime_rate",
        "recorded_crime_change_1y_pct",
        "recorded_crime_change_4y_pct",
        "asb_rate",
        "asb_change_1y_pct",
    } <= set(by_id)
    for row in rows:
        assert {"id", "period_end", "value", "england_wales_value", "unit", "rank"} <= set(row)
    assert by_id["recorded_crime_change_1y_pct"]["period_end"] == "2014-06-30"


@pytest.mark.slow
def test_report_formats(db: str) -> None:
    for fmt, marker in [
        ("text", "Northamptonshire PEEL 2014\n"),
        ("md", "# Northamptonshire PEEL 2014"),
        ("html", "<h1>Northamptonshire PEEL 2014</h1>"),
    ]:
        result = runner.invoke(
            app, ["report", "northamptonshire", "--year", "2014", "--format", fmt, "--db", db]
        )
        assert result.exit_code == 0, result.output
        assert marker in result.stdout


def test_unknown_force_is_a_clear_error(db: str) -> None:
    result = runner.invoke(app, ["report", "Northamptonshre", "--db", db])
    assert result.exit_code == 2
    assert "unknown force 'Northamptonshre'; did you mean 'northamptonshire'" in result.output


def test_bad_evidence_file_builds_nothing(tmp_path: Path, db: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "force: kent\nyear: 2014\ninspections: []\nfindings:\n  - id: x\n    inspection: nope\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", "--out", str(out), "--db", db, "--evidence", str(bad)])
    assert result.exit_code == 2
    assert str(bad) in result.output
    assert not (out / "2014").exists()


def test_missing_data_folder(tmp_path: Path, db: str) -> None:
    result = runner.invoke(
        app, ["build", "--out", str(tmp_path / "o"), "--db", db, "--data", str(tmp_path / "nowhere")]
    )
    assert result.exit_code == 2
    assert "data folder not found" in result.output


def test_every_command_has_help() -> None:
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0
    for command in ("build", "indicators", "report", "forces", "bundle"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output, command


def test_indicator_list(db: str) -> None:
    result = runner.invoke(app, ["indicators", "--list", "--json"])
    assert result.exit_code == 0
    assert any(row["id"] == "asb_rate" for row in json.loads(result.stdout))
