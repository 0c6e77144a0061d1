"""Public means published: a draft imported for a force never reaches any public output, and the
same finding appears once its judgement is published (a control showing the scan can see it)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.core.settings import Settings
from openpeel.web.app import create_app

# Whole commands or national runs, seconds each: left to the full run (`make test-fast` skips them).
pytestmark = pytest.mark.slow

# INVENTED for this test: not a finding of the inspectorate.
DRAFT_TEXT = "INVENTED DRAFT FINDING: detainees were left unchecked for hours (zq-7731)"
DRAFT = f"""# INVENTED for tests/assessment/test_public_means_published.py
force: kent
year: 2014
inspections:
  - {{id: invented-2014, kind: crime-inspection, title: Invented inspection, source: "invented for a test"}}
findings:
  - id: invented-concern
    inspection: invented-2014
    question: investigating-offending
    kind: cause-of-concern
    text: "{DRAFT_TEXT}"
    topics: [investigation quality]
"""
PUBLIC_PAGES = ("/2014/kent.html", "/2014/index.html", "/forces/kent.html", "/2014/scan.html")
PUBLIC_DATA = (
    "/2014/downloads/judgements.csv",
    "/2014/downloads/findings.csv",
    "/2014/downloads/findings-followed.csv",
    "/api/v1/judgements?force=kent",
    "/api/v1/findings?force=kent",
)


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def home(statistics_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(statistics_db, home / "warehouse.duckdb")
    monkeypatch.setenv("OPENPEEL_HOME", str(home))
    draft = tmp_path / "kent-2014-invented.yaml"
    draft.write_text(DRAFT, encoding="utf-8")
    run("evidence", "import", str(draft), "--by", "mallory")
    yield home


def files_text(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8", errors="replace")
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in (".html", ".md", ".txt", ".csv", ".json")
    }


def web_text(home: Path) -> dict[str, str]:
    with TestClient(create_app(Settings(home=home))) as client:
        out = {}
        for path in (*PUBLIC_PAGES, *PUBLIC_DATA):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            out[path] = response.text
        return out


def test_a_draft_reaches_no_public_output_until_it_is_published(home: Path, tmp_path: Path) -> None:
    judgement = run("judgement", "show", "kent", "--year", "2014", "--json")
    assert '"proposed_grade": "inadequate"' in judgement  # the draft is in the workspace

    run("publish", "--year", "2014", "--out", str(tmp_path / "site"))
    run("export", "--year", "2014", "--out", str(tmp_path / "downloads"))
    outputs = {
        **{f"site/{k}": v for k, v in files_text(tmp_path / "site").items()},
        **{f"downloads/{k}": v for k, v in files_text(tmp_path / "downloads").items()},
        **{f"web{k}": v for k, v in web_text(home).items()},
    }
    assert len(outputs) > 100
    leaks = [name for name, text in outputs.items() if "zq-7731" in text or "invented-concern" in text]
    assert leaks == []
    kent_page = outputs["web/2014/kent.html"]
    assert "Inadequate" not in kent_page and "inadequate at" not in kent_page
    assert json.loads(outputs["web/api/v1/judgements?force=kent"])["data"] == []

    # Published, the same finding and its grade appear: the scan above could have seen them.
    run("judgement", "confirm", "kent", "investigating-offending", "--by", "lee")
    run("judgement", "moderate", "kent", "--by", "mo")
    run("judgement", "publish", "kent", "--by", "pat")
    shown = web_text(home)
    assert "zq-7731" in shown["/2014/kent.html"] and "Inadequate" in shown["/2014/kent.html"]
    assert "zq-7731" in shown["/api/v1/findings?force=kent"]
    # The force-across-years page follows the published cause of concern into the next cycle.
    assert "zq-7731" in shown["/forces/kent.html"]
