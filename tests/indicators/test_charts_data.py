"""Funnel plot and trend data for the publish stage."""

from __future__ import annotations

import datetime as dt

import duckdb

from openpeel.indicators import catalogue
from openpeel.indicators.charts_data import Z_95, control_limits, funnel, movement_since, trend


def test_funnel_has_the_43_forces_and_limits_that_narrow_with_size(
    computed_all: duckdb.DuckDBPyConnection,
) -> None:
    data = funnel(computed_all, "recorded_crime_rate", dt.date(2014, 6, 30))
    assert data is not None
    assert len(data.points) == 43 and sum(p.is_ranked for p in data.points) == 42
    widths = [lim.high_95 - lim.low_95 for lim in data.limits]
    assert widths == sorted(widths, reverse=True)  # larger forces, narrower funnel
    assert all(
        lim.low_998 <= lim.low_95 <= data.ew_value <= lim.high_95 <= lim.high_998 for lim in data.limits
    )
    # A force outside the 95% funnel is one the rule calls significant (rates: same Poisson test).
    ind = catalogue().get("recorded_crime_rate")
    for p in data.points:
        low, high = control_limits(ind, data.ew_value, p.size, Z_95)
        if p.band in ("higher", "lower"):
            assert not low <= p.value <= high, p.area_id
    assert data.as_json()["period_end"] == "2014-06-30"


def test_funnel_for_changes_and_none_without_england_and_wales(
    computed_all: duckdb.DuckDBPyConnection,
) -> None:
    data = funnel(computed_all, "recorded_crime_change_4y_pct", dt.date(2014, 6, 30))
    assert data is not None and data.size_label == "count in the base period"
    assert funnel(computed_all, "recorded_crime_rate", dt.date(1999, 3, 31)) is None


def test_trend_covers_every_period_with_england_and_wales(computed_all: duckdb.DuckDBPyConnection) -> None:
    series = trend(computed_all, "recorded_crime_rate", "northamptonshire")
    periods = [p.period_end for p in series.points]
    assert (
        periods == sorted(periods)
        and periods[0] == dt.date(2003, 3, 31)
        and periods[-1] == dt.date(2018, 12, 31)
    )
    assert all(p.ew_value is not None for p in series.points)
    moved = movement_since(series, dt.date(2013, 6, 30), dt.date(2014, 6, 30))
    assert moved is not None and moved[1].value < moved[0].value
    assert trend(computed_all, "asb_rate", "kent").points[0].period_end == dt.date(2008, 3, 31)
