"""Getting the data ready to assess: shipped evidence and the rubric's draft judgements in the
workspace store, over a warehouse with statistics and indicators (openpeel.indicators.prepare).
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb
import sqlalchemy as sa

from openpeel.assessment.judgements import Judgement, current_judgements, record_all
from openpeel.core.locations import Locations
from openpeel.evidence import EvidenceFile, bundled_evidence, load_evidence_file
from openpeel.evidence.store import (
    BUILD_ACTOR,
    import_paths,
    read_evidence,
    stored_evidence,
    stored_force_years,
    sync_bundled_evidence,
)
from openpeel.forces import lookup
from openpeel.framework import available_years
from openpeel.indicators.prepare import ready_warehouse as ready_indicators
from openpeel.store import Store, transaction


def assess(
    con: duckdb.DuckDBPyConnection, ws: sa.Connection, year: int, evidence_paths: Iterable[Path] = ()
) -> None:
    """Bring the evidence store and draft judgements of `year` up to date.

    Shipped evidence is imported unless people have since edited that force and year; files given
    here are imported as the person running openpeel, so later builds leave them alone. Moderated
    and published judgements are never touched.
    """
    paths = list(evidence_paths)
    for path in paths:
        read_evidence(path)  # validate every file before anything is written
    with transaction(ws):
        sync_bundled_evidence(ws, year)
        if paths:
            import_paths(ws, paths, by=f"{getpass.getuser()} (openpeel build)")
        record_all(con, ws, stored_force_years(ws, year), by=BUILD_ACTOR)


def assess_all_years(con: duckdb.DuckDBPyConnection, store: Store) -> None:
    with store.write() as ws:
        for year in available_years():
            assess(con, ws, year)


def ready_warehouse(
    where: Locations,
    store: Store,
    *,
    on_wait: Callable[[], None] | None = None,
    on_prepare: Callable[[], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """A read-only warehouse holding statistics and indicators, loading them first if it has none
    and then storing the shipped evidence and the rubric's drafts of every year."""
    return ready_indicators(
        where,
        on_wait=on_wait,
        on_prepare=on_prepare,
        after_prepare=lambda con: assess_all_years(con, store),
    )


def evidence_for_year(ws: sa.Connection, year: int) -> dict[str, EvidenceFile]:
    """The stored evidence of `year`, by force id."""
    out: dict[str, EvidenceFile] = {}
    for force_id, stored_year in stored_force_years(ws, year):
        evidence = stored_evidence(ws, force_id, stored_year)
        if evidence is not None:
            out[force_id] = evidence
    return out


def judgements_by_force(ws: sa.Connection, year: int) -> dict[str, dict[str, Judgement]]:
    """The stored judgements of `year`: by force id, then by question id."""
    return {
        force_id: current_judgements(ws, force_id, stored_year)
        for force_id, stored_year in stored_force_years(ws, year)
    }


def load_evidence(year: int, extra: Iterable[Path] = ()) -> dict[str, EvidenceFile]:
    """Evidence files for `year`, by force id, read without storing them (for previews): the
    bundled ones, then any given (which win)."""
    out: dict[str, EvidenceFile] = {}
    shipped = [evidence for _, evidence in bundled_evidence()]
    for evidence in [*shipped, *map(load_evidence_file, extra)]:
        if evidence.year != year:
            continue
        force_id = lookup(evidence.force).force_id
        out[force_id] = evidence
    return out


def open_ready(where: Locations, *, quiet: bool = False) -> tuple[duckdb.DuckDBPyConnection, Store]:
    """The one way in for a command or the web app: the workspace store the locations name, and
    their warehouse, read-only and ready (statistics, indicators, shipped evidence and drafts
    prepared on first use). `quiet`: no messages on stderr."""
    from openpeel.core.cli_support import err, waiting_message
    from openpeel.store import open_store

    store = open_store(where)
    con = ready_warehouse(
        where,
        store,
        on_wait=None if quiet else waiting_message,
        on_prepare=None
        if quiet
        else lambda: err.print(
            "[dim]warehouse is empty: loading official statistics and computing indicators…[/]"
        ),
    )
    return con, store
