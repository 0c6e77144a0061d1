"""The tile map: positions as data, every force once, colour never the only signal."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import duckdb
import pytest

from openpeel.core.errors import InputError
from openpeel.forces import territorial_forces
from openpeel.publish import charts, tile_map
from openpeel.publish.tile_map import tile_labels, tile_map_chart, tile_positions

SVG = "{http://www.w3.org/2000/svg}"


def test_every_territorial_force_has_one_square_and_a_unique_label() -> None:
    positions = tile_positions()
    assert set(positions) == {f.force_id for f in territorial_forces()}
    assert len(set(positions.values())) == 43
    assert len(set(tile_labels().values())) == 43
    # Roughly where they are: Northumbria north of Kent, Wales west of Essex.
    assert positions["northumbria"][1] < positions["kent"][1]
    assert positions["dyfed-powys"][0] < positions["essex"][0]


def test_the_positions_file_says_where_it_comes_from() -> None:
    from importlib import resources

    text = resources.files("openpeel.publish").joinpath("tile_map.csv").read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert any("Source:" in line for line in comments) and any("Notes:" in line for line in comments)


def test_a_square_placed_twice_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    class Files:
        def joinpath(self, name: str) -> Files:
            return self

        def read_text(self, encoding: str) -> str:
            return "force_id,col,row,label\nkent,1,1,KEN\nessex,1,1,ESS\n"

    monkeypatch.setattr(tile_map.resources, "files", lambda package: Files())
    tile_map.tile_positions.cache_clear()
    try:
        with pytest.raises(InputError, match="essex and kent share column 1, row 1"):
            tile_map.tile_positions()
    finally:
        tile_map.tile_positions.cache_clear()


def test_the_map_colours_by_category_and_says_it_in_words() -> None:
    chart = tile_map_chart(
        "chart-map-test",
        "Test",
        {"kent": "Good", "essex": "Inadequate"},
        [("Good", "#4c9a2a"), ("Inadequate", "#a00000")],
        "Grade",
    )
    rows = dict(chart.rows)
    assert rows["Kent Police"] == "Good" and rows["Essex Police"] == "Inadequate"
    assert rows["Surrey Police"] == tile_map.NO_CATEGORY and len(rows) == 43
    assert "1 good; 1 inadequate; 41 no grade" in chart.summary
    root = ET.fromstring(str(charts.svg(chart)))
    titles = ["".join(t.itertext()) for t in root.iter(f"{SVG}title")]
    # Each square's own title names the force and its category, so colour is not the only signal.
    assert "Kent Police: Good" in titles and "Essex Police: Inadequate" in titles
    assert len([t for t in titles if ": " in t]) == 43


def test_the_band_map_says_lower_or_higher_from_the_indicator(
    publish_con: duckdb.DuckDBPyConnection,
) -> None:
    from openpeel.framework import load_framework
    from openpeel.indicators.query import values_for_year
    from openpeel.publish.tile_map import band_map

    values = [
        v
        for v in values_for_year(publish_con, load_framework(2014))
        if v.indicator.id == "recorded_crime_change_4y_pct"
    ]
    names = {f.force_id: f.name for f in territorial_forces()}
    chart = band_map(values)
    assert chart is not None and chart.title.endswith("period ending June 2014")
    rows = dict(chart.rows)
    northants = next(v for v in values if v.area_id == "northamptonshire")
    assert northants.band == "lower" and rows["Northamptonshire Police"] == "Lower than England and Wales"
    words = {"lower": "Lower", "higher": "Higher", "similar": "Broadly in line"}
    for v in (v for v in values if v.area_id in names):
        name = names[v.area_id]
        assert rows[name].startswith(words[v.band]) if v.band else rows[name] == "No comparison"
    assert band_map([]) is None
