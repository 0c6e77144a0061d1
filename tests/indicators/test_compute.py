from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from tests.conftest import copy_of_statistics

from openpeel.framework import load_framework
from openpeel.indicators import catalogue
from openpeel.indicators.comparison import compare
from openpeel.indicators.compute import compute_indicators
from openpeel.indicators.query import values_by_indicator, values_for_year

NON_FORCES = {"Action Fraud", "CIFAS", "UK Finance", "British Transport Police"}


@pytest.fixture(scope="module")
def computed(statistics_con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    return statistics_con


def independent_crime_totals(shared_data: Path) -> dict[tuple[str, str], int]:
    totals: dict[tuple[str, str], int] = defaultdict(int)
    with (shared_data / "ons" / "recorded-crime-pfa" / "rec-crime-pfa.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Offence"] == "Fraud offences" or row["PFA"] in {"Action Fraud", "CIFAS", "UK Finance"}:
                continue
            totals[(row["PFA"], row["12 months ending"])] += int(row["Rolling year total number of offences"])
    return totals


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("force_id", "pfa"),
    [
        ("northamptonshire", "Northamptonshire"),
        ("kent", "Kent"),
        ("dyfed-powys", "Dyfed-Powys"),
        ("metropolitan", "Metropolitan Police"),
    ],
)
def test_crime_changes_match_the_ons_file_to_the_unit(
    computed: duckdb.DuckDBPyConnection, shared_data: Path, force_id: str, pfa: str
) -> None:
    totals = independent_crime_totals(shared_data)
    values = values_by_indicator(computed, load_framework(2014), force_id)
    one = values["recorded_crime_change_1y_pct"]
    four = values["recorded_crime_change_4y_pct"]
    assert one.numerator == totals[(pfa, "30-06-2014")]
    assert one.denominator == totals[(pfa, "30-06-2013")]
    assert four.denominator == totals[(pfa, "30-06-2010")]
    assert one.value == pytest.approx((totals[(pfa, "30-06-2014")] / totals[(pfa, "30-06-2013")] - 1) * 100)


