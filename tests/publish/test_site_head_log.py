"""`openpeel publish` ships the audit head log in the site, holding the publication's own head,
and writes the same line to the head log in the home folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.publish.test_publications import home, publish, run  # noqa: F401 (home: the fixture)

from openpeel.core.locations import HEAD_LOG
from openpeel.store import open_store
from openpeel.store.audit import events

# Whole commands or national runs, seconds each: left to the full run (`make test-fast` skips them).
pytestmark = pytest.mark.slow


def test_the_site_ships_the_head_log_with_the_publications_head(home: Path, tmp_path: Path) -> None:  # noqa: F811
    site = tmp_path / "site"
    publish(site)
    shipped = (site / HEAD_LOG).read_text()
    assert shipped == (home / HEAD_LOG).read_text()
    [line] = [json.loads(text) for text in shipped.splitlines()]
    with open_store(f"sqlite:///{home / 'workspace.sqlite'}").read() as ws:
        last = events(ws)[-1]
    assert (line["what"], line["event_id"], line["hash"]) == ("publication 1", last.event_id, last.hash)
    assert "audit trail verified" in run("audit", "verify", "--head-log", str(site / HEAD_LOG))
