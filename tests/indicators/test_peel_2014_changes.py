"""PEEL 2014: the one-year and four-year changes in recorded crime (excluding fraud) to June 2014,
for all 43 forces and England and Wales, each worded by the rule."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from openpeel.forces import territorial_forces
from openpeel.framework import load_framework
from openpeel.indicators.comparison import compare
from openpeel.indicators.query import values_by_indicator
from openpeel.publish.narrative import change_comparison

WORDS = {
    # A gap below the threshold between opposite movements is still two directions, said plainly.
    "similar": ("in line with", "while England and Wales saw a"),
    "lower": ("a greater reduction than", "while England and Wales saw a rise", "a smaller rise than"),
    "higher": ("a smaller reduction than", "while England and Wales saw a fall", "a greater rise than"),
}


@pytest.mark.slow
@pytest.mark.parametrize("indicator_id", ["recorded_crime_change_1y_pct", "recorded_crime_change_4y_pct"])
def test_every_force_has_the_change_and_its_words(
    computed_all: duckdb.DuckDBPyConnection, indicator_id: str
) -> None:
    framework = load_framework(2014)
    ew = values_by_indicator(computed_all, framework, "england-and-wales")[indicator_id]
    years = 1 if "1y" in indicator_id else 4
    assert ew.period_end == dt.date(2014, 6, 30) and ew.base_period_end == dt.date(2014 - years, 6, 30)
    seen = set()
    for force in territorial_forces():
        v = values_by_indicator(computed_all, framework, force.force_id)[indicator_id]
        assert v.ew_value == ew.value and v.base_period_end == ew.base_period_end
        rule = compare("change", v.value, ew.value, v.numerator, v.denominator, v.indicator.materiality)
        assert v.band == rule.band
        text = "".join(s.text for s in change_comparison(v))
        assert any(w in text for w in WORDS[rule.band]), (force.force_id, rule.band, text)
        if (v.value < 0) != (ew.value < 0):
            assert "in line with" not in text and "while England and Wales saw a" in text, text
        seen.add(rule.band)
    assert seen == {"similar", "lower", "higher"}
