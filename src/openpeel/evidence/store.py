"""The evidence store: inspections and findings in the workspace store, imported and exported as YAML or CSV.

An import makes the stored evidence for each force and year in the input exactly what the input
says: new items are added, changed ones updated, missing ones removed, each change one audit
event. Importing the same file again changes nothing and records nothing. All inputs are read and
validated before anything is written, and the writes happen in one transaction, so an invalid
file, or a failure half-way, leaves the warehouse as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from openpeel.core.errors import InputError, LockedError, OpenpeelError
from openpeel.evidence.csv_format import read_evidence_csv, write_evidence_csv
from openpeel.evidence.loader import load_evidence_file
from openpeel.evidence.models import EvidenceFile, Finding, Inspection
from openpeel.forces import lookup
from openpeel.store import transaction
from openpeel.store.audit import AuditEvent, Entity, Snapshot, apply_change, read_rows, require_actor
from openpeel.store.audit_bulk import apply_changes
from openpeel.store.schema import sa_table
from openpeel.store.state_at import rows_at


@dataclass
class ImportResult:
    force_id: str
    year: int
    source: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    events: list[AuditEvent] = field(default_factory=list)

    @property
    def is_unchanged(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def summary(self) -> str:
        if self.is_unchanged:
            return f"{self.force_id} {self.year}: unchanged ({self.source})"
        parts = [
            f"{len(v)} {k}"
            for k, v in (("added", self.added), ("changed", self.changed), ("removed", self.removed))
            if v
        ]
        return f"{self.force_id} {self.year}: {', '.join(parts)} ({self.source})"


def read_evidence(path: Path) -> list[EvidenceFile]:
    """Evidence from a YAML file, or from a folder (or a file inside it) of inspections.csv and findings.csv."""
    if path.is_dir():
        return read_evidence_csv(path)
    if path.suffix.lower() == ".csv":
        return read_evidence_csv(path.parent)
    if path.suffix.lower() in (".yaml", ".yml"):
        return [load_evidence_file(path)]
    raise InputError(
        "expected a .yaml evidence file or a folder of inspections.csv and findings.csv", path=path
    )


def _inspection_row(force_id: str, year: int, position: int, inspection: Inspection) -> Snapshot:
    data = inspection.model_dump(mode="json")
    return {
        "force_id": force_id,
        "year": year,
        "inspection_id": data.pop("id"),
        "position": position,
        **data,
    }


def _finding_row(force_id: str, year: int, position: int, finding: Finding) -> Snapshot:
    data = finding.model_dump(mode="json")
    return {
        "force_id": force_id,
        "year": year,
        "finding_id": data.pop("id"),
        "position": position,
        "inspection_id": data.pop("inspection"),
        "question_id": data.pop("question"),
        **data,
    }


def published_questions(ws: sa.Connection, force_id: str, year: int) -> list[str]:
    j = sa_table("as_judgements").c
    rows = ws.execute(
        sa.select(j.question_id)
        .where(j.force_id == force_id, j.year == year, j.state == "published")
        .order_by(j.question_id)
    )
    return [str(r[0]) for r in rows]


def _moved_only(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    return {**before, "position": 0} == {**after, "position": 0}


def _refuse_locked(
    force_id: str,
    year: int,
    plan: Sequence[tuple[Entity, str, Snapshot | None]],
    stored: Mapping[str, Mapping[str, Mapping[str, Any]]],
    wanted: Mapping[str, Mapping[str, Snapshot]],
    published: Sequence[str],
) -> None:
    """Refuse a change to the findings behind a published judgement, or to their inspections: what
    was published stays as published until the judgement is reopened (with a reason)."""
    if not published:
        return
    findings = [*stored["finding"].values(), *wanted["finding"].values()]
    touched: set[str] = set()
    for entity, item_id, _after in plan:
        before, after = stored[entity].get(item_id), wanted[entity].get(item_id)
        if before is not None and after is not None and _moved_only(before, after):
            # Removing an earlier item renumbers the ones after it; their content is untouched.
            continue
        if entity == "finding":
            rows = [r for r in (before, after) if r]
        else:
            rows = [f for f in findings if f["inspection_id"] == item_id]
        touched |= {str(r["question_id"]) for r in rows}
    locked = sorted(touched & set(published))
    if locked:
        names = ", ".join(f"{q} ({force_id} {year})" for q in locked)
        raise LockedError(
            f"the judgement of {names} is published, so the findings behind it are locked; reopen it "
            f"first (openpeel judgement reopen {force_id} {locked[0]} --year {year} --by NAME "
            "--reason TEXT), then change the findings, moderate and publish again"
        )


def _import_one(
    ws: sa.Connection,
    evidence: EvidenceFile,
    *,
    by: str,
    reason: str | None,
    source: str,
    bulk: bool,
    expected: Mapping[tuple[str, str], int],
) -> ImportResult:
    force_id = lookup(evidence.force).force_id
    year = evidence.year
    result = ImportResult(force_id, year, source)
    wanted: dict[str, dict[str, Snapshot]] = {
        "inspection": {
            i.id: _inspection_row(force_id, year, n, i) for n, i in enumerate(evidence.inspections, 1)
        },
        "finding": {f.id: _finding_row(force_id, year, n, f) for n, f in enumerate(evidence.findings, 1)},
    }
    # The stored edit version is the store's bookkeeping, not part of the evidence compared.
    stored = {
        entity: {
            key[2]: {k: v for k, v in row.items() if k != "version"}
            for key, row in read_rows(ws, entity, force_id, year).items()
        }
        for entity in ("inspection", "finding")
    }
    plan: list[tuple[Entity, str, Snapshot | None]] = []
    kinds: tuple[Entity, Entity] = ("inspection", "finding")
    for entity in kinds:
        for item_id, row in wanted[entity].items():
            if stored[entity].get(item_id) != row:
                plan.append((entity, item_id, row))
                (result.changed if item_id in stored[entity] else result.added).append(f"{entity} {item_id}")
    # Findings go before the inspections they point at.
    for entity in reversed(kinds):
        for item_id in stored[entity]:
            if item_id not in wanted[entity]:
                plan.append((entity, item_id, None))
                result.removed.append(f"{entity} {item_id}")
    if not plan:
        return result
    _refuse_locked(force_id, year, plan, stored, wanted, published_questions(ws, force_id, year))
    why = (reason or "").strip() or f"imported from {source}"
    if bulk:
        # Same rows and events as one apply_change per item, in a few statements (audit_bulk).
        changes = [(entity, (force_id, year, item_id), after) for entity, item_id, after in plan]
        versions = {(e, (force_id, year, i)): v for (e, i), v in expected.items()}
        result.events += apply_changes(
            ws, changes, by=by, action="import", reason=why, expected_versions=versions
        )
        return result
    for entity, item_id, after in plan:
        event = apply_change(
            ws,
            entity,
            (force_id, year, item_id),
            after,
            by=by,
            action="import",
            reason=why,
            expected_version=expected.get((entity, item_id)),
        )
        if event is not None:
            result.events.append(event)
    return result


def import_evidence(
    ws: sa.Connection,
    evidence: Sequence[EvidenceFile] | EvidenceFile,
    *,
    by: str,
    reason: str | None = None,
    source: str = "evidence given in Python",
    bulk: bool = True,
    expected_versions: Mapping[tuple[str, str], int] | None = None,
) -> list[ImportResult]:
    """Make the store hold exactly this evidence for each of its forces and years, in one transaction.

    `bulk=False` writes one change at a time through `apply_change` (the reference the bulk path
    is tested and benchmarked against). `expected_versions` ((entity, item id) -> version, e.g.
    from an edit form) refuses the change of an item stored at another version (ConflictError)."""
    require_actor(by)
    items = [evidence] if isinstance(evidence, EvidenceFile) else list(evidence)
    seen: set[tuple[str, int]] = set()
    for ev in items:
        key = (lookup(ev.force).force_id, ev.year)
        if key in seen:
            raise InputError(f"evidence for {key[0]} {key[1]} is given twice", path=source)
        seen.add(key)
    with transaction(ws):
        return [
            _import_one(
                ws, ev, by=by, reason=reason, source=source, bulk=bulk, expected=expected_versions or {}
            )
            for ev in items
        ]


def import_paths(
    ws: sa.Connection, paths: Iterable[Path], *, by: str, reason: str | None = None
) -> list[ImportResult]:
    """Read and validate every path first, then import them all in one transaction."""
    require_actor(by)
    read = [(path, read_evidence(path)) for path in paths]
    seen: dict[tuple[str, int], Path] = {}
    for path, found in read:
        for ev in found:
            key = (lookup(ev.force).force_id, ev.year)
            if key in seen:
                raise InputError(f"evidence for {key[0]} {key[1]} is also in {seen[key]}", path=path)
            seen[key] = path
    results: list[ImportResult] = []
    with transaction(ws):
        for path, found in read:
            results += import_evidence(ws, found, by=by, reason=reason, source=path.name)
    return results


def _drop_defaults(item: Inspection | Finding) -> dict[str, Any]:
    """The item's fields for a YAML file: dates stay dates, lists are lists, defaults are left out."""
    defaults = {name: f.default for name, f in type(item).model_fields.items() if not f.is_required()}
    out = {}
    for key, value in item.model_dump().items():
        if key in defaults and value == defaults[key]:
            continue
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


