"""Shared fixtures: where the real public data lives, and throwaway warehouses."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from openpeel.core.locations import lake_beside
from openpeel.store import Store, open_store
from openpeel.warehouse import connect

REPO = Path(__file__).resolve().parents[1]
# Stable finding ids and counts for the store, audit and workflow tests: a fixture, not shipped evidence.
STORE_FIXTURE = REPO / "tests" / "fixtures" / "northamptonshire-2014-store-fixture.yaml"
TEST_AUDIT_KEY = "test-audit-key-not-a-secret-0123456789"


def shared_data_path() -> Path:
    """../shared/data beside the clone, or OPENPEEL_SHARED_DATA when set."""
    env = os.environ.get("OPENPEEL_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


# Tests that need these fixtures are slow (a national synthetic lake, a Spark session): marked
# `slow`, so `make test-fast` (-m "not slow and not browser") leaves them to the full run.
SLOW_FIXTURES = frozenset({"national_demo", "spark"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets a home folder of its own, so no command writes ./openpeel-data in the clone
    or reads a warehouse or store from the environment; tests that want one set it themselves."""
    for name in ("OPENPEEL_DB", "OPENPEEL_STORE", "OPENPEEL_DATA", "OPENPEEL_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    # The audit chain is keyed: PostgreSQL stores have no key file, so the tests set one (the
    # key-file tests unset it).
    monkeypatch.setenv("OPENPEEL_AUDIT_KEY", TEST_AUDIT_KEY)
    monkeypatch.setenv("OPENPEEL_HOME", str(tmp_path_factory.mktemp("home")))
    # Key files live in the user's configuration folder: never the real one.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real files; a missing folder skips locally but fails under CI=true."""
    path = shared_data_path()
    if not (path / "README.md").exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but the shared data folder {path} is missing")
        pytest.skip(f"shared data folder {path} not found")
    return path


@pytest.fixture
def warehouse() -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(":memory:")
    yield con
    con.close()


def postgres_url() -> str | None:
    """A PostgreSQL server for the workspace tests (`.ci/run` starts one and sets this), e.g.
    postgresql://postgres@127.0.0.1:55432/postgres. Each test gets a database of its own."""
    return os.environ.get("OPENPEEL_TEST_POSTGRES")


def _admin_engine(url: str) -> sa.Engine:
    return sa.create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """A database migrated once to the latest schema, copied for every test that asks for one."""
    url = postgres_url()
    if url is None:
        yield None
        return
    name = f"openpeel_template_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    template = open_store(
        sa.make_url(url).set(database=name).render_as_string(hide_password=False), audit_key=TEST_AUDIT_KEY
    )
    template.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def postgres_store(template: str | None) -> Iterator[Store]:
    url = postgres_url()
    if url is None or template is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but OPENPEEL_TEST_POSTGRES is not set (see .ci/run)")
        pytest.skip("no PostgreSQL server for the tests (set OPENPEEL_TEST_POSTGRES)")
    name = f"openpeel_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    store = open_store(
        sa.make_url(url).set(database=name).render_as_string(hide_password=False), audit_key=TEST_AUDIT_KEY
    )
    try:
        yield store
    finally:
        store.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path, postgres_template: str | None) -> Iterator[Store]:
    """The workspace store, once on SQLite and once on PostgreSQL: the same tests run on both."""
    if request.param == "sqlite":
        sqlite = open_store(f"sqlite:///{tmp_path / 'workspace.sqlite'}", audit_key=TEST_AUDIT_KEY)
        yield sqlite
        sqlite.dispose()
    else:
        yield from postgres_store(postgres_template)


@pytest.fixture
def ws(store: Store) -> Iterator[sa.Connection]:
    """One connection to the test's store; each audited change commits or rolls back on its own."""
    with store.engine.connect() as conn:
        yield conn


@pytest.fixture(scope="session")
def statistics_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse file with statistics and indicators, built once; tests copy it."""
    from openpeel.indicators.prepare import prepare_warehouse

    path = tmp_path_factory.mktemp("stats") / "template.duckdb"
    con = connect(path)
    prepare_warehouse(con, None)
    con.close()
    return path


def copy_of_statistics(statistics_db: Path, folder: Path) -> duckdb.DuckDBPyConnection:
    """A connection to a copy of the session's statistics warehouse in `folder`: 0.03 s, where
    loading the statistics and computing every indicator takes 1.5-2 s."""
    path = folder / "w.duckdb"
    shutil.copyfile(statistics_db, path)
    return connect(path, lake=lake_beside(path))


@pytest.fixture(scope="module")
def statistics_con(
    statistics_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The bundled statistics and every indicator, for one test module: a copy of
    `statistics_db`, so what a module writes reaches no other."""
    con = copy_of_statistics(statistics_db, tmp_path_factory.mktemp("statistics"))
    yield con
    con.close()


@pytest.fixture(scope="session")
def national_demo(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic national slice built once per test run: every force's data.police.uk files for
    January and February 2014 (invented rows from the demo generator, seed 5), Kent's February
    missing, ingested into `w.duckdb` with its lake `w-lake` in the returned folder."""
    from openpeel.ingest.police_uk.demo_archive import generate
    from openpeel.ingest.police_uk.load import ingest

    out = tmp_path_factory.mktemp("national")
    result = generate(
        out, shared_data=shared_data, months=2, start="2014-01", seed=5, missing=["kent:2014-02"]
    )
    con = connect(out / "w.duckdb", lake=lake_beside(out / "w.duckdb"))
    ingest(con, [result.archive])
    con.close()
    return out


def record_publication_now(store: Store, *years: int, by: str = "pat") -> None:
    """Record a publication of `years` as `openpeel publish` does, without writing a site: from
    then on the public surfaces show the workspace as it stands now (openpeel.assessment.public)."""
    from openpeel.store.audit import chain_head
    from openpeel.store.publications import record_publication

    with store.write() as ws:
        record_publication(ws, by=by, years=years, note=None, head=chain_head(ws), files={}, versions=[])
