"""One `openpeel publish`: read a consistent snapshot, render without the write lock, record at the end.

Rendering a site takes seconds, and minutes with `--pdf`. It reads the workspace in one snapshot
(`Store.snapshot`: a read transaction, no writers' turn), so sign-ins, edits and overrides in the
web app carry on meanwhile. Only when the site is complete does it take the writers' turn, for one
short transaction that first checks that what it rendered is still what would be published (the
published judgements, the findings behind them, the inspections of the years, and no publication
recorded meanwhile: `ready_version`) and then records the publication, its report versions and
blobs. If any of that changed, nothing is recorded, the old site stays, and the error says to run
publish again. Then the new site is swapped in (publish/site_folder.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from openpeel.assessment.public import PublicYear, public_year, ready_version, ready_year, with_progress
from openpeel.core.errors import OpenpeelError
from openpeel.publish.publication import Versioning, site_files
from openpeel.publish.render import Format
from openpeel.publish.site import Progress, SiteResult, publish_site
from openpeel.store import Store
from openpeel.store.audit import ChainHead, chain_head
from openpeel.store.head_log import ship_head_log
from openpeel.store.publications import Publication


def _quiet(_step: str, _done: int, _total: int) -> None:
    return None


@dataclass
class PublishRun:
    site: SiteResult
    publication: Publication
    versioning: Versioning
    head: ChainHead


def publish_recorded(
    con: duckdb.DuckDBPyConnection,
    store: Store,
    years: Sequence[int],
    out_dir: Path,
    *,
    by: str,
    note: str | None = None,
    pdf: bool = False,
    formats: Sequence[Format] = ("html", "md", "text"),
    progress: Progress = _quiet,
) -> PublishRun:
    """Write the site for `years` and record it as a publication (see the module's doc)."""
    chosen = sorted(set(years))
    recorded: list[Publication] = []
    with store.snapshot() as ws:
        head = chain_head(ws)
        rendered = ready_version(ws, chosen)
        versioning = Versioning(ws, note=note)
        shown: dict[int, PublicYear] = {}

        def year_shown(year: int) -> PublicYear:
            # The years published now show the published state as it is, with how far each
            # force's assessment has got (a force with findings and nothing published says so);
            # the others, as their own latest publication recorded them (the force-across-years
            # pages show all).
            if year in shown:
                return shown[year]
            if year in chosen:
                shown[year] = with_progress(ws, year, ready_year(ws, year))
            else:
                shown[year] = public_year(ws, year)
            return shown[year]

        def record(folder: Path) -> None:
            files = site_files(folder)
            with store.write() as writer:
                if ready_version(writer, chosen) != rendered:
                    raise OpenpeelError(
                        f"the published judgements, findings or publications of PEEL "
                        f"{', '.join(map(str, chosen))} changed while this publish was rendering "
                        "(someone published, reopened or edited them, or published meanwhile); "
                        "nothing was recorded and the site is as it was: run openpeel publish again"
                    )
                recorded.append(versioning.record(writer, by=by, years=chosen, head=head, files=files))
                # The audit head log ships with the site (after hashing: it holds this publication's
                # own head, written when this transaction commits).
                ship_head_log(writer, folder)

        site = publish_site(
            con,
            chosen,
            out_dir,
            lambda y: year_shown(y).evidence,
            formats=formats,
            pdf=pdf,
            progress=progress,
            judgements_for=lambda y: year_shown(y).judgements,
            progress_for=lambda y: year_shown(y).progress,
            versioning=versioning,
            on_complete=record,
        )
    return PublishRun(site, recorded[0], versioning, head)
