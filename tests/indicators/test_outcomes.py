"""Outcome indicators: shares by outcome group, months to outcome, ASB share, coverage caveats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from openpeel.indicators.outcomes import outcome_indicators_by_force_month, outcome_summary
from openpeel.ingest.police_uk.code_lists import OUTCOME_GROUPS
from openpeel.ingest.police_uk.demo_archive import generate
from openpeel.ingest.police_uk.load import ingest
from openpeel.warehouse import connect

EAST_MIDLANDS = ["northamptonshire", "derbyshire", "leicestershire", "lincolnshire", "nottinghamshire"]


@pytest.fixture(scope="module")
def city(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """City of London 2016 street + outcome files (real), nothing else."""
    con = connect(tmp_path_factory.mktemp("city") / "w.duckdb")
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
def national(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    out = tmp_path_factory.mktemp("national")
    result = generate(
        out, shared_data=shared_data, months=2, start="2014-01", seed=5, missing=["kent:2014-02"]
    )
    con = connect(out / "w.duckdb")
    ingest(con, [result.archive])
    return con


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
