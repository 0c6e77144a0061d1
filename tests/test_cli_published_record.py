"""`openpeel published-grades` and `openpeel calibrate`, and --year spelled as the inspectorate does."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.framework.published_grades import published_grades

runner = CliRunner()


@pytest.mark.parametrize(
    ("spelling", "year"),
    [("2018", 2018), ("2018/19", 2018), ("2021", 2021), ("2021/22", 2021), ("2023", 2023), ("2023-25", 2023)],
)
def test_year_accepts_every_spelling_of_a_cycle(spelling: str, year: int) -> None:
    result = runner.invoke(app, ["published-grades", "--year", spelling, "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows, "every cycle from 2014 to 2023-25 has published grades"
    assert {r["year"] for r in rows} == {year}
    assert len(rows) == len(published_grades(year))


def test_2025_27_is_a_cycle_without_grades_yet() -> None:
    for spelling in ("2025", "2025-27"):
        result = runner.invoke(app, ["published-grades", "--year", spelling, "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == []


def test_an_unknown_cycle_is_a_usage_error_listing_the_cycles() -> None:
    result = runner.invoke(app, ["published-grades", "--year", "2019/20"])
    assert result.exit_code == 2
    assert "2018/19" in result.output and "2023-25" in result.output


def test_published_grades_of_one_force_by_name() -> None:
    result = runner.invoke(
        app, ["published-grades", "--year", "2014", "--force", "Northamptonshire", "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = {r["question_id"]: r for r in json.loads(result.stdout) if r["question_id"]}
    assert {q: r["grade"] for q, r in rows.items()} == {
        "reducing-crime": "good",
        "investigating-offending": "requires-improvement",
        "tackling-asb": "good",
    }
    for row in rows.values():
        assert set(row) >= {"force_id", "year", "pillar_id", "question_id", "grade", "source_url"}
        assert row["source_url"].endswith("/peel-2014/northamptonshire/effectiveness/")
        assert row["force_id"] == "northamptonshire"


def test_published_grades_as_text_names_each_source() -> None:
    result = runner.invoke(app, ["published-grades", "--year", "2015", "--force", "kent"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "force",
        "year",
        "pillar",
        "or",
        "question",
        "grade",
        "published",
        "kind",
        "source",
    ]
    body = lines[2:]
    assert [line.split()[2] for line in body] == [
        "effectiveness",
        "efficiency",
        "legitimacy",
        "preventing-crime",
    ]
    assert all("peel-2015/kent" in line for line in body)


@pytest.mark.slow
def test_calibrate_json(tmp_path: Path, statistics_db: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copyfile(statistics_db, db)
    result = runner.invoke(app, ["calibrate", "--year", "2014", "--json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {
        "year",
        "forces_with_evidence",
        "compared",
        "agreed",
        "held_out_compared",
        "held_out_agreed",
        "rows",
        "baselines",
        "kappa",
        "rubric_sha256",
        "protocol",
        "held_out",
        "seed",
        "confusion",
    } <= set(data)
    assert data["year"] == 2014
    assert len(data["forces_with_evidence"]) >= 11
    assert data["compared"] == len(data["rows"]) and data["agreed"] <= data["compared"]
    assert set(data["baselines"]) == {"most_common", "previous_cycle"}
    assert set(data["protocol"]) == set(data["forces_with_evidence"])
    for row in data["rows"]:
        assert {"baseline_most_common", "baseline_previous_cycle", "target", "target_kind"} <= set(row)
    northants = {r["question"]: r for r in data["rows"] if r["force"] == "northamptonshire"}
    assert set(northants) == {"reducing-crime", "investigating-offending", "tackling-asb"}
    assert {q: r["published"] for q, r in northants.items()} == {
        "reducing-crime": "good",
        "investigating-offending": "requires-improvement",
        "tackling-asb": "good",
    }


@pytest.mark.slow
def test_calibrate_text_lists_each_disagreement_with_its_rules(tmp_path: Path, statistics_db: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copyfile(statistics_db, db)
    as_json = json.loads(runner.invoke(app, ["calibrate", "--json", "--db", str(db)]).stdout)
    result = runner.invoke(app, ["calibrate", "--year", "PEEL 2014", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "published (rows) by proposed (columns):" in result.stdout
    assert "most common grade: agreement" in result.stdout and "Cohen's kappa" in result.stdout
    for row in as_json["rows"]:
        if not row["agreed"]:
            assert f"- {row['force']} {row['target']}" in result.stdout
            for fired in row["rules_fired"]:
                assert f"    {fired['rule']}: {fired['reason']}" in result.stdout


@pytest.mark.slow
def test_calibrate_a_cycle_without_evidence_says_so_without_a_warehouse(tmp_path: Path) -> None:
    db = tmp_path / "never-made.duckdb"
    result = runner.invoke(app, ["calibrate", "--year", "2018", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "No evidence files for PEEL 2018/19 yet: nothing to compare." in result.stdout
    assert "seed 821308726" in result.stdout
    assert not db.exists()
    as_json = json.loads(
        runner.invoke(app, ["calibrate", "--year", "2018", "--json", "--db", str(db)]).stdout
    )
    assert as_json["compared"] == 0 and as_json["seed"] == 821308726 and as_json["rows"] == []


def test_coverage_lists_every_force_of_a_cycle_with_its_status() -> None:
    result = runner.invoke(app, ["published-grades", "--coverage", "--year", "2023-25", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 43 and {r["cycle"] for r in rows} == {"PEEL 2023-25"}
    assert {r["status"] for r in rows} <= {"complete", "partial", "counts-only", "not-found"}
    merseyside = next(r for r in rows if r["force_id"] == "merseyside")
    assert merseyside["status"] == "complete" and merseyside["source_kinds"] == ["commissioner"]
    northants = next(r for r in rows if r["force_id"] == "northamptonshire")
    assert northants["revised"] == ["responding-to-public"]
    text = runner.invoke(app, ["published-grades", "--coverage", "--year", "2023-25"])
    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines()[0].split() == ["cycle", "force", "status", "graded", "missing", "kinds"]
    assert text.stdout.rstrip().splitlines()[-1].startswith("PEEL 2023-25: ")


def test_grade_rows_in_json_carry_their_source_kind() -> None:
    result = runner.invoke(app, ["published-grades", "--year", "2023-25", "--json"])
    rows = json.loads(result.stdout)
    assert rows and all(r["source_kind"] in {"inspectorate", "commissioner", "force", "press"} for r in rows)