def stored_evidence(
    ws: sa.Connection, force_id: str, year: int, *, at: int | None = None
) -> EvidenceFile | None:
    """The evidence held for a force and year, as the model evidence files load into (None: none);
    `at`: as it stood at that audit event (openpeel.store.state_at)."""
    force_id = lookup(force_id).force_id
    inspections = rows_at(ws, "inspection", force_id, year, at)
    findings = rows_at(ws, "finding", force_id, year, at)
    if not inspections and not findings:
        return None

    def strip(row: Snapshot, *names: str) -> dict[str, Any]:
        return {k: v for k, v in row.items() if k not in ("force_id", "year", "position", "version", *names)}

    return EvidenceFile(
        force=force_id,
        year=year,
        inspections=tuple(
            Inspection.model_validate({"id": r["inspection_id"], **strip(r, "inspection_id")})
            for r in inspections.values()
        ),
        findings=tuple(
            Finding.model_validate(
                {
                    "id": r["finding_id"],
                    "inspection": r["inspection_id"],
                    "question": r["question_id"],
                    **strip(r, "finding_id", "inspection_id", "question_id"),
                }
            )
            for r in findings.values()
        ),
    )


def stored_force_years(
    ws: sa.Connection, year: int | None = None, *, at: int | None = None
) -> list[tuple[str, int]]:
    """(force, year) of every force and year with stored inspections; `at` (with `year`): as at
    that audit event."""
    if at is not None and year is not None:
        return sorted({(k[0], year) for k in rows_at(ws, "inspection", None, year, at)})
    i = sa_table("ev_inspections").c
    query = sa.select(i.force_id, i.year).distinct().order_by(i.year, i.force_id)
    rows = ws.execute(query if year is None else query.where(i.year == year)).all()
    return [(str(r[0]), int(r[1])) for r in rows]


