"""Imported measures: the documented CSV, its checks, and "the lowest ... in the country"."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from tests.conftest import copy_of_statistics

from openpeel.core.errors import InputError
from openpeel.forces import territorial_forces
from openpeel.indicators.compute import compute_indicators
from openpeel.indicators.imported_measures import import_measures, parse_imported_measures
from openpeel.indicators.query import values_at
from openpeel.indicators.wording import extreme_phrase

HEADER = ["measure", "force", "period_end", "numerator", "denominator", "value", "source"]
SOURCE = "HMIC domestic abuse data request 2014"
PERIOD = dt.date(2014, 3, 31)


def domestic_abuse_table(path: Path, *, lowest: str = "Northamptonshire", lowest_rate: float = 0.12) -> Path:
    """A small realistic table: arrests per domestic abuse crime between 0.25 and 0.45 (the 2014
    inspection's range), force sizes by their population; one force well below the rest."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i, force in enumerate(territorial_forces()):
            crimes = 2_000 + (i * 997) % 20_000
            rate = lowest_rate if force.name.startswith(lowest) else 0.25 + ((i * 37) % 20) / 100
            writer.writerow(
                [
                    "domestic_abuse_arrests",
                    force.name,
                    PERIOD.isoformat(),
                    round(crimes * rate),
                    crimes,
                    "",
                    SOURCE,
                ]
            )
    return path


@pytest.fixture
def loaded(statistics_db: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A warehouse of the test's own with the bundled statistics (and, as after any build, every
    indicator computed), to import measures into."""
    con = copy_of_statistics(statistics_db, tmp_path)
    yield con
    con.close()


def _phrases(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    return {
        v.area_id: extreme_phrase(v, subject=True)
        for v in values_at(con, "domestic_abuse_arrest_rate", PERIOD)
        if v.area_id != "england-and-wales"
    }


def test_the_lowest_force_is_the_lowest_in_the_country(
    loaded: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    report = import_measures(loaded, domestic_abuse_table(tmp_path / "da.csv"))
    compute_indicators(loaded, report.indicator_ids)
    phrases = _phrases(loaded)
    assert len(phrases) == 43
    assert phrases["northamptonshire"] == (
        "the lowest arrest rate for domestic abuse related crimes in the country"
    )
    others = {k: p for k, p in phrases.items() if k != "northamptonshire"}
    assert not any(p and p.startswith("the lowest") for p in others.values())
    ew = next(
        v for v in values_at(loaded, "domestic_abuse_arrest_rate", PERIOD) if v.area_id == "england-and-wales"
    )
    assert ew.numerator == sum(
        v.numerator
        for v in values_at(loaded, "domestic_abuse_arrest_rate", PERIOD)
        if v.area_id != "england-and-wales"
    )


def test_no_superlative_when_the_lowest_is_not_clearly_apart(
    loaded: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # The lowest force at 0.245 is within chance of the next (0.25): lowest by rank, but not "the lowest".
    report = import_measures(loaded, domestic_abuse_table(tmp_path / "da.csv", lowest_rate=0.245))
    compute_indicators(loaded, report.indicator_ids)
    values = {v.area_id: v for v in values_at(loaded, "domestic_abuse_arrest_rate", PERIOD)}
    assert values["northamptonshire"].rank == 43
    assert not any(p and p.startswith("the lowest") for p in _phrases(loaded).values())


def test_no_superlative_without_all_43_forces(loaded: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = domestic_abuse_table(tmp_path / "da.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # drop the last force
    report = import_measures(loaded, path)
    compute_indicators(loaded, report.indicator_ids)
    assert all(p is None for p in _phrases(loaded).values())
    assert not any(
        v.area_id == "england-and-wales" for v in values_at(loaded, "domestic_abuse_arrest_rate", PERIOD)
    )


def test_value_and_denominator_give_the_numerator(tmp_path: Path) -> None:
    path = tmp_path / "audit.csv"
    path.write_text(
        "measure,force,period_end,numerator,denominator,value,source\n"
        "crime_recording_accuracy,Kent,2014-04-30,,200,86.5,HMIC crime data integrity audit 2014\n"
        "victim_satisfaction,kent,2014-03-31,850,1000,85.0,Home Office user satisfaction survey\n",
        encoding="utf-8",
    )
    rows = parse_imported_measures(path)
    assert rows[0].numerator == pytest.approx(173.0) and rows[0].is_numerator_derived
    assert rows[1].numerator == 850 and not rows[1].is_numerator_derived
    assert rows[0].source_ref == "audit.csv line 2"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "domestic_abuse_arests,Kent,2014-03-31,10,100,,X",
            r"line 2, field 'measure': unknown measure 'domestic_abuse_arests'.*did you mean 'domestic_abuse_arrests'",
        ),
        (
            "domestic_abuse_arrests,Kentt,2014-03-31,10,100,,X",
            r"line 2, field 'force': unknown force 'Kentt'",
        ),
        (
            "domestic_abuse_arrests,British Transport Police,2014-03-31,10,100,,X",
            r"field 'force'.*not one of the 43",
        ),
        ("domestic_abuse_arrests,Kent,31/03/2014,10,100,,X", r"field 'period_end': expected a date"),
        ("domestic_abuse_arrests,Kent,2014-03-31,ten,100,,X", r"field 'numerator': expected a number"),
        (
            "domestic_abuse_arrests,Kent,2014-03-31,10,,,X",
            r"field 'denominator': a denominator above 0 is needed",
        ),
        (
            "domestic_abuse_arrests,Kent,2014-03-31,,100,,X",
            r"field 'numerator': give the numerator, or the value",
        ),
        ("domestic_abuse_arrests,Kent,2014-03-31,10,100,12.0,X", r"field 'value': value 12 does not match"),
        ("crime_recording_accuracy,Kent,2014-03-31,210,200,,X", r"field 'numerator'.*more than all of them"),
        ("domestic_abuse_arrests,Kent,2014-03-31,10,100,,", r"field 'source'"),
    ],
)
def test_bad_rows_name_file_line_and_field(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(",".join(HEADER) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        parse_imported_measures(path)
    assert str(path) in str(info.value)


def test_duplicates_and_missing_columns_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    row = "domestic_abuse_arrests,Kent,2014-03-31,10,100,,X"
    path.write_text(",".join(HEADER) + f"\n{row}\n{row}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 3: .*also on line 2"):
        parse_imported_measures(path)
    path.write_text("measure,force,numerator\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1: missing column\(s\) period_end, source"):
        parse_imported_measures(path)


def test_a_bad_file_changes_nothing_and_reimport_is_idempotent(
    loaded: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    good = domestic_abuse_table(tmp_path / "da.csv")
    import_measures(loaded, good)
    before = loaded.execute(
        "SELECT * EXCLUDE (source_ref) FROM raw_imported_measures ORDER BY ALL"
    ).fetchall()
    bad = tmp_path / "bad.csv"
    lines = good.read_text(encoding="utf-8").splitlines()
    lines[30] = lines[30].replace(SOURCE, "")
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 31"):
        import_measures(loaded, bad)
    assert (
        loaded.execute("SELECT * EXCLUDE (source_ref) FROM raw_imported_measures ORDER BY ALL").fetchall()
        == before
    )
    import_measures(loaded, good)
    assert (
        loaded.execute("SELECT * EXCLUDE (source_ref) FROM raw_imported_measures ORDER BY ALL").fetchall()
        == before
    )
    source = loaded.execute(
        "SELECT publisher, rows_loaded FROM meta_source_files WHERE source_id = 'imported-da.csv'"
    ).fetchone()
    assert source == (SOURCE, 43)
