"""A warehouse with statistics and indicators, built once and copied for each test that writes to
it; and a workspace holding a busy audit history, made once per store kind and copied likewise."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from tests.conftest import TEST_AUDIT_KEY, copy_of_statistics, postgres_store

from openpeel.store import Store, open_store


@pytest.fixture
def db(statistics_db: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh copy of the template warehouse (statistics and indicators, no evidence)."""
    from openpeel.core.locations import lake_beside
    from openpeel.warehouse import connect

    path = tmp_path / "w.duckdb"
    shutil.copyfile(statistics_db, path)
    con = connect(path, lake=lake_beside(path))
    yield con
    con.close()


def _record_busy_history(store: Store, statistics_db: Path, folder: Path) -> None:
    from tests.assessment.test_audit import busy_history

    con = copy_of_statistics(statistics_db, folder)
    try:
        with store.write() as ws:
            busy_history(con, ws)
    finally:
        con.close()


@pytest.fixture(scope="session")
def busy_sqlite(statistics_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite workspace holding tests/assessment/test_audit.py's busy_history, recorded once
    (about 0.25 s on SQLite, 0.35 s on PostgreSQL, for each of some fifty tests before)."""
    folder = tmp_path_factory.mktemp("busy")
    path = folder / "workspace.sqlite"
    store = open_store(f"sqlite:///{path}", audit_key=TEST_AUDIT_KEY)
    try:
        _record_busy_history(store, statistics_db, folder)
    finally:
        store.dispose()
    return path


@pytest.fixture(scope="session")
def busy_postgres(
    statistics_db: Path, tmp_path_factory: pytest.TempPathFactory, postgres_template: str | None
) -> Iterator[str | None]:
    """The same history in a PostgreSQL database (made from the migrated template), the template
    of each test's own; None without a server."""
    if postgres_template is None:
        yield None
        return
    for store in postgres_store(postgres_template):
        _record_busy_history(store, statistics_db, tmp_path_factory.mktemp("busy"))
        name = store.engine.url.database
        store.dispose()  # a template database must have no connections
        yield name


@pytest.fixture(params=["sqlite", "postgresql"])
def busy_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A copy of the busy workspace for one test, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "workspace.sqlite"
        shutil.copyfile(request.getfixturevalue("busy_sqlite"), path)
        sqlite = open_store(f"sqlite:///{path}", audit_key=TEST_AUDIT_KEY)
        yield sqlite
        sqlite.dispose()
    else:
        yield from postgres_store(request.getfixturevalue("busy_postgres"))


@pytest.fixture
def busy_ws(busy_store: Store) -> Iterator[sa.Connection]:
    """One connection to the test's busy store, as `ws` is to `store`."""
    with busy_store.engine.connect() as conn:
        yield conn
