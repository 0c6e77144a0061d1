"""Public means published, and published means recorded: the one rule every public surface applies.

Publishing is one act. `openpeel judgement publish` (or the workspace's Publish button) marks
judgements ready; nothing public changes until `openpeel publish` records a publication. Every
public surface (the static site, the web app's overview, force, report and download pages, the
JSON API and `openpeel export`) shows the workspace as it stood at the latest publication of the
year: the audit chain head that publication recorded (openpeel.store.state_at). Of that state it
shows only judgements in the state 'published', and only the findings behind them (the findings
of a published question, and the inspections they come from). A year never published shows no
grade at all, only the data-led preview. A judgement published, reopened or changed since, and a
finding edited since, reach nobody until the next `openpeel publish`; the report pages, whose
published versions are frozen, therefore never disagree with the overview or the API.

`ready_year` is the other view: the published state as it is now, which `openpeel publish` puts
before the public and records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa

from openpeel.assessment.judgements import Judgement, current_judgements
from openpeel.assessment.progress import Progress, progress_of
from openpeel.evidence import EvidenceFile
from openpeel.evidence.store import stored_evidence, stored_force_years
from openpeel.forces import lookup
from openpeel.framework import available_years
from openpeel.store.publications import publication_head, publication_version
from openpeel.store.schema import sa_table

PUBLISHED = "published"


@dataclass(frozen=True)
class PublicYear:
    """What the public may see of one PEEL year: evidence and judgements by force id, and how far
    each force with findings has got (counts and states only: assessment/progress.py)."""

    evidence: dict[str, EvidenceFile]
    judgements: dict[str, dict[str, Judgement]]
    progress: dict[str, Progress] = field(default_factory=dict)


def public_evidence(evidence: EvidenceFile, judgements: dict[str, Judgement]) -> EvidenceFile | None:
    """The part of a force's evidence behind its published judgements (None: nothing published)."""
    published = {q for q, j in judgements.items() if j.state == PUBLISHED}
    if not published:
        return None
    findings = tuple(f for f in evidence.findings if f.question in published)
    used = {f.inspection for f in findings}
    inspections = tuple(i for i in evidence.inspections if i.id in used)
    return evidence.model_copy(update={"findings": findings, "inspections": inspections})


def ready_force(
    ws: sa.Connection, force_id: str, year: int, *, at: int | None = None
) -> tuple[EvidenceFile | None, dict[str, Judgement]]:
    """One force and year's published judgements and the evidence behind them, as they are now
    (`at`: as they stood at that audit event)."""
    force_id = lookup(force_id).force_id
    judgements = current_judgements(ws, force_id, year, at=at)
    published = {q: j for q, j in judgements.items() if j.state == PUBLISHED}
    if not published:
        return None, {}
    evidence = stored_evidence(ws, force_id, year, at=at)
    return (public_evidence(evidence, judgements) if evidence else None), published


def ready_year(ws: sa.Connection, year: int, *, at: int | None = None) -> PublicYear:
    """Every force's published judgements of a year and the evidence behind them, as they are
    now (what `openpeel publish` records), or as they stood at audit event `at`."""
    evidence: dict[str, EvidenceFile] = {}
    judgements: dict[str, dict[str, Judgement]] = {}
    for force_id, stored_year in stored_force_years(ws, year, at=at):
        shown, published = ready_force(ws, force_id, stored_year, at=at)
        if shown is not None:
            evidence[force_id] = shown
            judgements[force_id] = published
    return PublicYear(evidence, judgements)


def _progress(ws: sa.Connection, force_id: str, year: int, shown: dict[str, Judgement]) -> Progress:
    """How far the force's assessment has got now. A judgement marked published but not yet in a
    recorded publication counts as waiting for `openpeel publish`, as the public surfaces show it."""
    found = progress_of(stored_evidence(ws, force_id, year), current_judgements(ws, force_id, year))
    states = {q: ("moderated" if s == PUBLISHED and q not in shown else s) for q, s in found.states.items()}
    return replace(found, states=states)


def force_progress(ws: sa.Connection, force_id: str, year: int) -> Progress:
    """How far one force's assessment has got: counts and states only, for any public surface."""
    force_id = lookup(force_id).force_id
    return _progress(ws, force_id, year, public_force(ws, force_id, year)[1])


def public_force(
    ws: sa.Connection, force_id: str, year: int
) -> tuple[EvidenceFile | None, dict[str, Judgement]]:
    """One force and year as the public sees it: as the latest publication of the year recorded it."""
    head = publication_head(ws, year)
    if head is None:
        return None, {}
    return ready_force(ws, force_id, year, at=head)