@pytest.mark.shared_data
def test_england_and_wales_is_the_43_forces_only(
    computed: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    totals = independent_crime_totals(shared_data)
    ew_now = sum(v for (pfa, d), v in totals.items() if d == "30-06-2014" and pfa not in NON_FORCES)
    ew_base = sum(v for (pfa, d), v in totals.items() if d == "30-06-2010" and pfa not in NON_FORCES)
    row = computed.execute(
        "SELECT numerator, denominator FROM ind_values WHERE indicator_id = 'recorded_crime_change_4y_pct' "
        "AND area_id = 'england-and-wales' AND period_end = DATE '2014-06-30'"
    ).fetchone()
    assert row == (ew_now, ew_base)


def test_northamptonshire_2014_carries_the_reference_claims(computed: duckdb.DuckDBPyConnection) -> None:
    v = values_by_indicator(computed, load_framework(2014), "northamptonshire")
    one, four = v["recorded_crime_change_1y_pct"], v["recorded_crime_change_4y_pct"]
    assert one.value < 0 and four.value < 0
    assert one.band == "lower" and four.band == "lower"  # fell faster than England and Wales
    assert v["asb_rate"].band == "higher"
    assert -5 < v["asb_change_1y_pct"].value < 0  # a small fall
    assert v["asb_rate"].numerator == 33841


def test_every_force_has_2014_values_and_ranks(computed: duckdb.DuckDBPyConnection) -> None:
    values = values_for_year(computed, load_framework(2014))
    by_indicator: dict[str, list[int]] = defaultdict(list)
    for v in values:
        if v.rank is not None:
            by_indicator[v.indicator.id].append(v.rank)
    ons_only = {"core_recorded_crime", "core_asb_incidents", "core_population", "ref_offence_groups"}
    framework = load_framework(2014)
    for ind in catalogue().indicators:
        # Workforce tables start in September 2014 and imported measures come from users' files.
        if not set(ind.source_tables) <= ons_only:
            continue
        period = framework.data_periods[ind.period_family].period_end
        if (
            ind.not_comparable_before
            and ind.years
            and period.replace(year=period.year - ind.years) < ind.not_comparable_before
        ):
            continue
        ranks = by_indicator[ind.id]
        expected = 43 - len(ind.rank_excludes)
        assert len(ranks) == expected, ind.id
        assert min(ranks) == 1


AGAINST_THE_REST = """
WITH ew AS (SELECT indicator_id, period_end, numerator AS en, denominator AS ed FROM ind_values
            WHERE area_id = 'england-and-wales'),
members AS (SELECT v.indicator_id, v.period_end, sum(v.denominator * v.denominator) AS d2
            FROM ind_values v JOIN ref_areas a USING (area_id) WHERE a.kind = 'territorial'
            GROUP BY v.indicator_id, v.period_end)
SELECT v.indicator_id, v.value, v.ew_value, v.numerator, v.denominator, a.kind = 'territorial',
       e.en, e.ed, m.d2, d.tau2, v.z_score, v.band, v.is_significant
FROM ind_values v JOIN ref_areas a USING (area_id)
JOIN ew e USING (indicator_id, period_end) JOIN members m USING (indicator_id, period_end)
LEFT JOIN ind_dispersion d USING (indicator_id, period_end)
WHERE v.band IS NOT NULL
"""


def test_sql_band_agrees_with_the_python_rule_on_every_row(computed: duckdb.DuckDBPyConnection) -> None:
    rows = computed.execute(AGAINST_THE_REST).fetchall()
    assert len(rows) > 5000
    significant_rows = 0
    for ind_id, value, ew_value, num, den, is_member, en, ed, d2, tau2, z, band, significant in rows:
        ind = catalogue().get(ind_id)
        # A force of England and Wales is compared with the other 42; overlap is the share of the
        # between-force variance left in their combined value.
        cn, cd = (en - num, ed - den) if is_member else (en, ed)
        overlap = ((d2 - den * den) if is_member else d2) / (cd * cd)
        result = compare(
            ind.kind,
            value,
            ew_value,
            num,
            den,
            ind.materiality,
            comparator_numerator=cn,
            comparator_denominator=cd,
            tau2=tau2,
            overlap=overlap,
        )
        assert (result.band, result.is_significant) == (band, significant), (ind_id, value, ew_value)
        assert (z is None) == (result.z_score is None or tau2 is None)
        if z is not None and result.z_score is not None:
            assert abs(z - result.z_score) < 1e-6 * max(1.0, abs(z)), (ind_id, value)
        significant_rows += bool(significant)
    # The spread between forces makes significance the exception, not the rule.
    assert 0 < significant_rows < 0.3 * len(rows)


@pytest.fixture
def fresh(statistics_db: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A warehouse of the test's own, as a build leaves it (the statistics and every indicator),
    whose data the test changes and whose indicators it recomputes."""
    con = copy_of_statistics(statistics_db, tmp_path)
    yield con
    con.close()


def test_missing_force_means_no_england_and_wales_value(fresh: duckdb.DuckDBPyConnection) -> None:
    computed = fresh
    computed.execute(
        "DELETE FROM core_recorded_crime WHERE area_id = 'kent' AND period_end = DATE '2014-06-30'"
    )
    compute_indicators(computed, ["recorded_crime_rate"])
    row = computed.execute(
        "SELECT count(*) FROM ind_values WHERE indicator_id = 'recorded_crime_rate' AND area_id = 'england-and-wales' "
        "AND period_end = DATE '2014-06-30'"
    ).fetchone()
    assert row == (0,)
    northants = computed.execute(
        "SELECT ew_value, band FROM ind_values WHERE indicator_id = 'recorded_crime_rate' "
        "AND area_id = 'northamptonshire' AND period_end = DATE '2014-06-30'"
    ).fetchone()
    assert northants == (None, None)


def test_ties_share_a_rank(fresh: duckdb.DuckDBPyConnection) -> None:
    computed = fresh
    computed.execute(
        "UPDATE core_asb_incidents SET incidents = 1000 WHERE period_end = DATE '2014-03-31' AND area_id IN ('kent', 'essex')"
    )
    computed.execute(
        "UPDATE core_population SET population = 100000 WHERE mid_year = 2013 AND area_id IN ('kent', 'essex')"
    )
    compute_indicators(computed, ["asb_rate"])
    ranks = dict(
        computed.execute(
            "SELECT area_id, rank FROM ind_values WHERE indicator_id = 'asb_rate' AND period_end = DATE '2014-03-31' "
            "AND area_id IN ('kent', 'essex')"
        ).fetchall()
    )
    assert ranks["kent"] == ranks["essex"]


def test_changes_are_not_computed_across_the_asb_series_break(computed: duckdb.DuckDBPyConnection) -> None:
    periods = {
        r[0]
        for r in computed.execute(
            "SELECT DISTINCT period_end FROM ind_values WHERE indicator_id = 'asb_change_1y_pct'"
        ).fetchall()
    }
    assert dt.date(2012, 3, 31) not in periods and dt.date(2013, 3, 31) in periods


def test_city_of_london_rates_per_resident_are_not_compared(computed: duckdb.DuckDBPyConnection) -> None:
    from openpeel.publish import build_report, render

    row = computed.execute(
        "SELECT value, band, is_significant, rank FROM ind_values WHERE indicator_id = 'recorded_crime_rate' "
        "AND area_id = 'city-of-london' AND period_end = DATE '2014-06-30'"
    ).fetchone()
    assert row is not None and row[0] > 500 and row[1:] == (None, None, None)
    text = render(build_report(computed, "city-of-london", 2014, None), "text")
    assert "per 1,000 people in City of London" not in text
    assert "rates per resident are not meaningful there" in text
