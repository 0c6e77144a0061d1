"""The CLI and the server side by side on one home folder: while `openpeel serve` answers
readers, `ingest`, `evidence import`, `judgement confirm` and `history` all run and succeed;
and a team's PostgreSQL store receives what the CLI writes."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from tests.conftest import STORE_FIXTURE, postgres_store

from openpeel.store import Store
from openpeel.store.schema import sa_table

# Whole commands or national runs, seconds each: left to the full run (`make test-fast` skips them).
pytestmark = pytest.mark.slow

# Stable ids and counts for the store tests (a fixture, not the shipped blind-1 file).
NORTHANTS_2014 = STORE_FIXTURE


def openpeel(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openpeel.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def home_env(tmp_path: Path, statistics_db: Path) -> dict[str, str]:
    """An embedded default home folder (a copy of a built warehouse; the store starts empty)."""
    home = tmp_path / "openpeel-data"
    home.mkdir()
    shutil.copyfile(statistics_db, home / "warehouse.duckdb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENPEEL_")}
    env["OPENPEEL_HOME"] = str(home)
    return env


@pytest.fixture
def server(home_env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "openpeel.cli", "serve", "--port", str(port)],
        env=home_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"openpeel serve exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if httpx.get(f"{base}/api/v1/frameworks", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("openpeel serve did not answer within 60 s")
    yield base
    proc.terminate()
    proc.wait(timeout=20)


class Readers:
    """Readers asking for a report page the whole time, recording every answer."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.statuses: list[int] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self._stop.is_set():
                try:
                    self.statuses.append(client.get(f"{self.base}/2014/kent.html").status_code)
                except httpx.HTTPError as exc:
                    self.errors.append(repr(exc))
                time.sleep(0.02)

    def __enter__(self) -> Readers:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


@pytest.mark.shared_data
def test_cli_writes_while_the_server_keeps_answering(
    server: str, home_env: dict[str, str], shared_data: Path
) -> None:
    with Readers(server) as readers:
        ingest = openpeel(home_env, "ingest", str(shared_data / "police-uk" / "2014-02"))
        assert ingest.returncode == 0, ingest.stderr
        imported = openpeel(home_env, "evidence", "import", str(NORTHANTS_2014), "--by", "alice")
        assert imported.returncode == 0, imported.stderr
        assert "northamptonshire 2014: 21 added" in imported.stderr
        confirmed = openpeel(
            home_env, "judgement", "confirm", "northamptonshire", "reducing-crime", "--by", "bob"
        )
        assert confirmed.returncode == 0, confirmed.stderr
        history = openpeel(home_env, "history", "northamptonshire", "--year", "2014", "--json")
        assert history.returncode == 0, history.stderr
        assert json.loads(history.stdout)["chain"]["intact"]
        # The server picks up the warehouse the ingest put in place, without a restart.
        deadline = time.monotonic() + 10
        rows = 0
        while time.monotonic() < deadline and not rows:
            found = httpx.get(
                f"{server}/api/v1/coverage", params={"force": "bedfordshire"}, timeout=10
            ).json()
            rows = found["meta"]["total"]
            time.sleep(0.2)
        assert rows > 0
    assert readers.errors == [] and readers.statuses, readers.errors[:3]
    assert set(readers.statuses) == {200}


def test_two_ingests_at_once_both_succeed(home_env: dict[str, str], tmp_path: Path) -> None:
    """Writers take turns on the warehouse: the second waits for the first, and both land."""
    archives = []
    for month, force, label in (("2014-01", "kent", "Kent Police"), ("2014-02", "surrey", "Surrey Police")):
        folder = tmp_path / f"{month}-{force}" / month
        folder.mkdir(parents=True)
        (folder / f"{month}-{force}-street.csv").write_text(
            "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
            "Crime type,Last outcome category,Context\n"
            f",{month},{label},{label},0.5,51.2,On or near High Street,E01024000,Invented 001A,"
            "Anti-social behaviour,,\n",
            encoding="utf-8",
        )
        archives.append(folder)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "openpeel.cli", "ingest", str(a)],
            env=home_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for a in archives
    ]
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
    assert [code for code, _ in results] == [0, 0], results
    coverage = openpeel(home_env, "coverage", "--detail")
    assert coverage.returncode == 0, coverage.stderr
    assert "kent" in coverage.stdout and "surrey" in coverage.stdout


def test_a_postgresql_store_receives_what_the_cli_writes(
    home_env: dict[str, str], postgres_template: str | None
) -> None:
    for store in postgres_store(postgres_template):
        run_against(store, home_env)


def run_against(store: Store, home_env: dict[str, str]) -> None:
    # A team's PostgreSQL store has no key file: every writer is given the shared audit key.
    env = {**home_env, "OPENPEEL_STORE": store.url, "OPENPEEL_AUDIT_KEY": "side-by-side-audit-key-0123"}
    imported = openpeel(env, "evidence", "import", str(NORTHANTS_2014), "--by", "alice")
    assert imported.returncode == 0, imported.stderr
    confirmed = openpeel(env, "judgement", "confirm", "northamptonshire", "tackling-asb", "--by", "bob")
    assert confirmed.returncode == 0, confirmed.stderr
    with store.read() as ws:
        findings = ws.execute(sa.select(sa.func.count()).select_from(sa_table("ev_findings"))).scalar_one()
        j = sa_table("as_judgements").c
        grade = ws.execute(
            sa.select(j.current_grade, j.updated_by).where(
                j.force_id == "northamptonshire", j.question_id == "tackling-asb"
            )
        ).one()
    assert findings == 17
    assert tuple(grade) == ("good", "bob")
    assert not (Path(home_env["OPENPEEL_HOME"]) / "workspace.sqlite").exists()