def with_progress(ws: sa.Connection, year: int, shown: PublicYear) -> PublicYear:
    """`shown` with how far each force of the year with findings has got now, its judgements
    counted as published where `shown` holds them."""
    progress = {
        force_id: _progress(ws, force_id, stored_year, shown.judgements.get(force_id, {}))
        for force_id, stored_year in stored_force_years(ws, year)
    }
    return replace(shown, progress=progress)


def public_year(ws: sa.Connection, year: int) -> PublicYear:
    """Every force of a year as the public sees it: as the latest publication of the year recorded
    it, with how far each force's assessment has got since."""
    head = publication_head(ws, year)
    shown = ready_year(ws, year, at=head) if head is not None else PublicYear({}, {})
    return with_progress(ws, year, shown)


def public_version(ws: sa.Connection) -> str:
    """Changes whenever anything the public may see of the workspace changes: only a new
    publication does, so an inspector's work (drafts, and judgements published but not yet
    recorded) leaves public pages as they are."""
    return publication_version(ws)


def ready_version(ws: sa.Connection, years: Iterable[int]) -> str:
    """Changes whenever what `openpeel publish` would record for `years` changes: the versions of
    their published judgements, of the findings behind them and of the inspections of the forces
    with any, and any publication. A publish compares it at its start and at its record, so it never records a
    state other than the one it rendered."""
    j, f, i = sa_table("as_judgements"), sa_table("ev_findings"), sa_table("ev_inspections")
    chosen = sorted(set(years))
    published = sa.and_(j.c.year.in_(chosen), j.c.state == PUBLISHED)
    parts = sa.union_all(
        sa.select(sa.literal("j"), j.c.force_id, j.c.year, j.c.question_id, j.c.version).where(published),
        sa.select(sa.literal("f"), f.c.force_id, f.c.year, f.c.finding_id, f.c.version)
        .join_from(
            f,
            j,
            sa.and_(j.c.force_id == f.c.force_id, j.c.year == f.c.year, j.c.question_id == f.c.question_id),
        )
        .where(published),
        sa.select(sa.literal("i"), i.c.force_id, i.c.year, i.c.inspection_id, i.c.version).where(
            i.c.year.in_(chosen),
            sa.tuple_(i.c.force_id, i.c.year).in_(sa.select(j.c.force_id, j.c.year).where(published)),
        ),
    )
    rows = sorted((str(k), str(force), int(y), str(key), int(v)) for k, force, y, key, v in ws.execute(parts))
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
    return f"{digest}|{publication_version(ws)}"


PUBLIC_JUDGEMENT_COLUMNS = (
    "force_id",
    "year",
    "question_id",
    "pillar_id",
    "is_graded",
    "is_inspected",
    "state",
    "proposed_grade",
    "current_grade",
    "is_overridden",
    "rationale",
    "rubric_id",
    "updated_at",
)
PUBLIC_FINDING_COLUMNS = (
    "force_id",
    "year",
    "finding_id",
    "question_id",
    "kind",
    "text",
    "topics",
    "inspection_id",
    "inspection_title",
    "inspection_source",
    "is_exceptional",
)


def _public(ws: sa.Connection, force_id: str | None, year: int | None) -> Iterable[tuple[int, PublicYear]]:
    """Each published year (or `year`) as the public sees it, of every force or of `force_id`."""
    for y in available_years():
        if year is not None and y != year:
            continue
        if force_id is None:
            yield y, public_year(ws, y)
            continue
        evidence, judgements = public_force(ws, force_id, y)
        if evidence is not None:
            yield y, PublicYear({force_id: evidence}, {force_id: judgements})


def public_judgement_rows(
    ws: sa.Connection, force_id: str | None = None, year: int | None = None
) -> list[tuple[Any, ...]]:
    """The public judgements (PUBLIC_JUDGEMENT_COLUMNS), ordered by year, force and question id."""
    rows = []
    for _y, public in _public(ws, force_id, year):
        for _force, by_question in sorted(public.judgements.items()):
            rows += [
                tuple(getattr(j, c) for c in PUBLIC_JUDGEMENT_COLUMNS)
                for _q, j in sorted(by_question.items())
            ]
    return rows


def public_finding_rows(
    ws: sa.Connection, force_id: str | None = None, year: int | None = None
) -> list[tuple[Any, ...]]:
    """The findings behind public judgements (PUBLIC_FINDING_COLUMNS), with their inspection,
    ordered by year, force and place in the evidence."""
    rows: list[tuple[Any, ...]] = []
    for y, public in _public(ws, force_id, year):
        for force, evidence in sorted(public.evidence.items()):
            for finding in evidence.findings:
                inspection = evidence.inspection(finding.inspection)
                rows.append(
                    (
                        force, y, finding.id, finding.question, finding.kind, finding.text,
                        list(finding.topics), inspection.id, inspection.title, inspection.source,
                        finding.is_exceptional,
                    )
                )  # fmt: skip
    return rows
