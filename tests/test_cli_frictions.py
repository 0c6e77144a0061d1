"""Small frictions a new user met, each fixed and kept fixed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.core.cli_support import friendly_errors
from openpeel.core.errors import OpenpeelError
from openpeel.indicators.lake_commands import _share

runner = CliRunner()


def test_error_messages_keep_their_square_brackets() -> None:
    """Terminal markup used to eat "[pdf]" from "pip install 'openpeel[pdf]'"."""
    tiny = typer.Typer()

    @tiny.command()
    @friendly_errors
    def fail() -> None:
        raise OpenpeelError("PDF output needs Playwright's Python package: pip install 'openpeel[pdf]'")

    result = runner.invoke(tiny, [])
    assert result.exit_code == 2
    assert "pip install 'openpeel[pdf]'" in result.output


def test_the_pdf_hint_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from openpeel.publish.pdf import pdf_printer

    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # as if it were not installed
    with pytest.raises(OpenpeelError, match=r"openpeel\[pdf\]"), pdf_printer():
        pass


def test_the_postgres_hint_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from openpeel.store import Store

    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(OpenpeelError, match=r"openpeel\[postgres\]"):
        Store("postgresql://ann@db.example:5432/openpeel")


def test_tables_are_not_cut_to_80_columns_when_piped() -> None:
    # A real pipe and an environment that says exactly which width was asked for: the console's
    # width is settled when openpeel is imported, and a test process may carry a COLUMNS nobody
    # set by hand (pytest imports readline, which exports COLUMNS=80 to every child process,
    # pytest-xdist's workers among them).
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["PYTHONIOENCODING"] = "utf-8"

    def forces(**extra: str) -> str:
        command = [sys.executable, "-m", "openpeel", "forces"]
        done = subprocess.run(command, env=env | extra, capture_output=True, encoding="utf-8", check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    piped = forces()
    assert "…" not in piped
    assert "Devon and Cornwall Police" in piped
    # A width the user sets is still followed.
    assert "…" in forces(COLUMNS="80")


def test_a_missing_share_is_a_dash_not_zero_and_an_empty_lake_says_so(tmp_path: Path) -> None:
    assert _share(None) == "–"
    assert _share(0.0) == "0.0%"
    result = runner.invoke(app, ["--home", str(tmp_path), "lake", "indicators"])
    assert result.exit_code == 0, result.output
    assert "no data.police.uk records in the lake" in result.output
    assert "openpeel ingest" in result.output


def test_a_bad_setting_is_one_line_naming_it() -> None:
    result = runner.invoke(app, ["serve", "--port", "70000"])
    assert result.exit_code == 2
    assert "invalid setting port" in result.output
    assert "errors.pydantic.dev" not in result.output
    assert len(result.output.strip().splitlines()) == 1
