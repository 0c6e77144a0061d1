from __future__ import annotations

from pathlib import Path

from openpeel.framework import load_framework
from openpeel.indicators.compute import compute_indicators
from openpeel.indicators.scan import national_scan
from openpeel.ingest.official_statistics import load_official_statistics
from openpeel.warehouse import connect


def test_scan_lists_only_significant_and_material_differences() -> None:
    con = connect(":memory:")
    load_official_statistics(con, None)
    compute_indicators(con)
    rows = national_scan(con, load_framework(2014))
    assert rows
    assert {r.direction for r in rows} == {"worse", "better"}
    kent = [r for r in rows if r.force_id == "kent"]
    assert kent[0].direction == "worse"
    assert any(r.indicator_id == "recorded_crime_change_1y_pct" for r in kent)
    # Northamptonshire's crime rate is only 3% below England and Wales: not material, not listed.
    assert not any(r.force_id == "northamptonshire" and r.indicator_id == "recorded_crime_rate" for r in rows)
    assert all(r.force_id not in ("btp", "england-and-wales") for r in rows)


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
    assert [r.comparator for r in northants] == [
        "peers (East Midlands)"
    ]  # above its region, in line with E&W
    document = json.loads(scan_json(framework, rows))
    assert document["year"] == 2014 and len(document["rows"]) == len(rows)
    assert all(r["rank_best"] <= r["rank"] <= r["rank_worst"] for r in document["rows"] if r["rank"])
    page = scan_markdown(framework, rows)
    assert page.startswith("# National scan, PEEL 2014") and page.count("\n| ") == len(rows) + 1


def test_scan_command_prints_json(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from openpeel.cli import app

    db = tmp_path / "w.duckdb"
    result = CliRunner().invoke(app, ["scan", "--year", "2014", "--json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout[result.stdout.index("{") :])
    assert len({r["force_id"] for r in document["rows"]}) > 30
    bad = CliRunner().invoke(app, ["import-measures", str(tmp_path / "missing.csv"), "--db", str(db)])
    assert bad.exit_code == 2 and "missing.csv: file not found" in bad.output
