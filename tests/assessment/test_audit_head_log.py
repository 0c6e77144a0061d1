"""The audit head log: written outside the database on its own, at every publication and
`openpeel audit head`, only for what committed; shipped in the site; and checked by verify
line by line, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.assessment.test_audit_verify import _verify
from tests.assessment.test_publication_verify import _open_tables
from tests.conftest import TEST_AUDIT_KEY
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.core.locations import HEAD_LOG
from openpeel.store import Store, open_store
from openpeel.store.audit import chain_head, events
from openpeel.store.head_log import ship_head_log
from openpeel.store.publications import NewVersion, record_publication


def _publish(ws: sa.Connection, number: int) -> None:
    report = f"<p>Northamptonshire, version {number}</p>".encode()
    record_publication(
        ws,
        by="pat",
        years=[2014],
        note=f"publication {number}",
        head=chain_head(ws),
        files={"2014/northamptonshire.html": report, "2014/downloads/judgements.csv": b"a,b\n"},
        versions=[
            NewVersion("northamptonshire", 2014, number, None, {"reducing-crime": number}, {"html": report})
        ],
        kept=["2014/downloads/"],
    )


def home_head_log() -> Path:
    """The head log `openpeel audit verify` reads: in the test's home folder (OPENPEEL_HOME)."""
    return Path(os.environ["OPENPEEL_HOME"]) / HEAD_LOG


@pytest.fixture
def logged(busy_store: Store) -> Iterator[Store]:
    """The test's store holding busy_history (a copy of one recorded once per session), as a
    command opens it: the head log in the home folder."""
    opened = open_store(busy_store.url, audit_key=TEST_AUDIT_KEY, head_log=home_head_log())
    yield opened
    opened.dispose()


def lines() -> list[dict[str, object]]:
    return [json.loads(line) for line in home_head_log().read_text().splitlines()]


def test_a_publication_writes_its_own_event_to_the_log_once_committed(logged: Store, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    with logged.write() as ws:
        _publish(ws, 1)
        shipped = ship_head_log(ws, site)
        assert not home_head_log().exists(), "nothing is written before the commit"
    with logged.read() as ws:
        last = events(ws)[-1]
    assert last.entity == "publication"
    [line] = lines()
    assert (line["event_id"], line["hash"], line["what"]) == (last.event_id, last.hash, "publication 1")
    assert shipped == site / HEAD_LOG and shipped.read_text() == home_head_log().read_text()


def test_a_publication_rolled_back_writes_nothing(logged: Store) -> None:
    with pytest.raises(RuntimeError, match="publish failed"), logged.write() as ws:
        _publish(ws, 1)
        raise RuntimeError("publish failed")
    assert not home_head_log().exists()
    code, output = _verify(logged)
    assert code == 0, output


def test_audit_head_appends_to_the_log_and_writes_a_file_on_request(logged: Store, tmp_path: Path) -> None:
    env = {"OPENPEEL_STORE": logged.url}
    result = CliRunner(env=env).invoke(app, ["audit", "head"])
    assert result.exit_code == 0, result.output
    assert str(home_head_log()) in result.stderr
    head = tmp_path / "head.json"
    result = CliRunner(env=env).invoke(app, ["audit", "head", "--out", str(head)])
    assert result.exit_code == 0, result.output
    assert [line["what"] for line in lines()] == ["audit head", "audit head"]
    assert json.loads(head.read_text())["event_id"] == lines()[-1]["event_id"]
    code, output = _verify(logged, head)
    assert code == 0, output


def test_a_deleted_head_log_is_named_and_the_site_copy_still_catches_a_rollback(
    logged: Store, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    with logged.write() as ws:
        _publish(ws, 1)
        ship_head_log(ws, site)
    home_head_log().unlink()
    code, output = _verify(logged)
    assert code == 1
    assert (
        f"the audit head log {home_head_log()} is missing, but publication 1 recorded its head there"
        in output
    )
    # Someone holding the database and the home folder cuts the publication and its event...
    with logged.write() as ws:
        _open_tables(ws)
        last = events(ws)[-1].event_id
        ws.execute(sa.text(f"DELETE FROM as_audit_events WHERE event_id = {last}"))
        ws.execute(sa.text("DELETE FROM pb_report_versions"))
        ws.execute(sa.text("DELETE FROM pb_publications"))
    code, output = _verify(logged)
    assert code == 0, output  # nothing left at home to contradict them
    # ...but anyone holding the published site has the head.
    result = CliRunner(env={"OPENPEEL_STORE": logged.url}).invoke(
        app, ["audit", "verify", "--head-log", str(site / HEAD_LOG)]
    )
    assert result.exit_code == 1
    assert f"records event {last}, but the store has no event {last}" in result.stderr


def test_an_edited_or_damaged_line_is_named(logged: Store) -> None:
    with logged.write() as ws:
        _publish(ws, 1)
    with logged.write() as ws:
        _publish(ws, 2)
    first, second = home_head_log().read_text().splitlines()
    edited = json.loads(first)
    edited["event_id"] -= 1
    home_head_log().write_text(json.dumps(edited) + "\n" + second[:40])
    code, output = _verify(logged)
    assert code == 1
    assert "line 1 (publication 1" in output and "its signature does not match its content" in output
    assert "line 2 is not a head log line" in output
    # A line cut short by a crash does not swallow the next one.
    with logged.write() as ws:
        _publish(ws, 3)
    assert json.loads(home_head_log().read_text().splitlines()[-1])["what"] == "publication 3"
