"""A stored force-month is replaced only by one at least as good (issue 21, failures 1, 2 and 3).

Each test is the attack: it stores a month, then offers a worse file for it, and checks the stored
rows survive, the refusal is named and recorded, and the rest of the run still loads. The files
are invented (tests/ingest/invented_archives.py), except one realistic case that reads the real
Warwickshire file.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from tests.ingest.invented_archives import header_only, make_zip, member, stored, street_csv, write_folder
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.core.errors import InputError
from openpeel.core.locations import lake_beside
from openpeel.ingest.police_uk.coverage import expected_forces, missing_months
from openpeel.ingest.police_uk.load import ingest
from openpeel.warehouse import connect

KENT = member("2014-06", "kent")
WARWICKSHIRE = member("2014-07", "warwickshire")


def _store_kent(tmp_path: Path, rows: int = 120) -> Path:
    db = tmp_path / "w.duckdb"
    con = connect(db, lake=lake_beside(db))
    ingest(con, [write_folder(tmp_path / "first", {KENT: street_csv("2014-06", rows, force="kent")})])
    con.close()
    return db


def _refusals(con_or_db: Path) -> list[tuple[str, str, str, str, int]]:
    con = connect(con_or_db, lake=lake_beside(con_or_db))
    try:
        rows = con.execute(
            "SELECT force_id, strftime(month, '%Y-%m'), source_path, reason, rows_kept "
            "FROM meta_police_uk_refusals ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()
    return [(str(f), str(m), str(p), str(r), int(k)) for f, m, p, r, k in rows]


ATTACKS = {
    "header only": (header_only(), "header only"),
    "rows for another month": (
        street_csv("2014-06", 120, force="kent", row_month="2014-05"),
        "another month",
    ),
    "mostly quarantined": (street_csv("2014-06", 50, force="kent", bad=70), "failed validation"),
    "far fewer rows": (street_csv("2014-06", 59, force="kent"), "fewer than half"),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_worse_file_is_refused_and_the_stored_month_kept(tmp_path: Path, attack: str) -> None:
    db = _store_kent(tmp_path)
    data, says = ATTACKS[attack]
    offered = write_folder(tmp_path / "attack", {KENT: data})
    con = connect(db, lake=lake_beside(db))
    report = ingest(con, [offered])
    con.close()
    (result,) = report.files
    assert result.status == "refused" and result.refusal is not None and says in result.refusal
    assert stored(db, "kent", "2014-06") == 120
    ((force, month, path, reason, kept),) = _refusals(db)
    assert (force, month, kept) == ("kent", "2014-06", 120)
    assert path == str(offered / KENT) and says in reason
    con = connect(db, lake=lake_beside(db))
    coverage = con.execute("SELECT rows_stored, source_path FROM meta_police_uk_coverage").fetchall()
    con.close()
    assert coverage == [(120, str(tmp_path / "first" / KENT))]  # the stored file's record, unchanged


def test_a_file_at_least_half_as_big_as_the_stored_one_replaces_it(tmp_path: Path) -> None:
    db = _store_kent(tmp_path)
    con = connect(db, lake=lake_beside(db))
    report = ingest(
        con, [write_folder(tmp_path / "b", {KENT: street_csv("2014-06", 60, force="kent", bad=2)})]
    )
    con.close()
    assert [f.status for f in report.files] == ["ingested"]
    assert stored(db, "kent", "2014-06") == 60 and _refusals(db) == []


def test_replace_overrides_the_refusal(tmp_path: Path) -> None:
    db = _store_kent(tmp_path)
    con = connect(db, lake=lake_beside(db))
    ingest(con, [write_folder(tmp_path / "b", {KENT: header_only()})])
    assert len(_refusals(db)) == 1
    report = ingest(con, [write_folder(tmp_path / "b", {KENT: header_only()})], replace=True)
    con.close()
    assert [f.status for f in report.files] == ["ingested"]
    assert stored(db, "kent", "2014-06") == 0 and _refusals(db) == []


def test_a_header_only_file_for_a_new_month_is_a_gap_not_a_zero(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    report = ingest(con, [write_folder(tmp_path / "in", {KENT: header_only()})])
    assert [f.status for f in report.files] == ["refused"]
    assert missing_months(con, "street", "kent", dt.date(2014, 6, 1), dt.date(2014, 6, 1)) == [
        dt.date(2014, 6, 1)
    ]


def test_most_rows_bad_refuses_a_new_file_whole_and_fewer_does_not(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    mostly_bad = street_csv("2014-06", 40, force="kent", bad=60)
    some_bad = street_csv("2014-07", 60, force="warwickshire", bad=40)
    report = ingest(con, [write_folder(tmp_path / "in", {KENT: mostly_bad, WARWICKSHIRE: some_bad})])
    by_force = {f.source.force_id: f for f in report.files}
    assert by_force["kent"].status == "refused"
    assert (
        by_force["kent"].refusal is not None
        and "60 of 100 rows failed validation" in by_force["kent"].refusal
    )
    assert by_force["warwickshire"].status == "ingested" and by_force["warwickshire"].rows_quarantined == 40
    assert stored(con, "kent", "2014-06") == 0 and stored(con, "warwickshire", "2014-07") == 60
    # Only an accepted file's bad rows reach the quarantine.
    assert con.execute("SELECT DISTINCT source_id FROM meta_quarantine").fetchall() == [
        ("police-uk/2014-07/2014-07-warwickshire-street.csv",)
    ]


def test_cli_refusal_is_not_a_crash_and_coverage_shows_it(tmp_path: Path) -> None:
    db = _store_kent(tmp_path)
    runner = CliRunner()
    attack = write_folder(tmp_path / "attack", {KENT: header_only(), WARWICKSHIRE: street_csv("2014-07", 30)})
    result = runner.invoke(app, ["ingest", str(attack), "--db", str(db)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    text = result.output.replace("\n", "")
    assert "1 force-month refused" in text and str(attack / KENT) in text and "header only" in text
    assert stored(db, "kent", "2014-06") == 120 and stored(db, "warwickshire", "2014-07") == 30

    shown = runner.invoke(app, ["coverage", "--db", str(db), "--json", "--force", "kent"])
    assert shown.exit_code == 0, shown.output
    (record,) = [r for r in json.loads(shown.output) if r["month"] == "2014-06"]
    assert record["status"] == "refused" and "header only" in record["reason"]
    assert record["rows_stored"] == 120  # what is kept, never "ingested, 0 rows"
    grid = runner.invoke(app, ["coverage", "--db", str(db)])
    assert "refused" in grid.output and "kent 2014-06" in grid.output.replace("\n", " ")
    detail = runner.invoke(app, ["coverage", "--db", str(db), "--detail", "--force", "kent"])
    assert "refused" in detail.output

    again = runner.invoke(app, ["ingest", str(attack), "--db", str(db), "--replace"])
    assert again.exit_code == 0, again.output
    assert stored(db, "kent", "2014-06") == 0
    shown = runner.invoke(app, ["coverage", "--db", str(db), "--json", "--force", "kent"])
    (record,) = [r for r in json.loads(shown.output) if r["month"] == "2014-06"]
    assert record["status"] == "ingested" and record["rows_stored"] == 0


# Failure 2: a small zip of header-only members for every month from 2010 to 2029.


def _header_only_archive(path: Path, last_year: int) -> Path:
    forces = sorted({"kent", "warwickshire", *expected_forces()[:14]})
    assert len(forces) == 16
    months = [f"{y}-{m:02d}" for y in range(2010, last_year + 1) for m in range(1, 13)]
    return make_zip(path, {member(m, f): header_only() for m in months for f in forces})


def test_header_only_archive_reaching_into_the_future_is_refused_whole(tmp_path: Path) -> None:
    db = _store_kent(tmp_path)
    archive = _header_only_archive(tmp_path / "2029-12.zip", 2029)
    assert archive.stat().st_size < 2_000_000
    con = connect(db, lake=lake_beside(db))
    with pytest.raises(InputError) as info:
        ingest(con, [archive])
    con.close()
    assert "after the current month" in str(info.value) and str(archive) in str(info.value)
    assert stored(db) == 120 and _refusals(db) == []


@pytest.mark.slow
def test_header_only_archive_of_past_months_refuses_each_and_keeps_everything(tmp_path: Path) -> None:
    db = _store_kent(tmp_path)
    archive = _header_only_archive(tmp_path / "2014-12.zip", 2014)
    con = connect(db, lake=lake_beside(db))
    report = ingest(con, [archive])
    covered = con.execute("SELECT count(*) FROM meta_police_uk_coverage").fetchone()
    con.close()
    assert len(report.files) == 16 * 60 and {f.status for f in report.files} == {"refused"}
    assert stored(db, "kent", "2014-06") == 120 and covered == (1,)
    assert len(_refusals(db)) == 16 * 60


@pytest.mark.parametrize("folder", ["2014-6", "2014-06x", "x2014-06", "2014-07"])
@pytest.mark.parametrize("container", ["zip", "folder"])
def test_month_folder_must_be_exactly_the_files_month(tmp_path: Path, folder: str, container: str) -> None:
    name = f"{folder}/2014-06-kent-street.csv"
    data = {name: street_csv("2014-06", 5, force="kent")}
    given = make_zip(tmp_path / "a.zip", data) if container == "zip" else write_folder(tmp_path / "in", data)
    con = connect(":memory:", lake=tmp_path / "lake")
    with pytest.raises(InputError) as info:
        ingest(con, [given])
    assert name in str(info.value) and "YYYY-MM/YYYY-MM-<force>-<kind>.csv" in str(info.value)


@pytest.mark.parametrize("name", ["2014-13/2014-13-kent-street.csv", "2099-01/2099-01-kent-street.csv"])
def test_impossible_and_future_months_name_the_file(tmp_path: Path, name: str) -> None:
    given = write_folder(tmp_path / "in", {name: street_csv("2014-06", 5, force="kent")})
    con = connect(":memory:", lake=tmp_path / "lake")
    with pytest.raises(InputError) as info:
        ingest(con, [given])
    assert str(given / name) in str(info.value)


def test_the_current_month_is_accepted_and_the_next_refused(tmp_path: Path) -> None:
    name = member("2014-06", "kent")
    given = write_folder(tmp_path / "in", {name: street_csv("2014-06", 5, force="kent")})
    con = connect(":memory:", lake=tmp_path / "lake")
    assert ingest(con, [given], today=dt.date(2014, 6, 1)).files[0].status == "ingested"
    with pytest.raises(InputError, match="after the current month"):
        ingest(con, [given], today=dt.date(2014, 5, 31), recheck=True)


# Failure 3: two members of one name in one zip; the last used to win.


def test_two_members_of_one_name_are_an_error_naming_both(tmp_path: Path) -> None:
    name = member("2014-02")
    db = tmp_path / "w.duckdb"
    con = connect(db, lake=lake_beside(db))
    ingest(con, [write_folder(tmp_path / "first", {name: street_csv("2014-02", 80)})])
    attack = make_zip(
        tmp_path / "2014-02.zip", [(name, street_csv("2014-02", 80)), (name, street_csv("2014-02", 1))]
    )
    with pytest.raises(InputError) as info:
        ingest(con, [attack])
    con.close()
    message = str(info.value)
    assert "twice" in message and "member 1" in message and "member 2" in message and name in message
    assert stored(db) == 80


def test_two_members_for_one_force_month_under_different_folders_are_an_error(tmp_path: Path) -> None:
    first, second = member("2014-02"), "copy/" + member("2014-02")
    attack = make_zip(tmp_path / "a.zip", {first: street_csv("2014-02", 3), second: street_csv("2014-02", 1)})
    con = connect(":memory:", lake=tmp_path / "lake")
    with pytest.raises(InputError) as info:
        ingest(con, [attack])
    assert first in str(info.value) and second in str(info.value)


@pytest.mark.shared_data
def test_real_warwickshire_month_then_a_one_row_file_of_the_same_name(
    shared_data: Path, tmp_path: Path
) -> None:
    """The issue's case, with the published Warwickshire 2014-02 file (3,159 rows)."""
    name = member("2014-02")
    real = (shared_data / "police-uk" / name).read_bytes()
    db = tmp_path / "w.duckdb"
    con = connect(db, lake=lake_beside(db))
    ingest(con, [shared_data / "police-uk" / name])
    before = stored(con)
    assert before == 3159
    attack = make_zip(tmp_path / "2014-02.zip", [(name, real), (name, street_csv("2014-02", 1))])
    with pytest.raises(InputError, match="twice"):
        ingest(con, [attack])
    # Offered alone, the one-row file is refused: far fewer rows than the month stored.
    report = ingest(con, [make_zip(tmp_path / "one.zip", {name: street_csv("2014-02", 1)})])
    con.close()
    assert report.files[0].status == "refused" and "fewer than half of the 3,159" in str(
        report.files[0].refusal
    )
    assert stored(db) == before
