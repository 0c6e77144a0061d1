"""Observation (issue 21): `openpeel build` wrote draft grades as plain statements, in the same
layout as the site. Every page it writes with a grade no one has published now says "Draft: not
published" at the top (and in the HTML title), in every format; a page without one does not."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from openpeel.forces import get_force
from openpeel.publish.cycle import Cycle
from openpeel.publish.year_reports import write_year_reports

from .conftest import evidence_for

MARKS = {
    "html": "<strong>Draft: not published.</strong>",
    "md": "> **Draft: not published.**",
    "txt": "DRAFT: NOT PUBLISHED.",
}


@pytest.mark.slow
def test_every_page_build_writes_with_unpublished_grades_is_marked_draft(
    publish_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    cycle = Cycle(publish_con, 2014, evidence_for(2014), {})  # the rubric's proposals, none published
    forces = [get_force("northamptonshire"), get_force("north-yorkshire")]
    written = write_year_reports(cycle, tmp_path, forces)
    assert len(written) == 6
    assert cycle.report("northamptonshire").is_draft and not cycle.report("north-yorkshire").is_draft
    for path in written:
        text = path.read_text(encoding="utf-8")
        mark = MARKS[path.suffix.lstrip(".")]
        if path.stem == "northamptonshire":
            assert mark in text, path
        else:
            assert mark not in text and "not published." not in text, path
    html = (tmp_path / "2014" / "northamptonshire.html").read_text(encoding="utf-8")
    assert "<title>Draft, not published: " in html
