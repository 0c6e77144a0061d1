"""Judgements: per force, PEEL year and question, the proposed and current grade and its state.

A judgement starts as a draft holding the rubric's proposal. An inspector confirms the proposal
or overrides it with a rationale; the grade is then moderated and published:

    draft --moderate--> moderated --publish--> published
      ^                     |                     |
      +------ reopen, or a confirm / override ----+   (published: only with a reason)

Ungraded questions carry narrative only (no grade, but they move through the same states), and a
question whose inspection kinds have no inspection in the evidence is recorded as not inspected.
Every write goes through `audit.apply_change`, so each one is an audit event.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import replace

import duckdb
import sqlalchemy as sa

from openpeel.assessment.attribution import attributions
from openpeel.assessment.judgement_model import Judgement as Judgement
from openpeel.assessment.judgement_model import judgement_from_row
from openpeel.assessment.rubric import Proposal, propose_grades
from openpeel.core.errors import OpenpeelError, UnknownNameError
from openpeel.evidence.models import EvidenceFile
from openpeel.forces import lookup
from openpeel.framework import Framework, Question, load_framework
from openpeel.store import transaction
from openpeel.store.audit import (
    AuditEvent,
    Snapshot,
    apply_change,
    check_version,
    read_row,
    read_rows,
    require_actor,
)
from openpeel.store.state_at import rows_at

STATES = ("draft", "moderated", "published")


def _question_order(framework: Framework) -> dict[str, int]:
    return {q.id: n for n, q in enumerate(framework.questions())}


def current_judgements(
    ws: sa.Connection, force_id: str, year: int, *, at: int | None = None
) -> dict[str, Judgement]:
    """Every stored judgement of a force and year, by question id, in framework order; `at`: as
    they stood at that audit event (openpeel.store.state_at).

    Empty when no evidence for the force and year has been assessed. Reports show
    `current_grade` (None until an inspector confirms or overrides) with `state`.
    """
    force_id = lookup(force_id).force_id
    order = _question_order(load_framework(year))
    rows = rows_at(ws, "judgement", force_id, year, at)
    credits = attributions(ws, force_id, year, at=at) if rows else {}
    items = sorted(
        (replace(judgement_from_row(r), attribution=credits.get(r["question_id"])) for r in rows.values()),
        key=lambda j: order.get(j.question_id, len(order)),
    )
    return {j.question_id: j for j in items}


def judgements_for_year(ws: sa.Connection, year: int) -> list[Judgement]:
    order = _question_order(load_framework(year))
    rows = read_rows(ws, "judgement", None, year)
    return sorted(
        (judgement_from_row(r) for r in rows.values()),
        key=lambda j: (j.force_id, order.get(j.question_id, len(order))),
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _question(framework: Framework, question_id: str) -> Question:
    try:
        return framework.question(question_id)
    except KeyError:
        import difflib

        ids = [q.id for q in framework.questions()]
        raise UnknownNameError(
            f"question of {framework.title}", question_id, difflib.get_close_matches(question_id, ids, n=2)
        ) from None


def _is_inspected(question: Question, evidence: EvidenceFile) -> bool:
    kinds = {i.kind for i in evidence.inspections}
    return bool(kinds & set(question.inspection_kinds)) or any(
        f.question == question.id for f in evidence.findings
    )


_UPDATE_FIELDS = ("updated_by", "updated_at")


def _same(a: Snapshot | None, b: Snapshot) -> bool:
    return a is not None and all(a[k] == b[k] for k in b if k not in _UPDATE_FIELDS)


def record_proposals(
    ws: sa.Connection,
    force_id: str,
    year: int,
    proposals: dict[str, Proposal],
    evidence: EvidenceFile,
    *,
    by: str,
) -> list[AuditEvent]:
    """Store the rubric's proposals as draft judgements, one per question of every pillar.

    Moderated and published judgements are left alone. A draft keeps an inspector's override;
    a confirmation stands only while the proposal it confirmed is unchanged. Nothing is written
    (and no event recorded) when nothing changed.
    """
    require_actor(by)
    force_id = lookup(force_id).force_id
    framework = load_framework(year)
    out: list[AuditEvent] = []
    with transaction(ws):
        for pillar in framework.pillars:
            for question in pillar.questions:
                key = (force_id, year, question.id)
                existing = read_row(ws, "judgement", key)
                if existing is not None and existing["state"] != "draft":
                    continue
                proposal = proposals.get(question.id) if question.graded else None
                proposed = proposal.grade if proposal else None
                row: Snapshot = {
                    "force_id": force_id,
                    "year": year,
                    "question_id": question.id,
                    "pillar_id": pillar.id,
                    "is_graded": question.graded,
                    "is_inspected": _is_inspected(question, evidence),
                    "state": "draft",
                    "proposed_grade": proposed,
                    "current_grade": None,
                    "is_overridden": False,
                    "rationale": None,
                    "rubric_id": proposal.rubric_id if proposal else None,
                    "proposal_json": json.dumps(proposal.as_json(), sort_keys=True) if proposal else None,
                }
                if existing is not None:
                    if existing["is_overridden"]:
                        row.update(
                            current_grade=existing["current_grade"],
                            is_overridden=proposed != existing["current_grade"],
                            rationale=existing["rationale"],
                        )
                    elif existing["current_grade"] is not None and existing["current_grade"] == proposed:
                        row["current_grade"] = proposed
                if _same(existing, row):
                    continue
                row.update(updated_by=by, updated_at=_now().isoformat())
                event = apply_change(ws, "judgement", key, row, by=by, action="propose")
                if event is not None:
                    out.append(event)
    return out


def propose_and_record(
    con: duckdb.DuckDBPyConnection, ws: sa.Connection, force_id: str, year: int, *, by: str
) -> list[AuditEvent]:
    """Run the rubric on the stored evidence (workspace `ws`) and the indicators (warehouse `con`),
    and record the drafts (none without evidence)."""
    from openpeel.evidence.store import stored_evidence
    from openpeel.indicators.query import values_by_indicator

    evidence = stored_evidence(ws, force_id, year)
    if evidence is None:
        return []
    framework = load_framework(year)
    force_id = lookup(force_id).force_id
    proposals = propose_grades(
        framework, evidence, values_by_indicator(con, framework, force_id), pillars=None
    )
    return record_proposals(ws, force_id, year, proposals, evidence, by=by)


def _get(ws: sa.Connection, force_id: str, year: int, question_id: str) -> Snapshot:
    force_id = lookup(force_id).force_id
    _question(load_framework(year), question_id)
    row = read_row(ws, "judgement", (force_id, year, question_id))
    if row is None:
        raise OpenpeelError(
            f"no judgement for {force_id}, PEEL {year}, {question_id}: import evidence for the force "
            "and run `openpeel judgement propose` (or `openpeel build`) first"
        )
    return row


def _why(reason: str | None) -> str:
    return (reason or "").strip()


def _guard_published(row: Snapshot, reason: str | None) -> None:
    if row["state"] == "published" and not _why(reason):
        raise OpenpeelError(
            f"{row['question_id']} for {row['force_id']} {row['year']} is published; changing it needs a "
            "reason (--reason TEXT), which the audit trail keeps"
        )


def _write(
    ws: sa.Connection,
    row: Snapshot,
    *,
    by: str,
    action: str,
    reason: str | None,
    expected_version: int | None = None,
) -> AuditEvent:
    """`expected_version`: the version the person's form showed; a newer stored one is refused."""
    row = {**row, "updated_by": require_actor(by), "updated_at": _now().isoformat()}
    key = (row["force_id"], row["year"], row["question_id"])
    event = apply_change(
        ws, "judgement", key, row, by=by, action=action, reason=reason, expected_version=expected_version
    )
    if event is None:
        # The same person repeating a change within the second it was made: nothing to record.
        raise OpenpeelError(
            f"{row['question_id']} for {row['force_id']} {row['year']} already stands as asked; nothing changed"
        )
    return event


