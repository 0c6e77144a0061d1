from __future__ import annotations

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
