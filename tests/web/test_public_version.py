"""Public pages' data version follows what is public, and only a publication changes that: a draft
edit, `judgement publish` and a reopening leave it; recording a publication moves it; an alias in
the address reads the same version."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import record_publication_now
from tests.web.conftest import app_for, make_home

from openpeel.assessment import judgements
from openpeel.assessment.public import public_version
from openpeel.store import Store

FORCE, YEAR, QUESTION = "northamptonshire", 2014, "reducing-crime"


def _publish_all(ws_store: Store) -> None:
    with ws_store.write() as ws:
        for j in judgements.current_judgements(ws, FORCE, YEAR).values():
            if j.is_graded and j.proposed_grade and not j.current_grade:
                judgements.confirm(ws, FORCE, YEAR, j.question_id, by="lee", reason="agreed")
        judgements.moderate(ws, FORCE, YEAR, by="mo")
        judgements.publish(ws, FORCE, YEAR, by="mo")


@pytest.mark.slow
def test_public_version_moves_with_recorded_publications_only(statistics_db: Path, tmp_path: Path) -> None:
    store = make_home(tmp_path / "home", statistics_db)
    with store.read() as ws:
        start = public_version(ws)
    with store.write() as ws:
        judgements.override(ws, FORCE, YEAR, QUESTION, "good", by="lee", reason="draft work")
    _publish_all(store)
    with store.read() as ws:
        assert public_version(ws) == start  # marked published, not yet recorded: nothing public moved
    record_publication_now(store, YEAR)
    with store.read() as ws:
        published = public_version(ws)
    assert published != start
    with store.write() as ws:
        judgements.reopen(ws, FORCE, YEAR, QUESTION, by="mo", reason="new evidence")
        judgements.override(ws, FORCE, YEAR, QUESTION, "requires-improvement", by="lee", reason="draft work")
    with store.read() as ws:
        assert public_version(ws) == published
    store.dispose()


@pytest.mark.slow
def test_the_report_page_version_reads_the_force_an_alias_names(statistics_db: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = make_home(home, statistics_db)
    app = app_for(home)
    version = app.state.data_version
    by_id, by_alias = version("/2014/northamptonshire.html"), version("/2014/northants.html")
    _publish_all(store)
    record_publication_now(store, YEAR)
    version.bump()  # as a write through the app would
    version.bump(("northamptonshire", 2014))
    version.bump(("northants", 2014))
    assert version("/2014/northamptonshire.html") != by_id
    assert version("/2014/northants.html") != by_alias
    assert version("/2014/northants.html") == version("/2014/northamptonshire.html")
    app.state.store.dispose()
    store.dispose()
