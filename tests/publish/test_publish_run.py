"""Attack (issue 21, 7): publish used to hold the store's write lock while it rendered, so during a
73 s `publish --pdf` web sign-ins and overrides failed after 30 s on SQLite and hung on PostgreSQL.
Now it renders from a read snapshot and records in one short write at the end: a writer gets its
turn at once while a publish renders, and a publish whose published state changed meanwhile
records nothing, leaves the old site, and says to publish again. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from openpeel.assessment import judgements
from openpeel.assessment.prepare import assess
from openpeel.core.errors import OpenpeelError
from openpeel.evidence.store import import_paths
from openpeel.publish.publish_run import publish_recorded
from openpeel.store import Store
from openpeel.store.publications import publications
from openpeel.store.schema import sa_table

FORCE, YEAR = "northamptonshire", 2014
INVENTED = """# INVENTED for tests/publish/test_publish_run.py: not a finding of the inspectorate.
force: kent
year: 2014
inspections:
  - {id: invented-2014, kind: crime-inspection, title: Invented inspection, source: "invented for a test"}
findings:
  - {id: invented-1, inspection: invented-2014, question: tackling-asb, kind: strength, text: "Invented (zq-5150)."}
"""


@pytest.fixture
def ready(store: Store, publish_con: duckdb.DuckDBPyConnection) -> Store:
    """A store with Northamptonshire 2014's judgements confirmed, moderated and published."""
    with store.write() as ws:
        assess(publish_con, ws, YEAR)
        for j in judgements.current_judgements(ws, FORCE, YEAR).values():
            if j.is_graded and j.proposed_grade and not j.current_grade:
                judgements.confirm(ws, FORCE, YEAR, j.question_id, by="lee")
        judgements.moderate(ws, FORCE, YEAR, by="mo")
        judgements.publish(ws, FORCE, YEAR, by="mo")
    return store


@pytest.mark.slow
def test_a_writer_gets_its_turn_at_once_while_a_publish_renders(
    ready: Store, publish_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    waits: list[float] = []

    def write_meanwhile(step: str, done: int, _total: int) -> None:
        if step.startswith("reports") and done in (1, 20):

            def write() -> None:
                started = time.perf_counter()
                with ready.write() as ws:  # a sign-in or an override takes the same turn
                    ws.execute(sa.select(sa.func.count()).select_from(sa_table("web_users")))
                waits.append(time.perf_counter() - started)

            worker = threading.Thread(target=write)
            worker.start()
            worker.join(timeout=10)
            assert not worker.is_alive(), "a write waited for the publish"

    run = publish_recorded(publish_con, ready, [YEAR], tmp_path / "site", by="pat", progress=write_meanwhile)
    assert len(waits) == 2 and max(waits) < 1.0, waits
    assert run.publication.publication_id == 1 and (tmp_path / "site" / "index.html").exists()
    # Published grades only: the public report carries no draft mark.
    assert "Draft: not published" not in (tmp_path / "site" / "2014" / f"{FORCE}.html").read_text(
        encoding="utf-8"
    )


@pytest.mark.slow
def test_a_publish_whose_published_state_changed_meanwhile_records_nothing(
    ready: Store, publish_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    publish_recorded(publish_con, ready, [YEAR], out, by="pat")
    before = (out / "2014" / f"{FORCE}.html").read_bytes()

    def reopen_meanwhile(step: str, done: int, _total: int) -> None:
        if step.startswith("reports") and done == 5:
            with ready.write() as ws:
                judgements.reopen(ws, FORCE, YEAR, "tackling-asb", by="mo", reason="recheck (zq-5151)")

    with pytest.raises(
        OpenpeelError, match=r"changed while this publish was rendering.*run openpeel publish again"
    ):
        publish_recorded(publish_con, ready, [YEAR], out, by="pat", progress=reopen_meanwhile)
    with ready.read() as ws:
        assert [p.publication_id for p in publications(ws)] == [1]
    assert (out / "2014" / f"{FORCE}.html").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if ".openpeel-new-" in p.name] == []


@pytest.mark.slow
def test_work_on_drafts_meanwhile_does_not_stop_a_publish(
    ready: Store, publish_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    invented = tmp_path / "kent-2014.yaml"
    invented.write_text(INVENTED, encoding="utf-8")

    def draft_meanwhile(step: str, done: int, _total: int) -> None:
        if step.startswith("reports") and done == 5:
            with ready.write() as ws:
                import_paths(ws, [invented], by="ivy")

    run = publish_recorded(publish_con, ready, [YEAR], tmp_path / "site", by="pat", progress=draft_meanwhile)
    assert run.publication.publication_id == 1
    assert "zq-5150" not in (tmp_path / "site" / "2014" / "kent.html").read_text(encoding="utf-8")
