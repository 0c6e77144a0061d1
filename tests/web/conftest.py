from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.conftest import TEST_AUDIT_KEY

from openpeel.assessment.prepare import assess_all_years
from openpeel.core.settings import Settings
from openpeel.evidence.store import import_paths
from openpeel.store import Store, open_store
from openpeel.warehouse import writing
from openpeel.web.app import create_app, open_data
from openpeel.web.users import add_user

PASSWORD = "correct horse battery"
USERS = [
    ("ivy", "inspector"),
    ("lee", "lead-inspector"),
    ("mo", "moderator"),
    ("vic", "viewer"),
    ("ada", "admin"),
]


def make_home(home: Path, statistics_db: Path, evidence: Sequence[Path] = ()) -> Store:
    """A home folder as `openpeel build` leaves it: a warehouse with indicators, a store with the
    shipped evidence and the rubric's drafts, and one user per role. `evidence`: files imported
    by hand first (as `openpeel evidence import` does), which the shipped files then leave alone.

    Built once per session for each `evidence` beside the session's warehouse template, and
    copied to `home`: building takes about 20 s (the rubric over every cycle), a copy 0.1 s. The
    built folder is found by its name, as this module may be imported twice (as a conftest and
    by the test modules that import make_home)."""
    name = hashlib.sha256("\n".join(str(p.resolve()) for p in evidence).encode()).hexdigest()[:12]
    built = statistics_db.parent / f"built-home-{name}"
    if not (built / "built").exists():
        shutil.rmtree(built, ignore_errors=True)
        _build_home(built, statistics_db, evidence).dispose()
        (built / "built").touch()
    shutil.copytree(built, home, dirs_exist_ok=True)
    (home / "built").unlink()
    return open_store(f"sqlite:///{home / 'workspace.sqlite'}", audit_key=TEST_AUDIT_KEY)


def _build_home(home: Path, statistics_db: Path, evidence: Sequence[Path]) -> Store:
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(statistics_db, home / "warehouse.duckdb")
    store = open_store(f"sqlite:///{home / 'workspace.sqlite'}", audit_key=TEST_AUDIT_KEY)
    if evidence:
        with store.write() as ws:
            import_paths(ws, evidence, by="alice")
    with writing(home / "warehouse.duckdb", home / "lake") as con:
        assess_all_years(con, store)
    with store.write() as ws:
        for name, role in USERS:
            add_user(ws, name, PASSWORD, role, name.capitalize())
    return store


@pytest.fixture(scope="module")
def web_home(statistics_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("web") / "home"
    make_home(home, statistics_db).dispose()
    return home


@pytest.fixture(scope="module")
def web_store(web_home: Path) -> Iterator[Store]:
    """The store the test app uses, to look at what its requests wrote."""
    store = open_store(f"sqlite:///{web_home / 'workspace.sqlite'}", audit_key=TEST_AUDIT_KEY)
    yield store
    store.dispose()


def app_for(home: Path, **settings: Any) -> FastAPI:
    """The app on `home`, its data opened now (for clients that do not run its lifespan)."""
    chosen = Settings(home=home, **settings)
    return create_app(chosen, open_data(chosen))


@pytest.fixture
def client(web_home: Path) -> Iterator[TestClient]:
    app = create_app(Settings(home=web_home, login_attempts=3, login_window_seconds=60))
    with TestClient(app) as c:
        yield c


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the real form; returns the session's CSRF token for later posts."""
    import re

    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token.group(1), "next": "/workspace"},
    )
    assert response.status_code == 200, response.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert csrf
    return csrf.group(1)


def one(store: Store, sql: str) -> tuple[object, ...] | None:
    """The first row of a query on the app's store, read afresh."""
    import sqlalchemy as sa

    with store.read() as ws:
        row = ws.execute(sa.text(sql)).first()
    return tuple(row) if row is not None else None
