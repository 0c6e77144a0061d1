"""Data sentences never contradict a direction (publish/narrative.py)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from openpeel.indicators import catalogue
from openpeel.indicators.comparison import compare
from openpeel.indicators.query import IndicatorValue
from openpeel.publish.narrative import change_sentence, count_noun

changes = st.floats(min_value=-40, max_value=40).filter(lambda x: abs(x) > 1e-6)


def _value(change: float, ew: float) -> IndicatorValue:
    ind = catalogue().get("recorded_crime_change_1y_pct")
    base = 40_000.0
    now = base * (1 + change / 100)
    rule = compare("change", change, ew, now, base, ind.materiality)
    return IndicatorValue(
        indicator=ind,
        area_id="northamptonshire",
        period_end=dt.date(2014, 6, 30),
        base_period_end=dt.date(2013, 6, 30),
        numerator=now,
        denominator=base,
        value=change,
        ci_low=None,
        ci_high=None,
        ew_value=ew,
        z_score=rule.z_score,
        is_significant=rule.is_significant,
        is_material=rule.is_material,
        band=rule.band,
        rank=None,
        rank_of=None,
        source_ids=(),
    )


@settings(deadline=None)  # the first example loads the catalogue
@given(changes, changes)
def test_a_rise_is_never_in_line_with_a_fall(change: float, ew: float) -> None:
    text = "".join(s.text for s in change_sentence(_value(change, ew), "recorded crime", "In 2014"))
    if (change < 0) != (ew < 0):
        assert "in line with" not in text
        assert f"England and Wales saw {'a fall' if ew < 0 else 'a rise'}" in text, text
    if "in line with" in text:
        assert ("a fall of" in text) == (ew < 0) and ("rose" in text) == (change >= 0.5)


def test_rate_nouns_do_not_repeat_themselves() -> None:
    nouns = {i.id: count_noun(i) for i in catalogue().indicators if i.kind == "rate"}
    assert nouns["sexual_offences_rate"] == "sexual offences"
    assert nouns["vehicle_offences_rate"] == "vehicle offences"
    assert nouns["asb_rate"] == "anti-social behaviour incidents"
    assert all("offences offences" not in n for n in nouns.values())


def test_incidents_were_broadly_unchanged() -> None:
    value = _value(0.2, -7.3)
    subject = "anti-social behaviour incidents"
    text = "".join(s.text for s in change_sentence(value, subject, "In the year ending March 2014"))
    assert "incidents were broadly unchanged" in text
