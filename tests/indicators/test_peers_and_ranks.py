"""Peer comparisons and rank ranges: SQL against the Python rule, and what a range must mean."""

from __future__ import annotations

import datetime as dt

import duckdb

from openpeel.framework import load_framework
from openpeel.indicators import catalogue
from openpeel.indicators.comparison import compare
from openpeel.indicators.query import values_at, values_by_indicator


def test_sql_peer_band_agrees_with_the_python_rule_on_every_row(
    computed_all: duckdb.DuckDBPyConnection,
) -> None:
    rows = computed_all.execute(
        "SELECT p.indicator_id, v.value, p.peer_value, v.numerator, v.denominator, p.peer_numerator, "
        "p.peer_denominator, p.band, p.is_significant, p.peer_overlap, d.tau2, p.z_score FROM ind_peer_values p "
        "JOIN ind_values v USING (indicator_id, area_id, period_end) "
        "LEFT JOIN ind_dispersion d USING (indicator_id, period_end) WHERE p.band IS NOT NULL"
    ).fetchall()
    assert len(rows) > 20_000
    for ind_id, value, peer, num, den, pnum, pden, band, significant, overlap, tau2, z in rows:
        ind = catalogue().get(ind_id)
        result = compare(
            ind.kind,
            value,
            peer,
            num,
            den,
            ind.materiality,
            comparator_numerator=pnum,
            comparator_denominator=pden,
            tau2=tau2,
            overlap=overlap,
        )
        assert (result.band, result.is_significant) == (band, significant), (ind_id, value, peer)
        if z is not None and result.z_score is not None:
            assert abs(z - result.z_score) < 1e-6 * max(1.0, abs(z)), (ind_id, value, peer)


def test_peers_are_the_other_forces_of_the_region(computed_all: duckdb.DuckDBPyConnection) -> None:
    v = values_by_indicator(computed_all, load_framework(2014), "northamptonshire")["recorded_crime_rate"]
    assert v.peer_set == "region" and v.peer_group == "East Midlands" and v.peer_count == 4
    others = [
        x
        for x in values_at(computed_all, "recorded_crime_rate", dt.date(2014, 6, 30))
        if x.area_id in {"derbyshire", "leicestershire", "lincolnshire", "nottinghamshire"}
    ]
    expected = sum(x.numerator for x in others) / sum(x.denominator for x in others) * 1000
    assert v.peer_value is not None and abs(v.peer_value - expected) < 1e-9


def test_rank_ranges_contain_the_rank_and_are_consistent(computed_all: duckdb.DuckDBPyConnection) -> None:
    rows = computed_all.execute(
        "SELECT v.rank, v.rank_of, r.rank_best, r.rank_worst, r.significantly_above, r.significantly_below "
        "FROM ind_values v JOIN ind_rank_ranges r USING (indicator_id, area_id, period_end)"
    ).fetchall()
    assert len(rows) > 40_000
    for rank, rank_of, best, worst, above, below in rows:
        assert 1 <= best <= rank <= worst <= rank_of
        assert above + below <= rank_of - 1


def test_ranks_of_large_counts_are_surer_than_small_ones(computed_all: duckdb.DuckDBPyConnection) -> None:
    # Recorded crime (tens of thousands per force) against robbery (hundreds): narrower rank ranges.
    widths = dict(
        computed_all.execute(
            "SELECT indicator_id, avg(rank_worst - rank_best) FROM ind_rank_ranges "
            "WHERE period_end = DATE '2014-06-30' AND indicator_id IN ('recorded_crime_rate', 'robbery_change_1y_pct') "
            "GROUP BY 1"
        ).fetchall()
    )
    assert widths["recorded_crime_rate"] < widths["robbery_change_1y_pct"]


def test_a_missing_peer_means_no_peer_value(computed_all: duckdb.DuckDBPyConnection) -> None:
    row = computed_all.execute(
        "SELECT count(*) FROM ind_peer_values WHERE peer_value IS NULL AND indicator_id = 'recorded_crime_rate'"
    ).fetchone()
    assert row == (0,)  # the ONS file has every force in every period
    # City of London is never ranked on rates per resident, so it is no one's peer for them.
    met = computed_all.execute(
        "SELECT count(*) FROM ind_peer_values WHERE area_id = 'metropolitan' AND indicator_id = 'recorded_crime_rate'"
    ).fetchone()
    assert met == (0,)
