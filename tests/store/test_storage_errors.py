"""Attack (issue 21, 12, the store's half): a full disk or a refused write used to end store writes
in a traceback. Now it is one line naming the store and what is needed, exit status 2 from the CLI
(503 from the web app), and nothing is changed. Simulated with SQLite's own limits (a page limit
gives its real "database or disk is full"; query_only its "readonly database"), PostgreSQL's
read-only transactions, and an OSError(ENOSPC) while the site is written."""

from __future__ import annotations

import errno
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.assessment.test_audit import NORTHANTS_2014
from tests.conftest import TEST_AUDIT_KEY
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.core.errors import StorageError
from openpeel.store import Store, engine, open_store


def _with_pragma(monkeypatch: pytest.MonkeyPatch, pragma: str) -> None:
    """Every SQLite connection openpeel opens from now on runs `pragma` first."""
    original = engine._sqlite_events

    def events(eng: sa.Engine) -> None:
        original(eng)

        @sa.event.listens_for(eng, "connect")
        def limit(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(pragma)

    monkeypatch.setattr(engine, "_sqlite_events", events)


def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, int]:
    home = tmp_path / "home"
    monkeypatch.setenv("OPENPEEL_HOME", str(home))
    store = open_store(f"sqlite:///{home / 'workspace.sqlite'}", audit_key=TEST_AUDIT_KEY)
    with store.read() as ws:
        pages = int(ws.exec_driver_sql("PRAGMA page_count").scalar_one())
    store.dispose()
    return home, pages


def _events(home: Path) -> int:
    store = open_store(f"sqlite:///{home / 'workspace.sqlite'}", audit_key=TEST_AUDIT_KEY)
    with store.read() as ws:
        count = int(ws.execute(sa.text("SELECT count(*) FROM as_audit_events")).scalar_one())
    store.dispose()
    return count


@pytest.mark.parametrize(
    ("pragma", "said"),
    [
        ("PRAGMA max_page_count = {pages}", "the disk it is on is full: free some space there"),
        ("PRAGMA query_only = ON", "it is read-only to this user: openpeel needs write access"),
    ],
)
def test_a_refused_store_write_is_one_line_naming_the_store_and_what_is_needed(
    pragma: str, said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, pages = _home(tmp_path, monkeypatch)
    _with_pragma(monkeypatch, pragma.format(pages=pages))
    result = CliRunner().invoke(app, ["evidence", "import", str(NORTHANTS_2014), "--by", "alice"])
    output = " ".join((result.output + result.stderr).split())
    assert result.exit_code == 2, output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in output
    assert f"error: cannot write the workspace store {home / 'workspace.sqlite'}: {said}" in output
    assert "nothing was changed" in output
    monkeypatch.undo()
    assert _events(home) == 0


def test_a_read_only_database_refuses_with_a_storage_error(store: Store) -> None:
    """On either backend: SQLite's query_only, PostgreSQL's read-only transactions."""
    if store.backend == "sqlite":
        pragma = "PRAGMA query_only = ON"
    else:
        pragma = "SET default_transaction_read_only = on"

    @sa.event.listens_for(store.engine, "connect")
    def read_only(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(pragma)
        cursor.close()
        if store.backend == "postgresql":
            dbapi_connection.commit()

    store.engine.dispose()  # pooled connections were opened before the event
    refused = re.escape(f"cannot write the workspace store {store.where()}")
    with pytest.raises(StorageError, match=refused) as caught, store.write() as ws:
        ws.execute(sa.text("INSERT INTO web_login_failures VALUES ('address:192.0.2.9', 1, 0.0)"))
    assert "nothing was changed" in str(caught.value)
    sa.event.remove(store.engine, "connect", read_only)
    store.engine.dispose()
    with store.read() as ws:
        assert ws.execute(sa.text("SELECT count(*) FROM web_login_failures")).scalar_one() == 0


@pytest.mark.slow
def test_a_full_disk_while_the_site_is_written_is_one_line_and_the_old_site_stays(
    statistics_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpeel.publish import site

    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(statistics_db, home / "warehouse.duckdb")
    monkeypatch.setenv("OPENPEEL_HOME", str(home))
    out = tmp_path / "site"
    first = CliRunner().invoke(app, ["publish", "--year", "2014", "--out", str(out), "--by", "pat"])
    assert first.exit_code == 0, first.output
    index = (out / "index.html").read_bytes()

    def full(*_args: object, **_kwargs: object) -> str:
        raise OSError(errno.ENOSPC, "No space left on device", str(out / "2014" / "scan.html"))

    monkeypatch.setattr(site, "scan_page", full)
    result = CliRunner().invoke(app, ["publish", "--year", "2014", "--out", str(out), "--by", "pat"])
    output = " ".join((result.output + result.stderr).split())
    assert result.exit_code == 2, output
    assert f"error: cannot write {out / '2014' / 'scan.html'}: the disk is full: free some space" in output
    assert (out / "index.html").read_bytes() == index
    assert [p.name for p in tmp_path.iterdir() if ".openpeel-new-" in p.name] == []
