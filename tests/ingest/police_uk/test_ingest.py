"""data.police.uk ingest: real files with zero silent losses, faults quarantined, idempotent, atomic."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.core.errors import InputError, OpenpeelError
from openpeel.core.locations import lake_beside
from openpeel.ingest.police_uk.coverage import missing_months
from openpeel.ingest.police_uk.demo_archive import DemoResult, generate
from openpeel.ingest.police_uk.load import IngestReport, ingest
from openpeel.warehouse import connect
from openpeel.warehouse.lake import lake_of

FORCES = ["northamptonshire", "city-of-london", "kent"]


def _data_lines(path: Path) -> int:
    data = path.read_bytes()
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return lines - 1


@pytest.fixture(scope="module")
def real(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[duckdb.DuckDBPyConnection, IngestReport]]:
    """The whole real police-uk folder, ingested once for the module."""
    con = connect(
        tmp_path_factory.mktemp("real") / "w.duckdb",
        lake=lake_beside(tmp_path_factory.mktemp("real") / "w.duckdb"),
    )
    report = ingest(con, [shared_data / "police-uk"])
    yield con, report
    con.close()


@pytest.fixture(scope="module")
def demo(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    """Three months, three forces, Kent missing in the second month, with every fault injected."""
    return generate(
        tmp_path_factory.mktemp("demo"),
        shared_data=shared_data,
        months=3,
        start="2014-01",
        forces=FORCES,
        seed=3,
        missing=["kent:2014-02"],
        faults=True,
    )


@pytest.mark.slow
def test_real_files_every_row_stored_and_counts_match_line_counts(
    real: tuple[duckdb.DuckDBPyConnection, IngestReport], shared_data: Path
) -> None:
    con, report = real
    lake = lake_of(con)
    files = sorted((shared_data / "police-uk").glob("*/*.csv"))
    assert len(report.files) == len(files) == 251
    coverage = {
        (r[0], r[1]): (r[2], r[3], r[4])
        for r in con.execute(
            "SELECT source_id, file_kind, rows_in_file, rows_stored, rows_quarantined FROM meta_police_uk_coverage"
        ).fetchall()
    }
    for path in files:
        kind = next(k for k in ("street", "outcomes", "stop-and-search") if path.name.endswith(f"-{k}.csv"))
        in_file, stored, quarantined = coverage[(f"police-uk/{path.parent.name}/{path.name}", kind)]
        assert in_file == _data_lines(path), path
        assert stored + quarantined == in_file, path
    # Each force-month's rows are in the row groups of its month's file, as many as were stored.
    lake_rows = con.execute(
        "SELECT file_name, row_group_num_rows, stats_min_value, stats_max_value FROM parquet_metadata(?) "
        "WHERE path_in_schema = 'force_id'",
        [str(lake / "kind=*" / "month=*" / "part-*.parquet")],
    ).fetchall()
    assert all(low == high for _, _, low, high in lake_rows)
    assert sorted(int(n) for _, n, _, _ in lake_rows) == sorted(s for _, s, _ in coverage.values() if s)
    months = {
        (r[0], r[1])
        for r in con.execute("SELECT DISTINCT file_kind, month FROM meta_police_uk_coverage").fetchall()
    }
    assert len({name for name, *_ in lake_rows}) == len(months)
    # The real files are clean: nothing quarantined, and the fast path read them all.
    assert report.rows_quarantined == 0
    assert not [f.source.source_id for f in report.files if f.was_reloaded_row_by_row]
    assert con.execute("SELECT count(*) FROM raw_police_uk_street").fetchone() == (899_039,)
    street_2014 = con.execute("SELECT count(*) FROM raw_police_uk_street WHERE year(month) = 2014").fetchone()
    assert street_2014 == (866_810,)  # the figure in ../shared/data/README.md


def test_quoted_commas_stay_in_their_column(real: tuple[duckdb.DuckDBPyConnection, IngestReport]) -> None:
    con, _ = real
    rows = con.execute(
        "SELECT location, lsoa_code, crime_type FROM raw_police_uk_street "
        "WHERE force_id = 'leicestershire' AND month = DATE '2014-01-01' AND location LIKE '%, Quorn'"
    ).fetchall()
    assert rows and all(loc.startswith("On or near") for loc, _, _ in rows)
    assert all(code.startswith("E01") and len(code) == 9 for _, code, _ in rows)
    shifted = con.execute(
        "SELECT count(*) FROM raw_police_uk_street WHERE lsoa_code IS NOT NULL AND NOT regexp_full_match(lsoa_code, '[EW]0[0-9]{7}')"
    ).fetchone()
    assert shifted == (0,)


def test_real_stop_search_dates_near_month_start_are_kept(
    real: tuple[duckdb.DuckDBPyConnection, IngestReport],
) -> None:
    con, _ = real
    # 2019-05-31T23:01Z is 1 June 00:01 in London: it belongs to the June file.
    row = con.execute(
        "SELECT count(*) FROM raw_police_uk_stop_search WHERE force_id = 'greater-manchester' "
        "AND month = DATE '2019-06-01' AND occurred_at_utc < TIMESTAMP '2019-06-01'"
    ).fetchone()
    assert row == (2,)


@pytest.mark.slow
def test_faults_are_quarantined_with_file_line_field_reason(demo: DemoResult, tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    report = ingest(con, [demo.archive])
    assert demo.faults is not None
    faults = json.loads(demo.faults.read_text())
    got = con.execute("SELECT source_path, line, field, reason FROM meta_quarantine ORDER BY line").fetchall()
    assert [(line, field) for _, line, field, _ in got] == [
        (b["line"], b["field"]) for b in faults["bad_rows"]
    ]
    assert all(path.endswith(faults["file"]) for path, _, _, _ in got)
    reasons = {field: reason for _, _, field, reason in got}
    assert "unknown crime type 'Hovercraft theft'" in reasons["Crime type"]
    assert "is not the force of the file, northamptonshire" in reasons["Reported by"]
    assert report.rows_quarantined == len(faults["bad_rows"])
    assert report.rows_stored + report.rows_quarantined == report.rows_in_files
    # Quarantined rows are never stored.
    assert con.execute(
        "SELECT count(*) FROM raw_police_uk_street WHERE crime_type = 'Hovercraft theft'"
    ).fetchone() == (0,)


def test_month_with_a_missing_force_is_a_gap_not_a_zero(demo: DemoResult, tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    ingest(con, [demo.archive])
    gaps = missing_months(con, "street", "kent", dt.date(2014, 1, 1), dt.date(2014, 3, 1))
    assert gaps == [dt.date(2014, 2, 1)]
    assert missing_months(con, "street", "northamptonshire", dt.date(2014, 1, 1), dt.date(2014, 3, 1)) == []


def test_truncated_zip_is_a_clear_error_and_changes_nothing(demo: DemoResult, tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    truncated = demo.archive.parent / "truncated" / demo.archive.name
    with pytest.raises(InputError, match=r"truncated|not a readable zip") as info:
        ingest(con, [truncated])
    assert str(truncated) in str(info.value)
    assert con.execute("SELECT count(*) FROM meta_police_uk_coverage").fetchone() == (0,)


def test_truncated_member_inside_a_readable_zip_rolls_back(demo: DemoResult, tmp_path: Path) -> None:
    # A zip whose central directory is intact but whose last member's data is cut short.
    broken = tmp_path / "2014-03.zip"
    with zipfile.ZipFile(demo.archive) as src, zipfile.ZipFile(broken, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
    data = bytearray(broken.read_bytes())
    with zipfile.ZipFile(broken) as z:
        last = z.infolist()[-1]
        start = last.header_offset + 30 + len(last.filename.encode())
    data[start + 100 : start + 200] = b"\x00" * 100  # corrupt the bytes: CRC check fails
    broken.write_bytes(bytes(data))
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    with pytest.raises(InputError, match="cannot read this member"):
        ingest(con, [broken])
    assert con.execute("SELECT count(*) FROM raw_police_uk_street").fetchone() == (0,)


@pytest.mark.slow
def test_reingest_is_idempotent_and_unchanged_files_are_skipped(demo: DemoResult, tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    first = ingest(con, [demo.archive])
    snapshot = con.execute(
        "SELECT count(*), sum(hash(force_id, month, crime_id, crime_type, last_outcome_category)) FROM raw_police_uk_street"
    ).fetchone()
    quarantine = con.execute("SELECT count(*) FROM meta_quarantine").fetchone()
    again = ingest(con, [demo.archive])
    assert again.count("unchanged") == len(first.files) and again.rows_stored == 0
    forced = ingest(con, [demo.archive], recheck=True)
    assert forced.count("ingested") == len(first.files)
    for _ in range(2):
        assert (
            con.execute(
                "SELECT count(*), sum(hash(force_id, month, crime_id, crime_type, last_outcome_category)) FROM raw_police_uk_street"
            ).fetchone()
            == snapshot
        )
        assert con.execute("SELECT count(*) FROM meta_quarantine").fetchone() == quarantine


@pytest.mark.slow
def test_newer_edition_supersedes_older_in_any_order(demo: DemoResult, tmp_path: Path) -> None:
    older = demo.archive.parent / "2014-02.zip"
    assert older.exists()

    def outcomes(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
        return con.execute(
            "SELECT last_outcome_category, count(*) FROM raw_police_uk_street WHERE month = DATE '2014-01-01' "
            "GROUP BY ALL ORDER BY ALL"
        ).fetchall()

    newest_only = connect(tmp_path / "a.duckdb", lake=lake_beside(tmp_path / "a.duckdb"))
    ingest(newest_only, [demo.archive])
    both = connect(tmp_path / "b.duckdb", lake=lake_beside(tmp_path / "b.duckdb"))
    report = ingest(both, [older, demo.archive])  # the same months twice in one run
    assert len(report.superseded) > 0
    assert outcomes(both) == outcomes(newest_only)
    # Older edition first, newer later: replaced. Newer first, older later: kept.
    stepwise = connect(tmp_path / "c.duckdb", lake=lake_beside(tmp_path / "c.duckdb"))
    ingest(stepwise, [older])
    stale = outcomes(stepwise)
    assert stale != outcomes(newest_only)
    ingest(stepwise, [demo.archive])
    assert outcomes(stepwise) == outcomes(newest_only)
    kept = ingest(stepwise, [older])
    assert kept.count("kept-newer") > 0
    assert outcomes(stepwise) == outcomes(newest_only)
    n = stepwise.execute("SELECT count(*) FROM raw_police_uk_street").fetchone()
    m = newest_only.execute("SELECT count(*) FROM raw_police_uk_street").fetchone()
    assert n == m


def test_file_whose_rows_name_another_force(demo: DemoResult, tmp_path: Path) -> None:
    # A whole Kent file renamed to Northamptonshire: no row passes, so the file is refused whole
    # (issue 21): nothing stored, the month a gap, the refusal naming the failing check.
    with zipfile.ZipFile(demo.archive) as z:
        data = z.read("2014-01/2014-01-kent-street.csv")
    folder = tmp_path / "in" / "2014-01"
    folder.mkdir(parents=True)
    (folder / "2014-01-northamptonshire-street.csv").write_bytes(data)
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    report = ingest(con, [tmp_path / "in"])
    (result,) = report.files
    assert result.status == "refused" and report.rows_stored == 0
    assert result.rows_in_file == _data_lines(folder / "2014-01-northamptonshire-street.csv")
    assert result.refusal is not None and "Reported by" in result.refusal
    assert con.execute("SELECT count(*) FROM meta_quarantine").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM meta_police_uk_coverage").fetchone() == (0,)
    assert con.execute("SELECT force_id FROM meta_police_uk_refusals").fetchall() == [("northamptonshire",)]


def test_unknown_force_in_file_name_is_an_error_with_suggestion(tmp_path: Path) -> None:
    folder = tmp_path / "2014-01"
    folder.mkdir()
    (folder / "2014-01-northamptonshir-street.csv").write_text("x\n")
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    with pytest.raises(InputError, match=r"unknown force id 'northamptonshir'.*northamptonshire"):
        ingest(con, [tmp_path])


def test_wrong_header_names_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "2014-01"
    folder.mkdir()
    (folder / "2014-01-kent-street.csv").write_text("Crime ID,Month\n,2014-01\n")
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    with pytest.raises(InputError) as info:
        ingest(con, [tmp_path])
    assert "2014-01-kent-street.csv, line 1, field 'header'" in str(info.value)


_KILL_SCRIPT = """
import sys, time
from pathlib import Path
from openpeel.ingest.police_uk import load
from openpeel.core.locations import lake_beside
from openpeel.warehouse import connect
load.BATCH_BYTES = 1  # one month per batch: the kill lands between writes
con = connect(sys.argv[1], lake=lake_beside(Path(sys.argv[1])))
def progress(done, what):
    if what.startswith("ingested"):  # the end of a batch, on the thread that writes: hold it there
        print("BATCH", what, flush=True)
        time.sleep(30)
