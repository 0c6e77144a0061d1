"""Outcome indicators: shares by outcome group, months to outcome, ASB share, coverage caveats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from openpeel.core.locations import lake_beside
from openpeel.indicators.outcomes import outcome_indicators_by_force_month, outcome_summary
from openpeel.ingest.police_uk.code_lists import OUTCOME_GROUPS
from openpeel.ingest.police_uk.load import ingest
from openpeel.warehouse import connect, table

EAST_MIDLANDS = ["northamptonshire", "derbyshire", "leicestershire", "lincolnshire", "nottinghamshire"]


@pytest.fixture(scope="module")
def city(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """City of London 2016 street + outcome files (real), nothing else."""
    con = connect(
        tmp_path_factory.mktemp("city") / "w.duckdb",
        lake=lake_beside(tmp_path_factory.mktemp("city") / "w.duckdb"),
    )
    ingest(
        con,
        [shared_data / "police-uk"],
        forces=["city-of-london"],
        month_from=dt.date(2016, 1, 1),
        month_to=dt.date(2016, 12, 1),
    )
    return con


def test_shares_follow_latest_outcome_and_sum_to_one(city: duckdb.DuckDBPyConnection) -> None:
    s = outcome_summary(city, "city-of-london", dt.date(2016, 1, 1), dt.date(2016, 12, 31))
    assert s is not None
    assert [x.group for x in s.shares] == list(OUTCOME_GROUPS)
    assert sum(x.share for x in s.shares) == pytest.approx(1.0)
    crimes = city.execute(
        "SELECT count(*) FROM raw_police_uk_street WHERE force_id = 'city-of-london' AND year(month) = 2016 "
        "AND crime_type <> 'Anti-social behaviour'"
    ).fetchone()
    assert crimes == (s.crimes,)
    # Independent check of one group: latest outcome record, else the street file's last outcome.
    charged = city.execute(
        """WITH latest AS (SELECT crime_id, arg_max(outcome_type, month) AS o FROM raw_police_uk_outcomes GROUP BY crime_id)
           SELECT count(*) FROM raw_police_uk_street s LEFT JOIN latest l USING (crime_id)
           WHERE s.force_id = 'city-of-london' AND year(s.month) = 2016 AND s.crime_type <> 'Anti-social behaviour'
             AND coalesce(l.o, s.last_outcome_category) IN ('Suspect charged', 'Awaiting court outcome',
                 'Offender sent to prison', 'Offender fined', 'Defendant found not guilty', 'Court result unavailable',
                 'Offender given community sentence', 'Offender given suspended prison sentence',
                 'Offender given conditional discharge', 'Offender given absolute discharge', 'Court case unable to proceed',
                 'Offender ordered to pay compensation', 'Offender deprived of property', 'Offender otherwise dealt with',
                 'Suspect charged as part of another case', 'Defendant sent to Crown Court')"""
    ).fetchone()
    assert charged == (s.share("charged_or_summonsed").crimes,)
    assert s.median_months_to_outcome is not None and s.median_months_to_outcome >= 0
    assert 0 < s.asb_share < 1
    assert s.is_complete and s.months_missing == ()
    assert len(s.months_with_outcome_files) == 12
    assert not s.has_ew_comparison and s.share("no_suspect_identified").ew_share is None
    assert any("England and Wales" in c for c in s.caveats)
    assert "police-uk/2016-01/2016-01-city-of-london-outcomes.csv" in s.source_ids


def test_no_data_is_none(city: duckdb.DuckDBPyConnection) -> None:
    assert outcome_summary(city, "kent", dt.date(2016, 1, 1), dt.date(2016, 12, 31)) is None


@pytest.fixture(scope="module")
def national(national_demo: Path) -> duckdb.DuckDBPyConnection:
    return connect(national_demo / "w.duckdb", lake=lake_beside(national_demo / "w.duckdb"))


def test_missing_month_is_flagged_not_zero_and_blocks_ew(national: duckdb.DuckDBPyConnection) -> None:
    kent = outcome_summary(national, "kent", dt.date(2014, 1, 1), dt.date(2014, 2, 28))
    assert kent is not None
    assert kent.months_missing == (dt.date(2014, 2, 1),) and not kent.is_complete
    jan = outcome_summary(national, "kent", dt.date(2014, 1, 1), dt.date(2014, 1, 31))
    assert jan is not None and kent.crimes == jan.crimes  # the gap adds nothing, and is not a zero month
    assert any("2014-02" in c for c in kent.caveats)
    assert not kent.has_ew_comparison  # Kent's gap means no complete England and Wales total
    full = outcome_summary(national, "northamptonshire", dt.date(2014, 1, 1), dt.date(2014, 1, 31))
    assert full is not None and full.has_ew_comparison and full.has_peer_comparison
    ew = full.share("no_suspect_identified").ew_share
    assert ew is not None and 0 < ew < 1
    total = national.execute(
        "SELECT count(*) FROM raw_police_uk_street WHERE month = DATE '2014-01-01' AND crime_type <> 'Anti-social behaviour'"
    ).fetchone()
    assert total is not None
    assert full.share("no_suspect_identified").ew_share == pytest.approx(
        sum(
            s.share("no_suspect_identified").crimes
            for s in (
                outcome_summary(national, f, dt.date(2014, 1, 1), dt.date(2014, 1, 31)) for f in _all_forces()
            )
            if s is not None
        )
        / total[0]
    )


def _all_forces() -> list[str]:
    from openpeel.forces import territorial_forces

    return [f.force_id for f in territorial_forces()]


def test_bulk_indicators_cover_every_ingested_force_month(national: duckdb.DuckDBPyConnection) -> None:
    rows = outcome_indicators_by_force_month(national).fetchall()
    assert len(rows) == 43 * 2 - 1  # Kent 2014-02 is absent, not zero
    cols = outcome_indicators_by_force_month(national).columns
    assert {"force_id", "month", "crimes", "asb_share", "no_suspect_identified_share"} <= set(cols)


def test_bulk_figures_equal_those_computed_row_by_row(
    city: duckdb.DuckDBPyConnection, national: duckdb.DuckDBPyConnection
) -> None:
    """The bulk query works from counts; DuckDB's own median and counts over the rows must agree."""
    from openpeel.indicators.outcomes import _crimes_sql

    for con in (city, national):
        direct = {
            (f, m): (crimes, asb, med, with_record)
            for f, m, crimes, asb, med, with_record in con.execute(
                f"""SELECT force_id, month, count(*) FILTER (WHERE NOT is_asb), count(*) FILTER (WHERE is_asb),
                           median(lag) FILTER (WHERE NOT is_asb), count(lag) FILTER (WHERE NOT is_asb)
                    FROM ({_crimes_sql("true")}) GROUP BY ALL"""
            ).fetchall()
        }
        bulk = outcome_indicators_by_force_month(con)
        cols = bulk.columns
        rows = [dict(zip(cols, r, strict=True)) for r in bulk.fetchall()]
        assert len(rows) == len(direct)
        for r in rows:
            crimes, asb, med, with_record = direct[(r["force_id"], r["month"])]
            assert (r["crimes"], r["asb_incidents"], r["crimes_with_outcome_record"]) == (
                crimes,
                asb,
                with_record,
            )
            assert r["median_months_to_outcome"] == med


