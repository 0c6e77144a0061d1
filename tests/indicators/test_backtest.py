"""The back-test over the ONS history (openpeel backtest; docs/methodology.md)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from openpeel.indicators.backtest import backtest, backtest_markdown


def test_adjusted_flags_are_few_and_persist_beyond_chance(computed_all: duckdb.DuckDBPyConnection) -> None:
    rows = {(r.indicator_id, r.rule): r for r in backtest(computed_all, ("recorded_crime_rate", "asb_rate"))}
    for indicator_id in ("recorded_crime_rate", "asb_rate"):
        old, new = rows[(indicator_id, "poisson")], rows[(indicator_id, "adjusted")]
        assert old.years == new.years >= 10
        # The Poisson rule flags most forces every year; the adjusted one a nominal handful.
        assert old.mean_share > 0.6 and new.mean_share < 0.15
        # What it flags are lasting differences: next year's flags land on the same forces far
        # more often than chance would put them there.
        assert new.persistence is not None and new.chance is not None
        assert new.persistence > 5 * new.chance
        assert all(0.0 <= share <= 1.0 for share in new.shares.values())
    page = backtest_markdown(list(rows.values()))
    assert page.count("| recorded_crime_rate | adjusted |") == 2


@pytest.mark.slow
def test_backtest_command_prints_the_table(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from openpeel.cli import app

    db = tmp_path / "w.duckdb"
    result = CliRunner().invoke(app, ["backtest", "--db", str(db), "-i", "asb_rate"])
    assert result.exit_code == 0, result.output
    assert "| asb_rate | poisson |" in result.stdout and "| asb_rate | adjusted |" in result.stdout
    bad = CliRunner().invoke(app, ["backtest", "--db", str(db), "-i", "no_such_indicator"])
    assert bad.exit_code == 2