def evidence_counts(ws: sa.Connection, year: int | None = None) -> list[tuple[str, int, int, int]]:
    """(force, year, inspections, findings) for every force and year with stored evidence."""
    i, f = sa_table("ev_inspections"), sa_table("ev_findings")
    inspections = sa.select(i.c.force_id, i.c.year, sa.func.count().label("n")).group_by(
        i.c.force_id, i.c.year
    )
    findings = sa.select(f.c.force_id, f.c.year, sa.func.count().label("n")).group_by(f.c.force_id, f.c.year)
    if year is not None:
        inspections = inspections.where(i.c.year == year)
    ins, fin = inspections.subquery(), findings.subquery()
    query = (
        sa.select(ins.c.force_id, ins.c.year, ins.c.n, sa.func.coalesce(fin.c.n, 0))
        .join_from(
            ins, fin, sa.and_(ins.c.force_id == fin.c.force_id, ins.c.year == fin.c.year), isouter=True
        )
        .order_by(ins.c.year, ins.c.force_id)
    )
    return [(str(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in ws.execute(query)]


def evidence_yaml(evidence: EvidenceFile) -> str:
    """The evidence as an evidence file (YAML), leaving out fields at their defaults."""
    data = {
        "force": evidence.force,
        "year": evidence.year,
        "inspections": [_drop_defaults(i) for i in evidence.inspections],
        "findings": [_drop_defaults(f) for f in evidence.findings],
    }
    header = f"# Evidence for {evidence.force}, PEEL {evidence.year}, exported from the openpeel warehouse.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def export_evidence(
    ws: sa.Connection,
    out: Path,
    *,
    force_id: str | None = None,
    year: int | None = None,
    fmt: str = "yaml",
) -> list[Path]:
    """Write stored evidence: one YAML file per force and year into the folder `out`, or CSV files into it."""
    chosen = [
        (f, y) for f, y in stored_force_years(ws, year) if force_id is None or f == lookup(force_id).force_id
    ]
    if not chosen:
        raise OpenpeelError(
            "no stored evidence matches; import some with: openpeel evidence import FILE --by NAME"
        )
    found = [ev for f, y in chosen if (ev := stored_evidence(ws, f, y)) is not None]
    if fmt == "csv":
        return write_evidence_csv(found, out)
    if fmt != "yaml":
        raise OpenpeelError(f"unknown format {fmt!r}; choose yaml or csv")
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for ev in found:
        path = out / f"{ev.force}-{ev.year}.yaml"
        path.write_text(evidence_yaml(ev), encoding="utf-8")
        paths.append(path)
    return paths


BUILD_ACTOR = "openpeel build"


def _edited_by_people(ws: sa.Connection, force_id: str, year: int) -> bool:
    e = sa_table("as_audit_events").c
    found = ws.execute(
        sa.select(e.event_id)
        .where(
            e.force_id == force_id,
            e.year == year,
            e.entity.in_(("inspection", "finding")),
            e.actor != BUILD_ACTOR,
        )
        .limit(1)
    ).first()
    return found is not None


def sync_bundled_evidence(ws: sa.Connection, year: int) -> list[ImportResult]:
    """Import the evidence files shipped with openpeel for `year` into the store.

    A force and year whose stored evidence someone has changed by hand (any import not made by
    the build) is left alone: from then on the store, not the shipped file, is the record.
    """
    from importlib.metadata import PackageNotFoundError, version

    from openpeel.evidence.loader import bundled_evidence

    try:
        release = version("openpeel")
    except PackageNotFoundError:  # running from a source tree
        release = "source"
    results: list[ImportResult] = []
    with transaction(ws):
        for path, evidence in bundled_evidence():
            if evidence.year != year:
                continue
            if _edited_by_people(ws, lookup(evidence.force).force_id, year):
                continue
            try:
                results += import_evidence(
                    ws,
                    evidence,
                    by=BUILD_ACTOR,
                    reason=f"evidence file {path.name} shipped with openpeel {release}",
                    source=path.name,
                )
            except LockedError:
                # A shipped file changed by a newer release does not rewrite what was published.
                continue
    return results