def test_bulk_median_of_an_even_and_an_odd_number_of_lags() -> None:
    con = connect(":memory:")
    # Hand-made rows: tables of the views' columns stand in for the lake.
    for name in ("raw_police_uk_street", "raw_police_uk_outcomes"):
        con.execute(f"DROP VIEW {name}")
        con.execute(table(name).ddl())
    street = [  # force, month, crime id, crime type
        ("kent", "2014-01-01", "a1", "Burglary"),
        ("kent", "2014-01-01", "a2", "Burglary"),
        ("kent", "2014-01-01", None, "Anti-social behaviour"),
        ("kent", "2014-02-01", "b1", "Robbery"),
        ("kent", "2014-02-01", "b2", "Robbery"),
        ("kent", "2014-02-01", "b3", "Robbery"),
        ("kent", "2014-02-01", "b4", "Robbery"),  # no outcome record: not in the median
        ("essex", "2014-01-01", "c1", "Burglary"),  # no outcome record at all
    ]
    con.executemany(
        "INSERT INTO raw_police_uk_street (force_id, month, crime_id, crime_type) VALUES (?, ?, ?, ?)", street
    )
    outcomes = [  # crime id, month of the outcome: lags 0 and 1 (even), then 0, 1 and 3 (odd)
        ("a1", "2014-01-01"),
        ("a2", "2014-02-01"),
        ("b1", "2014-02-01"),
        ("b2", "2014-03-01"),
        ("b3", "2014-05-01"),
    ]
    con.executemany(
        "INSERT INTO raw_police_uk_outcomes (force_id, month, crime_id, outcome_type, outcome_group) "
        "VALUES ('kent', ?, ?, 'Offender given a caution', 'out_of_court_disposal')",
        [(m, c) for c, m in outcomes],
    )
    got = {
        (f, m.isoformat()): (med, n)
        for f, m, med, n in outcome_indicators_by_force_month(con)
        .select("force_id, month, median_months_to_outcome, crimes_with_outcome_record")
        .fetchall()
    }
    assert got == {
        ("kent", "2014-01-01"): (0.5, 2),
        ("kent", "2014-02-01"): (1.0, 3),
        ("essex", "2014-01-01"): (None, 0),
    }
