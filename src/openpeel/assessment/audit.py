"""The audit trail: every change to inspections, findings and judgements, append-only and replayable.

`apply_change` is the only way the evidence store and the judgements write their tables: it reads
the row as it stands (before), writes the new row (after), and appends one event saying who, when,
before, after and why, all in one transaction. Events are never updated or deleted; each carries
the hash of the one before it, so `verify_chain` detects an edited or removed event, and `replay`
rebuilds the three tables from the events alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import duckdb

from openpeel.core.errors import OpenpeelError
from openpeel.warehouse import table, transaction

Entity = Literal["inspection", "finding", "judgement"]
Snapshot = dict[str, Any]
Key = tuple[str, int, str]


@dataclass(frozen=True)
class EntitySpec:
    table: str
    id_column: str


ENTITIES: dict[str, EntitySpec] = {
    "inspection": EntitySpec("ev_inspections", "inspection_id"),
    "finding": EntitySpec("ev_findings", "finding_id"),
    "judgement": EntitySpec("as_judgements", "question_id"),
}
GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEvent:
    event_id: int
    recorded_at: dt.datetime
    actor: str
    action: str
    entity: str
    force_id: str
    year: int
    entity_id: str
    before: Snapshot | None
    after: Snapshot | None
    reason: str | None
    prev_hash: str
    hash: str

    def changed_fields(self) -> list[str]:
        """Fields whose value differs between before and after (all fields on create or remove)."""
        before, after = self.before or {}, self.after or {}
        return [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]

    def as_json(self) -> dict[str, object]:
        return {
            "event_id": self.event_id,
            "recorded_at": self.recorded_at.isoformat(),
            "by": self.actor,
            "action": self.action,
            "entity": self.entity,
            "force": self.force_id,
            "year": self.year,
            "id": self.entity_id,
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
            "hash": self.hash,
        }


def _columns(entity: str) -> list[str]:
    return [c.name for c in table(ENTITIES[entity].table).columns]


def _plain(value: Any) -> Any:
    """A JSON-safe form of a table value, identical whether it came from Python or from DuckDB."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _typed(entity: str, snapshot: Snapshot) -> list[Any]:
    spec = table(ENTITIES[entity].table)
    out = []
    for col in spec.columns:
        value = snapshot.get(col.name)
        if value is not None and col.type == "DATE":
            value = dt.date.fromisoformat(value)
        elif value is not None and col.type == "TIMESTAMP":
            value = dt.datetime.fromisoformat(value)
        out.append(value)
    return out


def canonical(entity: str, row: Mapping[str, Any]) -> Snapshot:
    """A full row of the entity's table, in column order, with JSON-safe values."""
    return {name: _plain(row.get(name)) for name in _columns(entity)}


def _where(entity: str) -> str:
    return f"force_id = ? AND year = ? AND {ENTITIES[entity].id_column} = ?"


def read_row(con: duckdb.DuckDBPyConnection, entity: str, key: Key) -> Snapshot | None:
    cols = _columns(entity)
    row = con.execute(
        f"SELECT {', '.join(cols)} FROM {ENTITIES[entity].table} WHERE {_where(entity)}", list(key)
    ).fetchone()
    return canonical(entity, dict(zip(cols, row, strict=True))) if row else None


def read_rows(
    con: duckdb.DuckDBPyConnection, entity: str, force_id: str | None = None, year: int | None = None
) -> dict[Key, Snapshot]:
    cols = _columns(entity)
    spec = ENTITIES[entity]
    sql = f"SELECT {', '.join(cols)} FROM {spec.table} WHERE (? IS NULL OR force_id = ?) AND (? IS NULL OR year = ?)"
    out: dict[Key, Snapshot] = {}
    for row in con.execute(
        sql + " ORDER BY force_id, year, position" if "position" in cols else sql,
        [force_id, force_id, year, year],
    ).fetchall():
        snap = canonical(entity, dict(zip(cols, row, strict=True)))
        out[(snap["force_id"], snap["year"], snap[spec.id_column])] = snap
    return out


def require_actor(by: str | None) -> str:
    who = (by or "").strip()
    if not who:
        raise OpenpeelError("say who is making the change (--by NAME)")
    return who


def _hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def _content(event: AuditEvent) -> dict[str, Any]:
    """What an event's hash covers: everything but the hashes themselves."""
    return {
        "event_id": event.event_id,
        "recorded_at": _plain(event.recorded_at),
        "actor": event.actor,
        "action": event.action,
        "entity": event.entity,
        "force_id": event.force_id,
        "year": event.year,
        "entity_id": event.entity_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
    }


