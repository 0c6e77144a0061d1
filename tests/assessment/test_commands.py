from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests.conftest import STORE_FIXTURE
from typer.testing import CliRunner

from openpeel.cli import app

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]
ILLUSTRATIVE_2015 = REPO / "docs" / "examples" / "cumbria-2015-illustrative.yaml"
# Stable ids and counts for the store tests (a fixture, not the shipped blind-1 file).
NORTHANTS_2014 = STORE_FIXTURE


@pytest.fixture
def db(statistics_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A home folder whose warehouse holds statistics and indicators; the store starts empty."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(statistics_db, home / "warehouse.duckdb")
    for name in ("OPENPEEL_DB", "OPENPEEL_STORE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENPEEL_HOME", str(home))
    return str(home)


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.slow
def test_workflow_from_import_to_history(db: str) -> None:
    code, _, err = run("evidence", "import", str(NORTHANTS_2014), "--by", "alice")
    assert code == 0, err
    assert "northamptonshire 2014: 21 added" in err and "11 change(s)" in err
    code, _, err = run("evidence", "import", str(NORTHANTS_2014), "--by", "alice")
    assert "unchanged" in err and "0 change(s)" in err
    code, out, _ = run("judgement", "show", "northamptonshire", "--year", "2014", "--json")
    shown = {j["question"]: j for j in json.loads(out)}
    assert shown["investigating-offending"]["proposed_grade"] == "requires-improvement"
    assert any(
        r["rule"] == "core-afis-outweigh" and r["fired"] for r in shown["investigating-offending"]["rules"]
    )

    code, _, err = run(
        "judgement",
        "override",
        "northamptonshire",
        "investigating-offending",
        "good",
        "--by",
        "bob",
    )
    assert code == 2 and "an override needs a rationale" in err
    for q in ("reducing-crime", "tackling-asb"):
        assert run("judgement", "confirm", "northamptonshire", q, "--by", "bob")[0] == 0
    code, _, err = run(
        "judgement", "override", "northamptonshire", "investigating-offending", "good",
        "--by", "bob", "--reason", "Specialist teams",
    )  # fmt: skip
    assert code == 0, err
    assert run("judgement", "moderate", "northamptonshire", "--by", "carol")[0] == 0
    assert run("judgement", "publish", "northamptonshire", "--by", "dan")[0] == 0
    code, _, err = run("judgement", "confirm", "northamptonshire", "investigating-offending", "--by", "dan")
    assert code == 2 and "is published; changing it needs a reason" in err
    edited = Path(db) / "northamptonshire-edited.yaml"
    edited.write_text(NORTHANTS_2014.read_text().replace("kind: strength", "kind: cause-of-concern", 1))
    code, _, err = run("evidence", "import", str(edited), "--by", "erin", "--reason", "a small fix")
    assert code == 2 and "is published, so the findings behind it are locked" in err, err
    assert "openpeel judgement reopen northamptonshire" in err

    code, out, err = run("history", "northamptonshire", "--year", "2014", "--json")
    assert code == 0, err
    history = json.loads(out)
    assert history["chain"]["intact"] and len(history["events"]) == 21 + 11 + 3 + 11 + 11
    override_event = next(e for e in history["events"] if e["action"] == "override")
    assert (override_event["by"], override_event["reason"]) == ("bob", "Specialist teams")

    code, out, _ = run("moderate", "--year", "2014")
    assert code == 0 and "Proposed and current grade differ" in out and "Specialist" in out, out
    code, out, _ = run("moderate", "--year", "2014", "--json")
    view = json.loads(out)
    assert [d["question"] for d in view["proposed_and_current_differ"]] == ["investigating-offending"]


def test_export_and_errors(db: str, tmp_path: Path) -> None:
    code, _, err = run("evidence", "export", "--out", str(tmp_path / "x"))
    assert code == 2 and "no stored evidence" in err
    run("evidence", "import", str(ILLUSTRATIVE_2015), "--by", "alice", "--no-propose")
    code, _, err = run(
        "evidence",
        "export",
        "cumbria",
        "--year",
        "2015",
        "--format",
        "csv",
        "--out",
        str(tmp_path / "x"),
    )
    assert code == 0 and (tmp_path / "x" / "findings.csv").exists(), err
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        ILLUSTRATIVE_2015.read_text().replace("question: use-of-resources", "question: use-of-resource")
    )
    code, _, err = run("evidence", "import", str(bad), "--by", "alice")
    assert code == 2 and "did you mean 'use-of-resources'?" in err
    for command in ("history", "moderate", "evidence", "judgement"):
        assert run(command, "--help")[0] == 0
