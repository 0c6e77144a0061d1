"""How far a cycle's figures precede the cycle, and the framework's limit past which its reports
leave the data section out."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from openpeel.framework import available_years, load_framework
from openpeel.indicators.data_age import cycle_start, data_age, months_between, span_text


@pytest.mark.parametrize(
    ("earlier", "later", "months"),
    [
        (dt.date(2018, 12, 31), dt.date(2021, 1, 1), 24),
        (dt.date(2019, 3, 31), dt.date(2021, 1, 1), 21),
        (dt.date(2014, 6, 30), dt.date(2014, 1, 1), -6),
        (dt.date(2020, 12, 31), dt.date(2021, 1, 1), 0),
    ],
)
def test_months_between(earlier: dt.date, later: dt.date, months: int) -> None:
    assert months_between(earlier, later) == months


def test_span_text() -> None:
    assert span_text(36) == "three years"
    assert span_text(21) == "a year and nine months"
    assert span_text(1) == "one month"
    assert span_text(50) == "four years and two months"


def test_the_recent_cycles_name_a_limit_and_its_reason() -> None:
    for year in (2021, 2023, 2025):
        limit = load_framework(year).data_age_limit
        assert limit is not None and limit.months > 0
        assert "December 2018" in limit.reason and "March 2019" in limit.reason
    # The cycles whose periods the bundled statistics cover need none.
    assert all(load_framework(y).data_age_limit is None for y in available_years() if y < 2021)


def test_bundled_statistics_precede_the_recent_cycles(computed_all: duckdb.DuckDBPyConnection) -> None:
    for year in available_years():
        framework = load_framework(year)
        age = data_age(computed_all, framework)
        assert age.starts == cycle_start(framework) == dt.date(year, 1, 1)
        if year <= 2018:
            # The figures are the cycle's own periods, which end after the cycle's first day.
            assert all(f.at_wanted for f in age.families.values() if f.family != "imported")
            assert not age.precedes and age.phrase() is None and not age.left_out
        else:
            crime = age.families["recorded_crime"]
            assert crime.latest == dt.date(2018, 12, 31) and not crime.at_wanted
            assert crime.months_before_start == months_between(dt.date(2018, 12, 31), dt.date(year, 1, 1))
            assert age.latest == dt.date(2019, 3, 31)  # anti-social behaviour, the newer of the two
            assert age.precedes and age.left_out
            assert age.limit_reason == framework.data_age_limit.reason  # type: ignore[union-attr]
    age = data_age(computed_all, load_framework(2021))
    assert age.months == 21 and age.phrase() == "a year and nine months before PEEL 2021/22 began"
