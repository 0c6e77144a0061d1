from __future__ import annotations

import re
from pathlib import Path

import pytest

from openpeel.framework import load_framework
from openpeel.indicators import catalogue
from openpeel.indicators.compute import compute_indicators
from openpeel.indicators.scan import TRIAGE_LIMIT, national_scan, triage
from openpeel.ingest.official_statistics import load_official_statistics
from openpeel.warehouse import connect


@pytest.mark.slow
def test_scan_lists_only_significant_and_material_differences() -> None:
    con = connect(":memory:")
    load_official_statistics(con, None)
    compute_indicators(con)
    rows = national_scan(con, load_framework(2014))
    assert rows
    assert {"worse", "better"} <= {r.direction for r in rows} <= {"worse", "better", "unclear"}
    assert all(r.z_score is not None and abs(r.z_score) > 1.96 for r in rows)
    # Recording drives violence and sexual offences, and the crime counts of a force whose
    # recording the inspectorate found wanting: neither a rise nor a fall is better or worse.
    caveated = {i.id for i in catalogue().indicators if i.recording_caveat}
    for r in rows:
        assert (r.direction == "unclear") == (r.indicator_id in caveated or r.recording is not None)
        assert (r.caveat is not None) == (r.direction == "unclear")
    sexual = [r for r in rows if r.indicator_id.startswith("sexual_offences")]
    assert sexual and {r.direction for r in sexual} == {"unclear"}
    # A handful of forces stand out from the ordinary spread, not nearly all of them.
    crime_rate = {r.force_id for r in rows if r.indicator_id == "recorded_crime_rate"}
    assert 0 < len(crime_rate) <= 13
    # Kent's rise in crime, the largest in the country, carries the inspectorate's finding that its
    # recording had improved after an inspection found under-recording: neither better nor worse.
    kent = {r.indicator_id: r for r in rows if r.force_id == "kent"}
    rise = kent["recorded_crime_change_1y_pct"]
    assert rise.direction == "unclear" and rise.caveat and "improved" in rise.caveat
    # Northamptonshire's crime rate is only 3% below England and Wales: not material, not listed.
    assert not any(r.force_id == "northamptonshire" and r.indicator_id == "recorded_crime_rate" for r in rows)
    assert all(r.force_id not in ("btp", "england-and-wales") for r in rows)


@pytest.mark.slow
def test_scan_with_peers_json_and_markdown() -> None:
    import json

    from openpeel.indicators.scan import scan_json, scan_markdown

    con = connect(":memory:")
    load_official_statistics(con, None)
    compute_indicators(con)
    framework = load_framework(2014)
    rows = national_scan(con, framework, include_peers=True)
    plain = national_scan(con, framework)
    assert {r.comparator_kind for r in rows} == {"england-and-wales", "peers"}
    assert [r for r in rows if r.comparator_kind == "england-and-wales"] == plain
    northants = [
        r for r in rows if r.force_id == "northamptonshire" and r.indicator_id == "recorded_crime_rate"
    ]
    # 5.5% above its region: materially higher (the sentence may say so), but well within the
    # ordinary spread between forces, so not a flag.
    from openpeel.indicators.query import values_by_indicator

    value = values_by_indicator(con, framework, "northamptonshire")["recorded_crime_rate"]
    assert value.peer_band == "higher" and value.peer_is_significant is False and northants == []
    document = json.loads(scan_json(framework, rows))
    assert document["year"] == 2014 and len(document["rows"]) == len(rows)
    assert all(r["rank_best"] <= r["rank"] <= r["rank_worst"] for r in document["rows"] if r["rank"])
    page = scan_markdown(framework, rows)
    assert page.startswith("# National scan, PEEL 2014") and page.count("\n| ") == len(rows) + 1


@pytest.mark.slow
def test_scan_command_prints_json(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from openpeel.cli import app

    db = tmp_path / "w.duckdb"
    result = CliRunner().invoke(app, ["scan", "--year", "2014", "--json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout[result.stdout.index("{") :])
    assert document["rows"] and "random-effects" in document["method"]
    for row in document["rows"]:
        assert abs(row["z_score"]) > 1.96 and row["method"] == "random-effects"
        assert row["dispersion"]["between_force_variance"] > 0
    bad = CliRunner().invoke(app, ["import-measures", str(tmp_path / "missing.csv"), "--db", str(db)])
    assert bad.exit_code == 2 and "missing.csv: file not found" in bad.output


@pytest.mark.slow
def test_triage_keeps_each_forces_few_largest_differences(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from openpeel.cli import app

    db = str(tmp_path / "w.duckdb")
    short = CliRunner().invoke(app, ["scan", "--year", "2014", "--db", db])
    full = CliRunner().invoke(app, ["scan", "--year", "2014", "--all", "--db", db])
    assert short.exit_code == 0 and full.exit_code == 0, short.output
    said = " ".join(short.stderr.split())  # the console wraps long lines
    assert f"the {TRIAGE_LIMIT} largest differences of each force" in said
    assert "--all lists every one" in said
    assert re.search(r"^\d+ differences across \d+ forces", full.stderr, re.M)


@pytest.mark.slow
def test_triage_is_the_largest_differences_each_indicator_once() -> None:
    con = connect(":memory:")
    load_official_statistics(con, None)
    compute_indicators(con)
    rows = national_scan(con, load_framework(2014), include_peers=True)
    top = triage(rows)
    assert 0 < len(top) < len(rows)
    for force in {r.force_id for r in rows}:
        mine = [r for r in top if r.force_id == force]
        assert 0 < len(mine) <= TRIAGE_LIMIT
        assert len({r.indicator_id for r in mine}) == len(mine)
        sizes = [abs(r.z_score or 0.0) for r in mine]
        assert sizes == sorted(sizes, reverse=True)
        left_out = [
            r for r in rows if r.force_id == force and r.indicator_id not in {m.indicator_id for m in mine}
        ]
        assert all(abs(r.z_score or 0.0) <= sizes[-1] for r in left_out)
