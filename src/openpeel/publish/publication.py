"""Which version of each report the public gets, and the record `openpeel publish` leaves.

A force's report for a year is frozen from the first time it carries a published judgement: a
later `openpeel publish` writes the stored content again, whatever the data or findings have
become since. It gets a new version only when its published judgements changed, that is, a
judgement was reopened, moderated and published again (or one more was published); while a
judgement it showed is reopened and not yet republished, the old version stays. The new version
says when it was published and why it changed (`publish --note`, else the reopening reasons).
A report with no published judgement is a data-led preview, rebuilt each time and never versioned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlalchemy as sa

from openpeel.assessment.judgements import Judgement
from openpeel.assessment.public import PUBLISHED
from openpeel.publish.model import Report
from openpeel.publish.render import EXTENSIONS, Format, render
from openpeel.store.audit import ChainHead, events
from openpeel.store.publications import (
    NewVersion,
    Publication,
    ReportVersion,
    read_blob,
    record_publication,
    report_versions,
)


def published_versions(judgements: Mapping[str, Judgement]) -> dict[str, int]:
    """Question id to edit version of each published judgement: what a report version shows."""
    return {q: j.version for q, j in judgements.items() if j.state == PUBLISHED}


def version_path(force_id: str, version: int, fmt: Format) -> str:
    return f"{force_id}.v{version}.{EXTENSIONS[fmt]}"


@dataclass
class Versioning:
    """Decides, per report, between the stored version and a new one, during one `openpeel publish`."""

    ws: sa.Connection
    note: str | None = None
    today: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())
    new: list[NewVersion] = field(default_factory=list)
    _versions: dict[tuple[str, int], list[ReportVersion]] = field(default_factory=dict)

    def history(self, force_id: str, year: int) -> list[ReportVersion]:
        key = (force_id, year)
        if key not in self._versions:
            self._versions[key] = report_versions(self.ws, force_id, year)
        return self._versions[key]

    def is_versioned(self, force_id: str, year: int) -> bool:
        return bool(self.history(force_id, year)) or any(
            (n.force_id, n.year) == (force_id, year) for n in self.new
        )

    def _change_note(self, force_id: str, year: int, since: ReportVersion) -> str:
        if self.note:
            return self.note
        reasons = [
            e.reason
            for e in events(self.ws, force_id=force_id, year=year, entities=["judgement"])
            if e.action == "reopen" and e.reason and e.recorded_at >= since.published_at
        ]
        unique = list(dict.fromkeys(reasons))
        return "; ".join(unique) if unique else "judgements published again"

    def texts(
        self,
        report: Report,
        judgements: Mapping[str, Judgement],
        formats: Sequence[Format],
        nav: Sequence[tuple[str, str]],
    ) -> dict[Format, str]:
        """The report in each format as the public is to see it now."""
        history = self.history(report.force_id, report.year)
        shown = published_versions(judgements)
        latest = history[-1] if history else None
        if latest is not None:
            pending = [q for q in latest.judgements if q not in shown]
            if pending or shown == latest.judgements:
                return self.stored_texts(latest, formats)
        if not shown:
            return {fmt: render(report, fmt, nav=nav if fmt == "html" else ()) for fmt in formats}
        number = latest.version + 1 if latest else 1
        versioned = replace(
            report,
            version=number,
            last_updated=self.today,
            is_data_led=False,
            change_note=self._change_note(report.force_id, report.year, latest) if latest else None,
            earlier_versions=tuple((v.version, v.published_at.date()) for v in history),
        )
        texts = {fmt: render(versioned, fmt, nav=nav if fmt == "html" else ()) for fmt in formats}
        self.new.append(
            NewVersion(
                report.force_id,
                report.year,
                number,
                versioned.change_note,
                shown,
                {EXTENSIONS[fmt]: text.encode("utf-8") for fmt, text in texts.items()},
            )
        )
        return texts

    def stored_texts(self, version: ReportVersion, formats: Sequence[Format]) -> dict[Format, str]:
        return {
            fmt: read_blob(self.ws, version.files[EXTENSIONS[fmt]]).decode("utf-8")
            for fmt in formats
            if EXTENSIONS[fmt] in version.files
        }

    def earlier_files(self, force_id: str, year: int, formats: Sequence[Format]) -> dict[str, str]:
        """FORCE.vN.EXT for every version, stored or new in this run: old versions stay retrievable."""
        out: dict[str, str] = {}
        for version in self.history(force_id, year):
            for fmt, text in self.stored_texts(version, formats).items():
                out[version_path(force_id, version.version, fmt)] = text
        for new in self.new:
            if (new.force_id, new.year) == (force_id, year):
                for fmt in formats:
                    data = new.contents.get(EXTENSIONS[fmt])
                    if data is not None:
                        out[version_path(force_id, new.version, fmt)] = data.decode("utf-8")
        return out

    def record(
        self,
        conn: sa.Connection,
        *,
        by: str,
        years: Sequence[int],
        head: ChainHead,
        files: Mapping[str, bytes],
    ) -> Publication:
        """Append the publication through `conn` (a short write transaction of its own, apart from
        the snapshot the site was read from): every file hashed, the downloads kept."""
        return record_publication(
            conn,
            by=by,
            years=years,
            note=self.note,
            head=head,
            files=files,
            versions=self.new,
            kept=[f"{y}/downloads/" for y in years],
        )


def site_files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by its path relative to it: what a publication hashes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }
