"""Public means published: the one rule every public surface applies.

The static site (`openpeel publish`), the web app's public pages, the national overview and its
counts, the force-across-years pages and the downloads show only judgements an inspector has
published, and only the findings behind them (the findings of a question whose judgement is
published, and the inspections those findings come from). A draft or moderated grade, and the
findings under it, stay in the signed-in workspace. `public_version` says when any of it changes; the API's pages of judgements and findings
are the queries here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from openpeel.assessment.judgements import Judgement, current_judgements
from openpeel.assessment.progress import Progress, progress_of
from openpeel.evidence import EvidenceFile
from openpeel.evidence.store import stored_evidence, stored_force_years
from openpeel.forces import lookup
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


def public_force(
    ws: sa.Connection, force_id: str, year: int
) -> tuple[EvidenceFile | None, dict[str, Judgement]]:
    """One force and year as the public sees it."""
    force_id = lookup(force_id).force_id
    judgements = current_judgements(ws, force_id, year)
    published = {q: j for q, j in judgements.items() if j.state == PUBLISHED}
    evidence = stored_evidence(ws, force_id, year)
    return (public_evidence(evidence, judgements) if evidence else None), published


def force_progress(ws: sa.Connection, force_id: str, year: int) -> Progress:
    """How far one force's assessment has got: counts and states only, for any public surface."""
    force_id = lookup(force_id).force_id
    return progress_of(stored_evidence(ws, force_id, year), current_judgements(ws, force_id, year))


def public_year(ws: sa.Connection, year: int) -> PublicYear:
    """Every force of a year as the public sees it."""
    evidence: dict[str, EvidenceFile] = {}
    judgements: dict[str, dict[str, Judgement]] = {}
    progress: dict[str, Progress] = {}
    for force_id, stored_year in stored_force_years(ws, year):
        stored = current_judgements(ws, force_id, stored_year)
        found = stored_evidence(ws, force_id, stored_year)
        progress[force_id] = progress_of(found, stored)
        shown = public_evidence(found, stored) if found else None
        if shown is not None:
            evidence[force_id] = shown
            judgements[force_id] = {q: j for q, j in stored.items() if j.state == PUBLISHED}
    return PublicYear(evidence, judgements, progress)


def public_version(ws: sa.Connection, force_id: str, year: int) -> str:
    """Changes whenever what the public may see of one force and year changes: the versions of
    its published judgements, of the findings behind them and of its inspections. An inspector's
    edit of a draft leaves it as it was, so public pages are not rebuilt for work in progress."""
    j, f, i = sa_table("as_judgements"), sa_table("ev_findings"), sa_table("ev_inspections")
    published = sa.and_(j.c.force_id == force_id, j.c.year == year, j.c.state == PUBLISHED)
    parts = sa.union_all(
        sa.select(sa.literal("j"), j.c.question_id, j.c.version).where(published),
        sa.select(sa.literal("f"), f.c.finding_id, f.c.version)
        .join_from(
            f,
            j,
            sa.and_(j.c.force_id == f.c.force_id, j.c.year == f.c.year, j.c.question_id == f.c.question_id),
        )
        .where(published),
        sa.select(sa.literal("i"), i.c.inspection_id, i.c.version).where(
            i.c.force_id == force_id, i.c.year == year
        ),
    )
    rows = sorted((str(kind), str(key), int(version)) for kind, key, version in ws.execute(parts))
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


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


def _scoped(query: sa.Select[Any], table: sa.Table, force_id: str | None, year: int | None) -> sa.Select[Any]:
    if force_id is not None:
        query = query.where(table.c.force_id == force_id)
    if year is not None:
        query = query.where(table.c.year == year)
    return query


def published_judgements_query(force_id: str | None = None, year: int | None = None) -> sa.Select[Any]:
    """The published judgements (PUBLIC_JUDGEMENT_COLUMNS), for the API's pages."""
    j = sa_table("as_judgements")
    query = sa.select(*(j.c[c] for c in PUBLIC_JUDGEMENT_COLUMNS)).where(j.c.state == PUBLISHED)
    return _scoped(query, j, force_id, year).order_by(j.c.year, j.c.force_id, j.c.question_id)


def published_findings_query(force_id: str | None = None, year: int | None = None) -> sa.Select[Any]:
    """The findings behind published judgements (PUBLIC_FINDING_COLUMNS) with their inspection."""
    f, i, j = sa_table("ev_findings"), sa_table("ev_inspections"), sa_table("as_judgements")
    query = (
        sa.select(
            f.c.force_id,
            f.c.year,
            f.c.finding_id,
            f.c.question_id,
            f.c.kind,
            f.c.text,
            f.c.topics,
            f.c.inspection_id,
            i.c.title,
            i.c.source,
            f.c.is_exceptional,
        )
        .join_from(
            f,
            i,
            sa.and_(
                i.c.force_id == f.c.force_id, i.c.year == f.c.year, i.c.inspection_id == f.c.inspection_id
            ),
        )
        .join(
            j, sa.and_(j.c.force_id == f.c.force_id, j.c.year == f.c.year, j.c.question_id == f.c.question_id)
        )
        .where(j.c.state == PUBLISHED)
    )
    return _scoped(query, f, force_id, year).order_by(f.c.year, f.c.force_id, f.c.position)
