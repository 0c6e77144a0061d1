"""What the workspace's forms do, as plain functions over the evidence store and judgements.

Every write goes through the evidence store or the judgement functions, so each change is an
audited event; after a change to findings the rubric runs again and records its new proposals.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import duckdb
import sqlalchemy as sa

from openpeel.assessment.judgements import propose_and_record
from openpeel.core.errors import ConflictError, InputError
from openpeel.evidence.models import FINDING_KINDS, EvidenceFile, Finding, Inspection
from openpeel.evidence.store import import_evidence, stored_evidence
from openpeel.forces import get_force
from openpeel.framework import load_framework
from openpeel.indicators import catalogue

SOURCE = "web workspace"


def _evidence(ws: sa.Connection, force_id: str, year: int) -> EvidenceFile:
    found = stored_evidence(ws, force_id, year)
    return found or EvidenceFile(force=force_id, year=year, inspections=(), findings=())


def _text(form: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = str(form.get(name, "")).strip()
    if required and not value:
        raise InputError("this field is required", field=name)
    return value


def _list(form: dict[str, Any], name: str) -> tuple[str, ...]:
    raw = form.get(name, ())
    items = raw if isinstance(raw, list | tuple) else [raw]
    return tuple(str(i).strip() for i in items if str(i).strip())


def _new_id(prefix: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", prefix.lower()).strip("-") or "item"
    n = 1
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def finding_from_form(evidence: EvidenceFile, form: dict[str, Any], finding_id: str) -> Finding:
    framework = load_framework(evidence.year)
    question = _text(form, "question")
    if question not in {q.id for q in framework.questions()}:
        raise InputError(f"unknown question {question!r} for PEEL {evidence.year}", field="question")
    kind = _text(form, "kind")
    if kind not in FINDING_KINDS:
        raise InputError(
            f"unknown finding kind {kind!r}; choose one of {', '.join(FINDING_KINDS)}", field="kind"
        )
    inspection = _text(form, "inspection")
    if inspection not in {i.id for i in evidence.inspections}:
        raise InputError(f"unknown inspection {inspection!r}: add the inspection first", field="inspection")
    topics = _list(form, "topics")
    unknown = [t for t in topics if t not in framework.topics]
    if unknown:
        raise InputError(f"unknown topic(s): {', '.join(unknown)}", field="topics")
    indicator_ids = {i.id for i in catalogue().indicators}
    explains = _list(form, "explains")
    if any(i not in indicator_ids for i in explains):
        raise InputError("unknown indicator in 'explains'", field="explains")
    indicators = _list(form, "indicators")
    if any(i not in indicator_ids for i in indicators):
        raise InputError("unknown indicator in 'indicators'", field="indicators")
    return Finding(
        id=finding_id,
        inspection=inspection,
        question=question,
        kind=kind,
        # A browser sends a textarea's line breaks as CRLF.
        text=_text(form, "text").replace("\r\n", "\n"),
        topics=topics,
        indicators=indicators,
        explains=explains,
        source_ref=_text(form, "source_ref", required=False) or None,
        is_exceptional=form.get("is_exceptional") == "on",
        is_resolved=form.get("is_resolved") == "on",
        in_overview=form.get("in_overview") == "on",
    )


def _as_stored(finding: Finding, stored: Finding) -> Finding:
    """`finding` as posted, with what a form cannot carry exactly taken from the stored one when
    the form left it as it was: the order of topics and indicators (checkboxes and lists come back
    in the page's order) and the text's surrounding white space. Re-saving an unchanged form then
    changes nothing."""
    same: dict[str, object] = {}
    for name in ("topics", "indicators", "explains"):
        if set(getattr(finding, name)) == set(getattr(stored, name)):
            same[name] = getattr(stored, name)
    if finding.text == stored.text.replace("\r\n", "\n").strip():
        same["text"] = stored.text
    return finding.model_copy(update=same)


def save_finding(
    con: duckdb.DuckDBPyConnection,
    ws: sa.Connection,
    force_id: str,
    year: int,
    form: dict[str, Any],
    *,
    by: str,
    finding_id: str | None = None,
    expected_version: int | None = None,
) -> str:
    """Add a finding (finding_id None) or replace one; then re-run the rubric. Returns the finding's id.

    `expected_version` is the version the edit form was rendered from: if someone saved the
    finding since, the change is refused (ConflictError) rather than silently overwriting theirs."""
    evidence = _evidence(ws, force_id, year)
    taken = {f.id for f in evidence.findings}
    if finding_id is not None and finding_id not in taken:
        raise InputError(f"no finding {finding_id!r} for {force_id} {year}")
    new_id = finding_id or _new_id(str(form.get("question", "finding")), taken)
    finding = finding_from_form(evidence, form, new_id)
    if finding_id is None:
        findings = (*evidence.findings, finding)
    else:
        findings = tuple(_as_stored(finding, f) if f.id == finding_id else f for f in evidence.findings)
    reason = str(form.get("reason", "")).strip() or None
    expected = {("finding", new_id): expected_version} if expected_version is not None else None
    import_evidence(
        ws,
        evidence.model_copy(update={"findings": findings}),
        by=by,
        reason=reason,
        source=SOURCE,
        expected_versions=expected,
    )
    propose_and_record(con, ws, force_id, year, by=by)
    return new_id


def required_version(form: dict[str, Any]) -> int:
    """The edit version an edit form must carry: without it the change could overwrite a newer
    one unseen, so it is refused (409) rather than applied."""
    version = form_version(form)
    if version is None:
        raise ConflictError(
            "this form carries no version, so it cannot be told whether someone changed the item "
            "since it was opened; nothing was saved: open it again and make your change there"
        )
    return version


def form_version(form: dict[str, Any], name: str = "version") -> int | None:
    """The edit version a form was rendered from (None: the form carries none)."""
    raw = str(form.get(name, "") or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise InputError(f"version {raw!r} is not a number", field=name)
    return int(raw)


def form_versions(form: dict[str, Any]) -> dict[str, int]:
    """`versions` of a moderate or publish form: "question:version" pairs, one per judgement shown."""
    out: dict[str, int] = {}
    for pair in str(form.get("versions", "") or "").split():
        question, _, version = pair.partition(":")
        if not version.isdigit():
            raise InputError(f"bad version {pair!r}", field="versions")
        out[question] = int(version)
    return out


def add_inspection(
    con: duckdb.DuckDBPyConnection,
    ws: sa.Connection,
    force_id: str,
    year: int,
    form: dict[str, Any],
    *,
    by: str,
) -> str:
    evidence = _evidence(ws, force_id, year)
    framework = load_framework(year)
    kind = _text(form, "kind")
    if kind not in {k.id for k in framework.inspection_kinds}:
        raise InputError(f"unknown inspection kind {kind!r} for PEEL {year}", field="kind")
    published_text = _text(form, "published", required=False)
    try:
        published = dt.date.fromisoformat(published_text) if published_text else None
    except ValueError:
        raise InputError(f"date {published_text!r} is not YYYY-MM-DD", field="published") from None
    inspection_id = _new_id(f"{kind}-{year}", {i.id for i in evidence.inspections})
    inspection = Inspection(
        id=inspection_id,
        kind=kind,
        title=_text(form, "title"),
        published=published,
        source=_text(form, "source"),
        summary=_text(form, "summary", required=False) or None,
    )
    reason = str(form.get("reason", "")).strip() or None
    updated = evidence.model_copy(update={"inspections": (*evidence.inspections, inspection)})
    import_evidence(ws, updated, by=by, reason=reason, source=SOURCE)
    propose_and_record(con, ws, get_force(force_id).force_id, year, by=by)
    return inspection_id