def _graded(row: Snapshot) -> None:
    if not row["is_graded"]:
        raise OpenpeelError(
            f"{row['question_id']} is not graded in PEEL {row['year']}: it carries narrative only"
        )


def confirm(
    ws: sa.Connection,
    force_id: str,
    year: int,
    question_id: str,
    *,
    by: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> AuditEvent:
    """Accept the rubric's proposed grade as the current grade (back to draft if it was moderated or published)."""
    with transaction(ws):
        row = _get(ws, force_id, year, question_id)
        _graded(row)
        _guard_published(row, reason)
        if row["proposed_grade"] is None:
            raise OpenpeelError(
                f"the rubric proposed no grade for {question_id} (no findings); set one with "
                "`openpeel judgement override ... --reason TEXT`"
            )
        new = {
            **row,
            "current_grade": row["proposed_grade"],
            "is_overridden": False,
            "rationale": None,
            "state": "draft",
        }
        return _write(ws, new, by=by, action="confirm", reason=reason, expected_version=expected_version)


def override(
    ws: sa.Connection,
    force_id: str,
    year: int,
    question_id: str,
    grade: str,
    *,
    by: str,
    reason: str | None,
    expected_version: int | None = None,
) -> AuditEvent:
    """Set the current grade against (or without) the proposal; the rationale is required and kept."""
    framework = load_framework(year)
    grades = [g.id for g in framework.grade_scale]
    if not grade.strip():
        # The workspace's list starts on an empty "Choose a grade", so a slip never sets a grade.
        raise OpenpeelError(f"choose a grade to set: one of {', '.join(grades)}")
    if grade not in grades:
        import difflib

        raise UnknownNameError(
            "grade", grade, difflib.get_close_matches(grade, grades, n=1, cutoff=0.4) or grades
        )
    rationale = _why(reason)
    if not rationale:
        raise OpenpeelError("an override needs a rationale: say why with --reason TEXT")
    with transaction(ws):
        row = _get(ws, force_id, year, question_id)
        _graded(row)
        new = {
            **row,
            "current_grade": grade,
            "is_overridden": grade != row["proposed_grade"],
            "rationale": rationale,
            "state": "draft",
        }
        return _write(ws, new, by=by, action="override", reason=rationale, expected_version=expected_version)


def _targets(ws: sa.Connection, force_id: str, year: int, question_id: str | None) -> list[Snapshot]:
    if question_id is not None:
        return [_get(ws, force_id, year, question_id)]
    force_id = lookup(force_id).force_id
    rows = list(read_rows(ws, "judgement", force_id, year).values())
    if not rows:
        raise OpenpeelError(
            f"no judgements for {force_id}, PEEL {year}; run `openpeel judgement propose` first"
        )
    order = _question_order(load_framework(year))
    return sorted(rows, key=lambda r: order.get(r["question_id"], len(order)))


def _unchanged_since(
    ws: sa.Connection, rows: list[Snapshot], seen: Mapping[str, int] | None
) -> list[Snapshot]:
    """The rows, if each is still at the version the person's page showed (`seen`, by question)."""
    for row in rows:
        key = (row["force_id"], row["year"], row["question_id"])
        check_version(ws, "judgement", key, row, (seen or {}).get(row["question_id"]))
    return rows


def moderate(
    ws: sa.Connection,
    force_id: str,
    year: int,
    question_id: str | None = None,
    *,
    by: str,
    reason: str | None = None,
    expected_versions: Mapping[str, int] | None = None,
) -> list[AuditEvent]:
    """Mark draft judgements moderated (one question, or all drafts of the force and year).

    A graded question the rubric proposed a grade for must first be confirmed or overridden.
    """
    out = []
    with transaction(ws):
        targets = _unchanged_since(ws, _targets(ws, force_id, year, question_id), expected_versions)
        rows = [r for r in targets if question_id or r["state"] == "draft"]
        blocked = []
        for row in rows:
            if row["state"] != "draft":
                raise OpenpeelError(
                    f"{row['question_id']} is {row['state']}, not draft; only drafts are moderated"
                )
            if row["is_graded"] and row["proposed_grade"] and not row["current_grade"]:
                blocked.append(row["question_id"])
        if blocked:
            raise OpenpeelError(
                f"confirm or override the proposed grade first: {', '.join(blocked)} "
                "(openpeel judgement confirm|override)"
            )
        if not rows:
            raise OpenpeelError("no draft judgements to moderate")
        for row in rows:
            out.append(_write(ws, {**row, "state": "moderated"}, by=by, action="moderate", reason=reason))
    return out


def publish(
    ws: sa.Connection,
    force_id: str,
    year: int,
    question_id: str | None = None,
    *,
    by: str,
    reason: str | None = None,
    expected_versions: Mapping[str, int] | None = None,
) -> list[AuditEvent]:
    """Publish moderated judgements (one question, or all moderated ones of the force and year)."""
    out = []
    with transaction(ws):
        targets = _unchanged_since(ws, _targets(ws, force_id, year, question_id), expected_versions)
        rows = [r for r in targets if question_id or r["state"] == "moderated"]
        for row in rows:
            if row["state"] != "moderated":
                raise OpenpeelError(
                    f"{row['question_id']} is {row['state']}; only moderated judgements are published"
                )
        if not rows:
            raise OpenpeelError("no moderated judgements to publish; moderate them first")
        for row in rows:
            out.append(_write(ws, {**row, "state": "published"}, by=by, action="publish", reason=reason))
    return out


def reopen(
    ws: sa.Connection,
    force_id: str,
    year: int,
    question_id: str | None = None,
    *,
    by: str,
    reason: str | None,
) -> list[AuditEvent]:
    """Return moderated or published judgements to draft; the reason is required."""
    why = _why(reason)
    if not why:
        raise OpenpeelError("reopening a judgement needs a reason (--reason TEXT)")
    out = []
    with transaction(ws):
        rows = [r for r in _targets(ws, force_id, year, question_id) if r["state"] != "draft"]
        if not rows:
            raise OpenpeelError("nothing to reopen: the judgements are drafts already")
        for row in rows:
            out.append(_write(ws, {**row, "state": "draft"}, by=by, action="reopen", reason=why))
    return out


def record_all(
    con: duckdb.DuckDBPyConnection, ws: sa.Connection, force_years: Iterable[tuple[str, int]], *, by: str
) -> list[AuditEvent]:
    out: list[AuditEvent] = []
    with transaction(ws):
        for force_id, year in force_years:
            out += propose_and_record(con, ws, force_id, year, by=by)
    return out
