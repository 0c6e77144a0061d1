"""The quarantine keeps the evidence: original bytes, quoted fields across lines, unclosed quotes."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from openpeel.ingest.police_uk.layout import FileKind
from openpeel.ingest.police_uk.load import ingest
from openpeel.ingest.police_uk.records import MAX_RECORD_LINES, records
from openpeel.ingest.police_uk.schema import header_line
from openpeel.warehouse import connect

ROW = (
    ",2014-01,Warwickshire Police,Warwickshire Police,-1.452923,52.385012,{location},"
    "E01009539,Coventry 039A,Anti-social behaviour,,"
)
FILE = "2014-01/2014-01-warwickshire-street.csv"


def row(location: str = "On or near Leyside") -> bytes:
    return ROW.format(location=location).encode()


def load(tmp_path: Path, rows: list[bytes], eol: bytes = b"\n") -> duckdb.DuckDBPyConnection:
    path = tmp_path / "in" / FILE
    path.parent.mkdir(parents=True)
    path.write_bytes(eol.join([header_line(FileKind.STREET).encode(), *rows]) + eol)
    con = connect(":memory:", lake=tmp_path / "lake")
    report = ingest(con, [tmp_path / "in"])
    assert report.rows_stored + report.rows_quarantined == report.rows_in_files
    return con


def quarantine(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str, str, str, bytes]]:
    return [
        (int(r[0]), str(r[1]), str(r[2]), str(r[3]), bytes(r[4]))
        for r in con.execute(
            "SELECT line, field, reason, raw_text, raw_bytes FROM meta_quarantine ORDER BY line"
        ).fetchall()
    ]


def coverage(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    got = con.execute(
        "SELECT rows_in_file, rows_stored, rows_quarantined FROM meta_police_uk_coverage"
    ).fetchone()
    assert got is not None
    return int(got[0]), int(got[1]), int(got[2])


@pytest.mark.parametrize("eol", [b"\n", b"\r\n"])
def test_invalid_utf8_row_keeps_its_original_bytes(tmp_path: Path, eol: bytes) -> None:
    bad = row("On or near Cafe Royal").replace(b"Cafe", b"Caf\xe9")  # a Latin-1 byte: not UTF-8
    con = load(tmp_path, [row(), bad, row()], eol)
    ((line, field, reason, text, raw),) = quarantine(con)
    assert (line, field) == (3, "(row)")
    assert reason.startswith("not valid UTF-8 text (byte 0xe9")
    assert raw == bad  # the bytes as published, not U+FFFD, and no line ending
    assert "\ufffd" in text
    assert coverage(con) == (3, 2, 1)


def test_quoted_field_spanning_lines_is_accepted(tmp_path: Path) -> None:
    multi = row('"On or near\nTwo Lines, Coventry"')
    con = load(tmp_path, [row(), multi, row(), row()])
    assert quarantine(con) == []
    locations = [r[0] for r in con.execute("SELECT location FROM raw_police_uk_street").fetchall()]
    assert "On or near\nTwo Lines, Coventry" in locations and len(locations) == 4
    # 5 data lines hold 4 records: every line is accounted for, and the counts add up.
    assert coverage(con) == (4, 4, 0)


def test_unclosed_quote_is_reported_on_its_line_and_the_rest_is_read(tmp_path: Path) -> None:
    broken = row('"On or near Leyside')
    con = load(tmp_path, [row(), row(), broken, row(), row()])
    ((line, field, reason, _, raw),) = quarantine(con)
    assert line == 4 and field == "(row)"
    assert "quoted field opened on line 4 is not closed" in reason
    assert raw == broken
    assert coverage(con) == (5, 4, 1)


def test_bad_row_after_a_multi_line_record_has_its_own_line(tmp_path: Path) -> None:
    con = load(
        tmp_path, [row('"Two\nLines"'), row(), row().replace(b"Anti-social behaviour", b"Hovercraft theft")]
    )
    ((line, field, reason, text, raw),) = quarantine(con)
    assert (line, field) == (5, "Crime type")  # header 1, record 2-3, row 4, bad row 5
    assert "Hovercraft theft" in reason and raw.decode() == text


def test_records_account_for_every_line() -> None:
    data = b'h\na,"b\nc",d\r\ne,f\n\n"q""",r\n"x\n'
    got = list(records(data))
    assert [(r.line, r.last_line) for r in got] == [(2, 3), (4, 4), (5, 5), (6, 6), (7, 7)]
    assert got[0].fields == ["a", "b\nc", "d"] and got[0].raw == b'a,"b\nc",d'
    assert got[1].fields == ["e", "f"] and got[2].fields == [] and got[3].fields == ['q"', "r"]
    assert got[4].fields is None and got[4].problem and "line 7 is not closed" in got[4].problem
    assert sum(r.lines for r in got) == data.count(b"\n") - 1


def test_quote_inside_an_unquoted_field_is_literal() -> None:
    (got,) = records(b'h\nOn or near 5" Pipe,x\n')
    assert got.fields == ['On or near 5" Pipe', "x"]


def test_a_stray_quote_does_not_swallow_the_file() -> None:
    lines = [b'a,"open'] + [b"b,c"] * (MAX_RECORD_LINES + 5)
    got = list(records(b"h\n" + b"\n".join(lines) + b"\n"))
    assert got[0].fields is None and got[0].last_line == 2
    assert all(r.fields == ["b", "c"] for r in got[1:]) and len(got) == len(lines)
