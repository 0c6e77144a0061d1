from __future__ import annotations

import datetime as dt
import itertools
import math
import xml.etree.ElementTree as ET

import duckdb
import pytest

from openpeel.core.statistics import Z_95, Z_998
from openpeel.framework import load_framework
from openpeel.publish import charts
from openpeel.publish.chart_data import (
    GradeData,
    SectionData,
    YearChartData,
    control_limits,
    load_chart_data,
)
from openpeel.publish.model import Chart

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def data_2014(publish_con: duckdb.DuckDBPyConnection) -> YearChartData:
    return load_chart_data(publish_con, load_framework(2014))


def parse(chart: Chart) -> ET.Element:
    return ET.fromstring(str(charts.svg(chart)))


def test_trend_follows_the_inspection_period(data_2014: YearChartData) -> None:
    points = data_2014.trend("recorded_crime_rate", "northamptonshire")
    assert points[-1].period_end == dt.date(2014, 6, 30)
    assert all(p.period_end.month == 6 for p in points) and len(points) == 8
    chart = charts.trend_chart(
        data_2014, data_2014.sections["recorded_crime_rate"].indicator, "northamptonshire", "Northamptonshire"
    )
    assert chart is not None and len(chart.rows) == 8
    assert (
        chart.rows[-1][1] == f"{points[-1].value:.1f}" and chart.rows[-1][2] == f"{points[-1].ew_value:.1f}"
    )
    root = parse(chart)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == chart.title  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == chart.summary  # type: ignore[union-attr]
    assert len(root.findall(f".//{SVG}polyline")) == 2


def test_funnel_limits_allow_for_the_spread_between_forces(data_2014: YearChartData) -> None:
    section = data_2014.sections["asb_rate"]
    chart = charts.funnel_chart(section, "northamptonshire", "Northamptonshire")
    assert chart is not None and chart.highlight == "Northamptonshire Police"
    assert "City of London" not in {r[0] for r in chart.rows}  # excluded: tiny resident population
    assert len(chart.rows) == 42
    ew, tau2 = section.ew_value, section.tau2
    assert ew is not None and tau2 is not None and tau2 > 0
    ind = section.indicator
    # Without the spread the limits are chance alone: close to p +- z sqrt(p scale / n).
    lo, hi = control_limits(ind, ew, 1_000_000, Z_998)
    assert hi - ew == pytest.approx(Z_998 * math.sqrt(ew * 1000 / 1_000_000), rel=0.02)
    # With it they are Spiegelhalter's random-effects limits, wider, and hardly narrower for a
    # large force than a small one.
    alo, ahi = control_limits(ind, ew, 1_000_000, Z_998, tau2)
    assert alo < lo < ew < hi < ahi
    assert math.log(ahi / ew) == pytest.approx(Z_998 * math.sqrt(1 / (ew / 1000 * 1_000_000) + tau2))
    widths = [control_limits(ind, ew, n, Z_95, tau2) for n in (200_000, 1_000_000, 8_000_000)]
    assert [w[1] - w[0] for w in widths] == sorted((w[1] - w[0] for w in widths), reverse=True)
    # The caption counts and names the forces outside, and they are the ones the table marks.
    outside = [r[0] for r in chart.rows if r[-1] != "within"]
    assert 0 < len(outside) <= 8
    assert (
        f"{len(outside)} of 42 forces {'lies' if len(outside) == 1 else 'lie'} outside the 95% limits"
        in chart.summary
    )
    for name in outside:
        assert name.removesuffix(" Police").removesuffix(" Constabulary") in chart.summary
    # Northamptonshire's rate is materially higher (the report says so) but within the spread.
    northants = next(r for r in chart.rows if r[0] == "Northamptonshire Police")
    assert northants[-1] == "within"
    root = parse(chart)
    circles = root.findall(f".//{SVG}circle")
    assert len(circles) >= 42