load.ingest(con, [Path(sys.argv[2])], progress=progress, recheck=True)
"""


@pytest.mark.slow
def test_kill_9_during_ingest_leaves_the_warehouse_as_it_was(demo: DemoResult, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    con = connect(db, lake=lake_beside(db))
    ingest(con, [demo.archive], forces=["city-of-london"])
    before = con.execute(
        "SELECT (SELECT count(*) FROM raw_police_uk_street), (SELECT count(*) FROM raw_police_uk_outcomes), "
        "(SELECT count(*) FROM meta_police_uk_coverage), (SELECT count(*) FROM meta_quarantine)"
    ).fetchone()
    con.close()
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILL_SCRIPT, str(db), str(demo.archive)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("BATCH"), proc.stderr.read() if proc.stderr else line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    con = connect(db, lake=lake_beside(db))
    after = con.execute(
        "SELECT (SELECT count(*) FROM raw_police_uk_street), (SELECT count(*) FROM raw_police_uk_outcomes), "
        "(SELECT count(*) FROM meta_police_uk_coverage), (SELECT count(*) FROM meta_quarantine)"
    ).fetchone()
    assert after == before
    con.close()


@pytest.mark.slow
def test_cli_ingest_and_coverage(demo: DemoResult, tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "w.duckdb")
    result = runner.invoke(app, ["ingest", str(demo.archive), "--db", db])
    assert result.exit_code == 0, result.output
    assert "8 quarantined" in result.output
    assert "Hovercraft theft" in result.output
    result = runner.invoke(app, ["coverage", "--db", db])
    assert result.exit_code == 0, result.output
    assert "2014-02" in result.output  # Kent's missing month is named
    bad = runner.invoke(
        app, ["ingest", str(demo.archive.parent / "truncated" / demo.archive.name), "--db", db]
    )
    assert bad.exit_code == 2  # every openpeel error exits 2
    assert "Traceback" not in bad.output


def _memory_limit(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT current_setting('memory_limit')").fetchone()
    assert row is not None
    return str(row[0])


@pytest.mark.slow
def test_ingest_caps_duckdb_memory_then_restores_the_limit(demo: DemoResult, tmp_path: Path) -> None:
    capped = connect(tmp_path / "capped.duckdb", lake=lake_beside(tmp_path / "capped.duckdb"))
    before = _memory_limit(capped)
    seen: list[str] = []

    def at_batch_end(done: int, what: str) -> None:
        if what.startswith("ingested"):  # on the ingest's own thread, between statements
            seen.append(_memory_limit(capped))

    report = ingest(capped, [demo.archive], memory_limit="32MB", progress=at_batch_end)
    assert seen and all(value.endswith("MiB") and float(value.split()[0]) <= 32 for value in seen), seen
    assert _memory_limit(capped) == before
    # A cap far below the data's size changes nothing stored: DuckDB spills to disk instead.
    free = connect(tmp_path / "free.duckdb", lake=lake_beside(tmp_path / "free.duckdb"))
    again = ingest(free, [demo.archive], memory_limit=None)
    query = "SELECT count(*), sum(hash(force_id, month, crime_id, outcome_group)) FROM raw_police_uk_street"
    assert capped.execute(query).fetchone() == free.execute(query).fetchone()
    assert report.rows_stored == again.rows_stored > 0


def test_the_connection_is_ready_for_relation_queries_after_an_ingest(
    demo: DemoResult, tmp_path: Path
) -> None:
    # DuckDB refuses a relation query on a connection with a result left unread; restoring the
    # memory limit once left one.
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    ingest(con, [demo.archive], memory_limit="256MB")
    assert con.sql("SELECT count(*) FROM meta_police_uk_coverage").fetchall()[0][0] > 0


def test_in_memory_warehouse_is_never_capped(demo: DemoResult, tmp_path: Path) -> None:
    con = connect(":memory:", lake=tmp_path / "lake")
    before = _memory_limit(con)
    seen: list[str] = []

    def at_batch_end(done: int, what: str) -> None:
        if what.startswith("ingested"):
            seen.append(_memory_limit(con))

    ingest(con, [demo.archive], memory_limit="16MB", progress=at_batch_end)
    assert seen and set(seen) == {before}


def test_memory_limit_that_is_not_a_size_is_refused_before_loading(demo: DemoResult, tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    with pytest.raises(InputError, match="not a size") as err:
        ingest(con, [demo.archive], memory_limit="lots")
    assert err.value.field == "memory_limit"
    assert con.execute("SELECT count(*) FROM meta_police_uk_coverage").fetchone() == (0,)


def test_running_out_of_memory_names_the_limit_and_stores_nothing(
    demo: DemoResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpeel.ingest.police_uk.load as load

    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    before = _memory_limit(con)
    real_fast_load = load.good_rows
    calls = []

    def fast_load_then_run_out(*args: object) -> object:
        calls.append(1)
        if len(calls) == 2:  # after the street rows are handed to the month files
            raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block")
        return real_fast_load(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(load, "good_rows", fast_load_then_run_out)
    with pytest.raises(OpenpeelError, match="out of memory under the ingest's memory limit of 64MB") as err:
        ingest(con, [demo.archive], memory_limit="64MB")
    assert "--memory-limit" in str(err.value)
    assert con.execute("SELECT count(*) FROM raw_police_uk_street").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM meta_police_uk_coverage").fetchone() == (0,)
    assert not list((tmp_path / "w-lake").rglob("*.parquet"))
    assert _memory_limit(con) == before


def test_a_limit_set_on_the_warehouse_is_put_back_after_ingest(demo: DemoResult, tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    con.execute("SET memory_limit = '3GB'")
    before = _memory_limit(con)
    ingest(con, [demo.archive], memory_limit="64MB")
    assert _memory_limit(con) == before


def test_crlf_and_lf_files_of_one_month_load_together(demo: DemoResult, tmp_path: Path) -> None:
    """The 2014 files end lines with CRLF, later ones with LF; one read must take both whole."""
    folder = tmp_path / "2014-01"
    folder.mkdir()
    with zipfile.ZipFile(demo.archive) as z:
        for force in ("city-of-london", "kent"):  # files without injected faults
            member = f"2014-01/2014-01-{force}-street.csv"
            data = z.read(member).replace(b"\r\n", b"\n")
            if force == "kent":
                data = data.replace(b"\n", b"\r\n")
            (folder / Path(member).name).write_bytes(data)
    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    report = ingest(con, [folder])
    # Both read whole by the one fast read: neither needed the row-by-row reload.
    assert {f.source.force_id: f.was_reloaded_row_by_row for f in report.files} == {
        "city-of-london": False,
        "kent": False,
    }
    for f in report.files:
        stored = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE contains(coalesce(context, '') || coalesce(lsoa_name, ''), chr(13))) "
            "FROM raw_police_uk_street WHERE force_id = ?",
            [f.source.force_id],
        ).fetchone()
        path = folder / f"2014-01-{f.source.force_id}-street.csv"
        assert stored == (_data_lines(path), 0)
        assert f.rows_stored + f.rows_quarantined == _data_lines(path)


def test_progress_adds_up_to_the_bytes_announced(demo: DemoResult, tmp_path: Path) -> None:

    con = connect(tmp_path / "w.duckdb", lake=lake_beside(tmp_path / "w.duckdb"))
    announced: list[int] = []
    steps: list[tuple[int, str]] = []
    ingest(
        con,
        [demo.archive],
        on_start=announced.append,
        progress=lambda done, what: steps.append((done, what)),
    )
    assert len(announced) == 1 and announced[0] > 0
    assert all(done >= 0 for done, _ in steps)
    assert (
        sum(done for done, _ in steps) == announced[0]
    )  # reported inside statements or at batch ends, never twice


def test_batches_are_whole_months_up_to_the_batch_size() -> None:
    from openpeel.ingest.police_uk.layout import FileKind, SourceFile
    from openpeel.ingest.police_uk.load import BATCH_BYTES, _batches

    def month(m: int, *, zipped: bool, size: int) -> list[SourceFile]:
        return [
            SourceFile(
                dt.date(2014, m, 1),
                force,
                FileKind.STREET,
                f"{force}.csv",
                Path("x"),
                zipped,
                None,
                size // 2,
            )
            for force in ("kent", "essex")
        ]

    third = BATCH_BYTES // 3
    plain = [s for m in range(1, 7) for s in month(m, zipped=False, size=BATCH_BYTES // 6)]
    assert [len(b) // 2 for b in _batches(plain)] == [6]  # six sixths fit in one batch
    zipped = [s for m in range(1, 7) for s in month(m, zipped=True, size=third)]
    assert [len(b) // 2 for b in _batches(zipped)] == [3, 3]
    huge = month(1, zipped=False, size=2 * BATCH_BYTES) + month(2, zipped=False, size=third)
    assert [len(b) // 2 for b in _batches(huge)] == [1, 1]  # a month bigger than a batch is its own
    assert all(b[0].month <= b[-1].month for b in _batches(plain + zipped))


@pytest.mark.shared_data
def test_coverage_json_lists_every_expected_force_and_marks_the_missing(
    shared_data: Path, tmp_path: Path
) -> None:
    import json

    runner = CliRunner()
    db = str(tmp_path / "w.duckdb")
    assert (
        runner.invoke(app, ["ingest", str(shared_data / "police-uk" / "2014-02"), "--db", db]).exit_code == 0
    )
    result = runner.invoke(app, ["coverage", "--json", "--kind", "street", "--db", db])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    by_force = {r["force_id"]: r for r in records}
    assert len(by_force) >= 44 and {r["month"] for r in records} == {"2014-02"}
    # Absent from the 2014 files: listed, and marked missing rather than left out or counted as zero crime.
    for absent in ("metropolitan", "greater-manchester", "west-midlands"):
        assert by_force[absent]["status"] == "missing" and by_force[absent]["rows_stored"] == 0
    assert by_force["bedfordshire"]["status"] == "ingested"
    assert (
        by_force["bedfordshire"]["rows_stored"] + by_force["bedfordshire"]["rows_quarantined"]
        == (by_force["bedfordshire"]["data_lines"])
    )
    assert set(records[0]) >= {"force_id", "month", "kind", "rows_stored", "rows_quarantined", "data_lines"}
    bad = runner.invoke(app, ["coverage", "--kind", "strete", "--db", db])
    assert bad.exit_code == 2 and "unknown file kind 'strete'" in bad.stderr