def _last(con: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    row = con.execute("SELECT event_id, hash FROM as_audit_events ORDER BY event_id DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def apply_change(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    key: Key,
    after: Mapping[str, Any] | None,
    *,
    by: str,
    action: str,
    reason: str | None = None,
    now: dt.datetime | None = None,
) -> AuditEvent | None:
    """Write `after` (None removes the row) and append the event; nothing happens if nothing changes."""
    actor = require_actor(by)
    spec = ENTITIES[entity]
    new = canonical(entity, after) if after is not None else None
    if new is not None and (new["force_id"], new["year"], new[spec.id_column]) != key:
        raise ValueError(f"row does not match its key {key}")
    with transaction(con):
        before = read_row(con, entity, key)
        if before == new:
            return None
        if new is None:
            con.execute(f"DELETE FROM {spec.table} WHERE {_where(entity)}", list(key))
        elif before is None:
            cols = _columns(entity)
            con.execute(
                f"INSERT INTO {spec.table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                _typed(entity, new),
            )
        else:
            cols = _columns(entity)
            values = dict(zip(cols, _typed(entity, new), strict=True))
            changed = [c for c in cols if before[c] != new[c]]
            con.execute(
                f"UPDATE {spec.table} SET {', '.join(f'{c} = ?' for c in changed)} WHERE {_where(entity)}",
                [values[c] for c in changed] + list(key),
            )
        last_id, prev_hash = _last(con)
        recorded_at = (now or dt.datetime.now(dt.UTC).replace(tzinfo=None)).replace(microsecond=0)
        why = (reason or "").strip() or None
        draft = AuditEvent(
            event_id=last_id + 1,
            recorded_at=recorded_at,
            actor=actor,
            action=action,
            entity=entity,
            force_id=key[0],
            year=key[1],
            entity_id=key[2],
            before=before,
            after=new,
            reason=why,
            prev_hash=prev_hash,
            hash="",
        )
        event = replace(draft, hash=_hash(prev_hash, _content(draft)))
        con.execute(
            "INSERT INTO as_audit_events (event_id, recorded_at, actor, action, entity, force_id, year, "
            "entity_id, before_json, after_json, reason, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                event.event_id,
                event.recorded_at,
                actor,
                action,
                entity,
                key[0],
                key[1],
                key[2],
                json.dumps(before, ensure_ascii=False) if before is not None else None,
                json.dumps(new, ensure_ascii=False) if new is not None else None,
                why,
                prev_hash,
                event.hash,
            ],
        )
    return event


_EVENT_COLUMNS = (
    "event_id, recorded_at, actor, action, entity, force_id, year, entity_id, before_json, after_json, "
    "reason, prev_hash, hash"
)


def _to_event(row: tuple[Any, ...]) -> AuditEvent:
    return AuditEvent(
        event_id=int(row[0]),
        recorded_at=row[1],
        actor=row[2],
        action=row[3],
        entity=row[4],
        force_id=row[5],
        year=int(row[6]),
        entity_id=row[7],
        before=json.loads(row[8]) if row[8] is not None else None,
        after=json.loads(row[9]) if row[9] is not None else None,
        reason=row[10],
        prev_hash=row[11],
        hash=row[12],
    )


def events(
    con: duckdb.DuckDBPyConnection,
    *,
    force_id: str | None = None,
    year: int | None = None,
    entities: Iterable[str] | None = None,
) -> list[AuditEvent]:
    """Events in the order they happened, optionally for one force and/or year."""
    wanted = list(entities) if entities is not None else None
    rows = con.execute(
        f"SELECT {_EVENT_COLUMNS} FROM as_audit_events "
        "WHERE (? IS NULL OR force_id = ?) AND (? IS NULL OR year = ?) ORDER BY event_id",
        [force_id, force_id, year, year],
    ).fetchall()
    out = [_to_event(r) for r in rows]
    return [e for e in out if wanted is None or e.entity in wanted]


@dataclass(frozen=True)
class ChainCheck:
    events: int
    first_bad_event: int | None
    problem: str | None

    @property
    def is_intact(self) -> bool:
        return self.problem is None


def verify_chain(con: duckdb.DuckDBPyConnection) -> ChainCheck:
    """Recompute every hash: an edited, inserted or removed event breaks the chain from there on."""
    prev = GENESIS
    expected_id = 1
    all_events = events(con)
    for event in all_events:
        if event.event_id != expected_id:
            return ChainCheck(len(all_events), event.event_id, f"event {expected_id} is missing")
        if event.prev_hash != prev:
            return ChainCheck(len(all_events), event.event_id, "does not follow the previous event")
        content = _content(event)
        if _hash(prev, content) != event.hash:
            return ChainCheck(len(all_events), event.event_id, "its content does not match its hash")
        prev = event.hash
        expected_id += 1
    return ChainCheck(len(all_events), None, None)


State = dict[str, dict[Key, Snapshot]]


def replay(con: duckdb.DuckDBPyConnection) -> State:
    """The inspections, findings and judgements tables rebuilt from the audit events alone."""
    state: State = {entity: {} for entity in ENTITIES}
    for event in events(con):
        key = (event.force_id, event.year, event.entity_id)
        rows = state[event.entity]
        if rows.get(key) != event.before:
            raise OpenpeelError(
                f"audit event {event.event_id} does not follow from the events before it "
                f"({event.entity} {event.entity_id})"
            )
        if event.after is None:
            rows.pop(key, None)
        else:
            rows[key] = event.after
    return state


def table_state(con: duckdb.DuckDBPyConnection) -> State:
    """The three tables as they stand, in the shape `replay` returns."""
    return {entity: read_rows(con, entity) for entity in ENTITIES}