@pytest.mark.parametrize("indicator_id", ["recorded_crime_rate", "asb_rate", "burglary_rate"])
def test_outside_the_95_percent_funnel_is_what_the_adjusted_test_flags(
    publish_con: duckdb.DuckDBPyConnection, indicator_id: str
) -> None:
    section = load_chart_data(publish_con, load_framework(2014), {indicator_id}).sections[indicator_id]
    chart = charts.funnel_chart(section, None, None)
    assert chart is not None
    outside = {r[0] for r in chart.rows if r[-1] != "within"}
    flagged = {
        str(name)
        for (name,) in publish_con.execute(
            "SELECT f.name FROM ind_values v JOIN ref_areas f USING (area_id) WHERE v.indicator_id = ? "
            "AND v.period_end = ? AND v.is_significant",
            [indicator_id, section.period_end],
        ).fetchall()
    }
    # The test compares with England and Wales without the force, the funnel with all of it:
    # at most a near-miss apart.
    assert len(outside ^ flagged) <= 1, (outside, flagged)


def test_ranked_bars_are_sorted_and_mark_the_force(data_2014: YearChartData) -> None:
    chart = charts.ranked_chart(
        data_2014.sections["recorded_crime_change_4y_pct"], "northamptonshire", "Northamptonshire"
    )
    assert chart is not None and len(chart.rows) == 43
    values = [float(r[1].rstrip("%")) for r in chart.rows]
    assert values == sorted(values)
    root = parse(chart)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert any(t and t.startswith("Northamptonshire -") for t in labels)


def test_svg_text_is_escaped() -> None:
    chart = charts.grade_chart(["<script>alert(1)</script>"], ["Good", "Not graded"], [[1, 42]], "PEEL 2014")
    out = str(charts.svg(chart))
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert isinstance(chart.data, GradeData)
    assert ET.fromstring(out).find(f"{SVG}title") is not None


@pytest.mark.parametrize(("low", "high"), [(0, 97.3), (-30.4, 6.6), (35.1, 82.9), (0, 0.4)])
def test_nice_ticks_cover_the_range(low: float, high: float) -> None:
    ticks = charts.nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high and 3 <= len(ticks) <= 12
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_funnel_names_the_forces_outside_the_adjusted_limits(data_2014: YearChartData) -> None:
    section = data_2014.sections["asb_rate"]
    chart = charts.funnel_chart(section, "northamptonshire", "Northamptonshire")
    assert chart is not None
    outside = [row[0] for row in chart.rows if row[-1] != "within"]
    assert outside  # Cleveland and Thames Valley in 2014
    texts = _texts(parse(chart))
    from openpeel.forces import get_force

    names = {get_force(r.area_id).short_name for r in section.rows if r.name in outside}
    assert names <= set(texts)
    # No force inside the limits is named, bar the highlighted one.
    inside = {get_force(r.area_id).short_name for r in section.rows if r.name not in outside}
    assert not (inside - {"Northamptonshire"}) & set(texts)
    # Beside the adjusted limits, chance alone's funnel, in the legend too.
    assert "chance alone" in texts


def test_ranked_bars_name_the_force_its_peers_and_the_ends(data_2014: YearChartData) -> None:
    section = data_2014.sections["recorded_crime_change_1y_pct"]
    chart = charts.ranked_chart(section, "leicestershire", "Leicestershire")
    assert chart is not None and isinstance(chart.data, SectionData)
    peers = chart.data.peer_ids
    texts = " ".join(_texts(parse(chart)))
    from openpeel.forces import get_force
    from openpeel.forces.peers import regional_groups

    region = next(m for m in regional_groups().values() if "leicestershire" in m)
    assert peers and set(peers) == set(region) - {"leicestershire"}
    named = [get_force(p).short_name for p in peers if get_force(p).short_name in texts]
    assert len(named) >= len(peers) - 1  # a neighbour's name may be crowded out
    first, last = section.rows[0], section.rows[-1]
    assert get_force(last.area_id).short_name in texts and get_force(first.area_id).short_name in texts
    # Forces that are neither peers nor ends are not named.
    middle = section.rows[len(section.rows) // 2]
    if middle.area_id not in {*region, first.area_id, last.area_id}:
        assert get_force(middle.area_id).short_name not in texts
