"""Attack (issue 21, 10): `openpeel export --evidence F` and `publish --evidence F` used to import F
into the store as drafts. Read commands never write evidence: both now refuse --evidence with a
message saying how to import it, before anything is read or written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.core.cli_support import locations
from openpeel.store import open_store

INVENTED = """# INVENTED for tests/publish/test_read_commands.py: not a finding of the inspectorate.
force: kent
year: 2014
inspections:
  - {id: invented-2014, kind: crime-inspection, title: Invented inspection, source: "invented for a test"}
findings:
  - {id: invented-1, inspection: invented-2014, question: tackling-asb, kind: strength, text: "Invented (zq-6160)."}
"""


@pytest.mark.parametrize("command", ["export", "publish"])
def test_a_read_command_refuses_evidence_and_stores_nothing(
    command: str, statistics_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(statistics_db, home / "warehouse.duckdb")
    monkeypatch.setenv("OPENPEEL_HOME", str(home))
    evidence = tmp_path / "kent-2014.yaml"
    evidence.write_text(INVENTED, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, [command, "--year", "2014", "--out", str(out), "--evidence", str(evidence)]
    )
    assert result.exit_code == 2, result.output
    message = " ".join((result.output + result.stderr).split())
    assert f"openpeel {command}` shows only published judgements" in message
    assert "openpeel evidence import" in message
    assert not out.exists()
    with open_store(locations()).read() as ws:
        kent = ws.execute(sa.text("SELECT count(*) FROM ev_inspections WHERE force_id = 'kent'")).scalar_one()
        events = ws.execute(sa.text("SELECT count(*) FROM as_audit_events")).scalar_one()
    assert kent == 0 and events == 0
