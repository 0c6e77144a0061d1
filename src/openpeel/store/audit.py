"""The audit trail: every change to inspections, findings and judgements, append-only and replayable.

`apply_change` is the only way the evidence store and the judgements write their tables: it reads
the row as it stands (before), writes the new row (after), and appends one event saying who, when,
before, after and why, all in one transaction. Events are never updated or deleted; each carries
the hash of the one before it, so `verify_chain` detects an edited or removed event, and `replay`
rebuilds the three tables from the events alone.

The same chain records publications (openpeel.store.publications), workspace users
(openpeel.store.user_audit) and rotations of the audit key (openpeel.store.rotation): from a
rotation on, events are signed with the new key, and the rotation event carries a digest of every
event before it, so they stay pinned even where the old key is gone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import sqlalchemy as sa

from openpeel.core.errors import ConflictError, OpenpeelError
from openpeel.store.engine import transaction
from openpeel.store.keys import connection_key, connection_keys, key_id, require_key
from openpeel.store.schema import sa_table
from openpeel.store.tables import workspace_table

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
# Events about the workspace itself (users, the audit key) carry this in place of a force, and year 0.
WORKSPACE_SCOPE = "workspace"
USER_ENTITY = "user"
KEY_ENTITY = "audit-key"


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
        """Fields whose value differs between before and after (all fields on create or remove),
        leaving out the edit version, which every change raises."""
        before, after = self.before or {}, self.after or {}
        keys = [k for k in dict.fromkeys([*before, *after]) if k != "version"]
        return [k for k in keys if before.get(k) != after.get(k)]

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


def entity_columns(entity: str) -> list[str]:
    return [c.name for c in workspace_table(ENTITIES[entity].table).columns]


def plain_value(value: Any) -> Any:
    """A JSON-safe form of a table value, identical whether it came from Python or from the store."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    return value


def typed_values(entity: str, snapshot: Snapshot) -> list[Any]:
    spec = workspace_table(ENTITIES[entity].table)
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
    return {name: plain_value(row.get(name)) for name in entity_columns(entity)}


def _where(entity: str, key: Key) -> sa.ColumnElement[bool]:
    tbl = sa_table(ENTITIES[entity].table)
    return sa.and_(
        tbl.c.force_id == key[0], tbl.c.year == key[1], tbl.c[ENTITIES[entity].id_column] == key[2]
    )


def read_row(conn: sa.Connection, entity: str, key: Key) -> Snapshot | None:
    tbl = sa_table(ENTITIES[entity].table)
    row = conn.execute(sa.select(tbl).where(_where(entity, key))).mappings().first()
    return canonical(entity, dict(row)) if row else None


def read_rows(
    conn: sa.Connection, entity: str, force_id: str | None = None, year: int | None = None
) -> dict[Key, Snapshot]:
    spec = ENTITIES[entity]
    tbl = sa_table(spec.table)
    query = sa.select(tbl)
    if force_id is not None:
        query = query.where(tbl.c.force_id == force_id)
    if year is not None:
        query = query.where(tbl.c.year == year)
    order = [tbl.c.force_id, tbl.c.year]
    order.append(tbl.c.position if "position" in tbl.c else tbl.c[spec.id_column])
    out: dict[Key, Snapshot] = {}
    for row in conn.execute(query.order_by(*order)).mappings():
        snap = canonical(entity, dict(row))
        out[(snap["force_id"], snap["year"], snap[spec.id_column])] = snap
    return out


def require_actor(by: str | None) -> str:
    who = (by or "").strip()
    if not who:
        raise OpenpeelError("say who is making the change (--by NAME)")
    return who


def _payload(prev_hash: str, content: Mapping[str, Any]) -> bytes:
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (prev_hash + payload).encode("utf-8")


def plain_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """The plain SHA-256 link: how events were chained before the audit key (warehouses from
    before the store, and stores written before this version). Anyone can recompute it."""
    return hashlib.sha256(_payload(prev_hash, content)).hexdigest()


def keyed_hash(key: bytes, prev_hash: str, content: Mapping[str, Any]) -> str:
    """The keyed link (HMAC-SHA256 over the same bytes): without the key it cannot be recomputed,
    so an event rewritten in the database cannot be given a matching hash."""
    return hmac.new(key, _payload(prev_hash, content), hashlib.sha256).hexdigest()


def event_content(event: AuditEvent) -> dict[str, Any]:
    """What an event's hash covers: everything but the hashes themselves."""
    return {
        "event_id": event.event_id,
        "recorded_at": plain_value(event.recorded_at),
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


EVENTS = sa_table("as_audit_events")


def last_event(conn: sa.Connection) -> tuple[int, str]:
    row = conn.execute(
        sa.select(EVENTS.c.event_id, EVENTS.c.hash).order_by(EVENTS.c.event_id.desc()).limit(1)
    ).first()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def with_version(new: Snapshot, before: Snapshot | None, expected_version: int | None) -> Snapshot:
    """The new row carrying the next edit version; a stale edit (it started from an older version
    than the row now has) is refused, so it cannot silently overwrite a newer one."""
    current = int(before["version"]) if before is not None else 0
    if expected_version is not None and expected_version != current:
        raise ConflictError(
            f"this was changed by someone else since you opened it (version {expected_version}, now {current})",
            current=before,
        )
    return {**new, "version": current + 1}


def check_version(
    conn: sa.Connection, entity: str, key: Key, before: Snapshot | None, expected_version: int | None
) -> None:
    """Refuse an edit that started from another version than the stored one, saying who made the
    newer change and when (from the audit trail), so the person can look at it before redoing theirs."""
    current = int(before["version"]) if before is not None else 0
    if expected_version is None or expected_version == current:
        return
    e = EVENTS.c
    last = conn.execute(
        sa.select(e.actor, e.recorded_at)
        .where(e.entity == entity, e.force_id == key[0], e.year == key[1], e.entity_id == key[2])
        .order_by(e.event_id.desc())
        .limit(1)
    ).first()
    who = f" by {last[0]} at {plain_value(last[1]).replace('T', ' ')} UTC" if last else ""
    what = "removed" if before is None else f"changed to version {current}"
    raise ConflictError(
        f"{entity} {key[2]} was {what}{who} since you opened it at version {expected_version}: "
        "the page now shows the newer version; make your change again if it still applies",
        current=before,
    )


def apply_change(
    conn: sa.Connection,
    entity: Entity,
    key: Key,
    after: Mapping[str, Any] | None,
    *,
    by: str,
    action: str,
    reason: str | None = None,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> AuditEvent | None:
    """Write `after` (None removes the row) and append the event; nothing happens if nothing changes.

    `after` needs no `version`: the store sets it. With `expected_version`, the change is
    refused (ConflictError) unless the row is still at that version.
    """
    actor = require_actor(by)
    key_bytes = require_key(conn)
    spec = ENTITIES[entity]
    tbl = sa_table(spec.table)
    new = canonical(entity, after) if after is not None else None
    if new is not None and (new["force_id"], new["year"], new[spec.id_column]) != key:
        raise ValueError(f"row does not match its key {key}")
    with transaction(conn):
        before = read_row(conn, entity, key)
        if new is not None and before is not None and {**new, "version": before["version"]} == before:
            return None
        if new is None and before is None:
            return None
        check_version(conn, entity, key, before, expected_version)
        if new is None:
            conn.execute(sa.delete(tbl).where(_where(entity, key)))
        else:
            new = with_version(new, before, expected_version)
            values = dict(zip(entity_columns(entity), typed_values(entity, new), strict=True))
            if before is None:
                conn.execute(sa.insert(tbl).values(**values))
            else:
                changed = {c: v for c, v in values.items() if before[c] != new[c]}
                conn.execute(sa.update(tbl).where(_where(entity, key)).values(**changed))
        return append_event(
            conn,
            key_bytes,
            actor=actor,
            action=action,
            entity=entity,
            scope=(key[0], key[1]),
            entity_id=key[2],
            before=before,
            after=new,
            reason=reason,
            now=now,
        )


def event_row(event: AuditEvent) -> dict[str, Any]:
    """The `as_audit_events` row of an event."""
    return {
        "event_id": event.event_id,
        "recorded_at": event.recorded_at,
        "actor": event.actor,
        "action": event.action,
        "entity": event.entity,
        "force_id": event.force_id,
        "year": event.year,
        "entity_id": event.entity_id,
        "before_json": json.dumps(event.before, ensure_ascii=False) if event.before is not None else None,
        "after_json": json.dumps(event.after, ensure_ascii=False) if event.after is not None else None,
        "reason": event.reason,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def append_event(
    conn: sa.Connection,
    key: bytes,
    *,
    actor: str,
    action: str,
    entity: str,
    scope: tuple[str, int],
    entity_id: str,
    before: Snapshot | None,
    after: Snapshot | None,
    reason: str | None = None,
    now: dt.datetime | None = None,
) -> AuditEvent:
    """Append one event after the chain's head, signed with `key`; `scope` is (force, year), or
    (WORKSPACE_SCOPE, 0) for the workspace itself. The caller has written the change it records,
    in the same transaction."""
    last_id, prev_hash = last_event(conn)
    recorded_at = (now or dt.datetime.now(dt.UTC).replace(tzinfo=None)).replace(microsecond=0)
    draft = AuditEvent(
        event_id=last_id + 1,
        recorded_at=recorded_at,
        actor=actor,
        action=action,
        entity=entity,
        force_id=scope[0],
        year=scope[1],
        entity_id=entity_id,
        before=before,
        after=after,
        reason=(reason or "").strip() or None,
        prev_hash=prev_hash,
        hash="",
    )
    event = replace(draft, hash=keyed_hash(key, prev_hash, event_content(draft)))
    conn.execute(sa.insert(EVENTS).values(**event_row(event)))
    return event


def _to_event(row: Sequence[Any]) -> AuditEvent:
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
    conn: sa.Connection,
    *,
    force_id: str | None = None,
    year: int | None = None,
    entities: Iterable[str] | None = None,
) -> list[AuditEvent]:
    """Events in the order they happened, optionally for one force and/or year."""
    c = EVENTS.c
    query = sa.select(
        c.event_id,
        c.recorded_at,
        c.actor,
        c.action,
        c.entity,
        c.force_id,
        c.year,
        c.entity_id,
        c.before_json,
        c.after_json,
        c.reason,
        c.prev_hash,
        c.hash,
    )
    if force_id is not None:
        query = query.where(c.force_id == force_id)
    if year is not None:
        query = query.where(c.year == year)
    if entities is not None:
        query = query.where(c.entity.in_(list(entities)))
    return [_to_event(r) for r in conn.execute(query.order_by(c.event_id))]


@dataclass(frozen=True)
class Segment:
    """Events signed with one key: from `first_event` to the next rotation."""

    first_event: int
    key_id: str | None
    key: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ChainCheck:
    events: int
    first_bad_event: int | None
    problem: str | None
    # Events before the first keyed one that carry plain SHA-256 links (moved from an old
    # warehouse, or written before the audit key): anyone could recompute those, so they count
    # only while a keyed event or a keyed head file follows and pins them.
    plain: int = 0
    head: tuple[int, str] | None = None
    segments: tuple[Segment, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def is_intact(self) -> bool:
        return self.problem is None

    @property
    def is_pinned(self) -> bool:
        """Every plain link is followed by a keyed one (or there are none)."""
        return self.plain == 0 or self.plain < self.events

    def key_for(self, event_id: int) -> bytes | None:
        """The key event `event_id` was signed with, where this command holds it."""
        found = [s for s in self.segments if s.first_event <= event_id]
        return found[-1].key if found else None


def rotation_proof(old_key: bytes, new_key_id: str, prev_hash: str) -> str:
    """What the holder of the old key signs when handing the chain on to the new one."""
    return hmac.new(old_key, f"rotate-to:{new_key_id}:{prev_hash}".encode(), hashlib.sha256).hexdigest()


def _rotation_problem(event: AuditEvent, digest: str, previous: Segment) -> str | None:
    after = event.after or {}
    if after.get("prior_events") != event.event_id - 1 or after.get("prior_digest") != digest:
        return (
            "the events before this key rotation differ from the ones it recorded (an earlier event "
            "was rewritten, added or removed)"
        )
    old = after.get("old_key_id")
    if old is not None and previous.key_id is not None and old != previous.key_id:
        return f"it hands on from key {old}, but the events before it were signed with key {previous.key_id}"
    proof = after.get("old_key_proof")
    if previous.key is not None and proof is not None:
        expected = rotation_proof(previous.key, str(after.get("key_id")), event.prev_hash)
        if not hmac.compare_digest(expected, str(proof)):
            return "its proof that the old key's holder handed the chain on does not match"
    return None


def _link(
    event: AuditEvent, prev: str, content: Mapping[str, Any], segments: list[Segment], *, plain_prefix: bool
) -> Literal["plain", "keyed", "unchecked", "recomputed", "mismatch"]:
    """What kind of link an event's hash is: a plain SHA-256 (allowed only in the first
    segment's prefix), keyed with its segment's key, or not checkable here (no key)."""
    segment = segments[-1]
    is_plain = plain_hash(prev, content) == event.hash
    if is_plain and plain_prefix and len(segments) == 1:
        return "plain"
    if segment.key is not None and hmac.compare_digest(keyed_hash(segment.key, prev, content), event.hash):
        return "keyed"
    if is_plain:
        return "recomputed"
    return "unchecked" if segment.key is None else "mismatch"


def _link_problem(link: str, segment: Segment, current: bytes | None) -> str:
    if link == "recomputed":
        return "its hash is a plain SHA-256 after keyed events (hashes recomputed without the key)"
    if link == "unchecked" and current is not None and segment.key_id is not None:
        return (
            f"it is signed with key {segment.key_id} (from key rotation event {segment.first_event}), "
            f"but this command holds key {key_id(current)}: set the audit key to the rotated one"
        )
    return "its content does not match its hash" + ("" if current else " (no audit key to check with)")


def verify_chain(conn: sa.Connection, key: bytes | None = None) -> ChainCheck:
    """Recompute every link: an edited, inserted or removed event breaks the chain from there on.

    A link must be the keyed hash (HMAC with the key of its segment: the current key, or one a
    rotation retired), except in a prefix of plain SHA-256 links (see `ChainCheck.plain`): a
    plain link after a keyed one is someone recomputing hashes. Events signed with a key this
    command does not hold (lost before a rotation) are checked through the rotation's digest.
    """
    keys = connection_keys(conn)
    current = key if key is not None else connection_key(conn)

    def lookup(kid: str | None) -> bytes | None:
        if kid is None:
            return None
        if current is not None and key_id(current) == kid:
            return current
        return keys.by_id(kid) if keys is not None else None

    all_events = events(conn)
    rotations = [e for e in all_events if e.entity == KEY_ENTITY]
    if rotations:
        first_id = (rotations[0].after or {}).get("old_key_id")
        segments = [Segment(1, first_id, lookup(first_id))]
    else:
        segments = [Segment(1, key_id(current) if current else None, current)]
    last_rotation = rotations[-1].event_id if rotations else 0
    digest = hashlib.sha256()
    notes: list[str] = []
    unchecked_from: int | None = None
    prev = GENESIS
    expected_id = 1
    plain = 0

    def failed(event: AuditEvent, why: str) -> ChainCheck:
        return ChainCheck(len(all_events), event.event_id, why, plain, None, tuple(segments), tuple(notes))

    for event in all_events:
        if event.event_id != expected_id:
            return failed(event, f"event {expected_id} is missing")
        if event.prev_hash != prev:
            return failed(event, "does not follow the previous event")
        content = event_content(event)
        if event.entity == KEY_ENTITY:
            problem = _rotation_problem(event, digest.hexdigest(), segments[-1])
            if problem:
                return failed(event, problem)
            if unchecked_from is not None:
                notes.append(
                    f"events {unchecked_from}-{event.event_id - 1} were signed with a key this command "
                    f"does not hold: they are checked through key rotation event {event.event_id}, which "
                    "recorded a digest of every event before it, not each by its own key"
                )
                unchecked_from = None
            new_id = str((event.after or {}).get("key_id"))
            segments.append(Segment(event.event_id, new_id, lookup(new_id)))
        link = _link(event, prev, content, segments, plain_prefix=plain == event.event_id - 1)
        if link == "plain":
            plain += 1
        elif link == "unchecked" and event.event_id < last_rotation:
            unchecked_from = unchecked_from or event.event_id
        elif link != "keyed":
            return failed(event, _link_problem(link, segments[-1], current))
        digest.update(_payload(prev, content))
        digest.update(event.hash.encode("ascii"))
        prev = event.hash
        expected_id += 1
    last = (all_events[-1].event_id, all_events[-1].hash) if all_events else None
    return ChainCheck(len(all_events), None, None, plain, last, tuple(segments), tuple(notes))


def chain_digest(conn: sa.Connection) -> tuple[int, str]:
    """How many events there are, and the digest of them all a key rotation records."""
    digest = hashlib.sha256()
    found = events(conn)
    for event in found:
        digest.update(_payload(event.prev_hash, event_content(event)))
        digest.update(event.hash.encode("ascii"))
    return len(found), digest.hexdigest()


State = dict[str, dict[Key, Snapshot]]


def _without_version(row: Snapshot | None) -> Snapshot | None:
    return None if row is None else {k: v for k, v in row.items() if k != "version"}


def replay(conn: sa.Connection) -> State:
    """The inspections, findings and judgements tables rebuilt from the audit events alone.

    Each change to a row raises its edit version by one, so versions are replayed too (events
    recorded before rows had versions carry none in their snapshots).
    """
    state: State = {entity: {} for entity in ENTITIES}
    for event in events(conn):
        if event.entity not in state:  # a publication, user or key rotation: not these tables
            continue
        key = (event.force_id, event.year, event.entity_id)
        rows = state[event.entity]
        current = rows.get(key)
        # Snapshots recorded before a column was added lack it: read as its empty value.
        before = canonical(event.entity, event.before) if event.before is not None else None
        if _without_version(current) != _without_version(before):
            raise OpenpeelError(
                f"audit event {event.event_id} does not follow from the events before it "
                f"({event.entity} {event.entity_id})"
            )
        if event.after is None:
            rows.pop(key, None)
        else:
            version = (int(current["version"]) if current else 0) + 1
            rows[key] = canonical(event.entity, {**event.after, "version": version})
    return state


def table_state(conn: sa.Connection) -> State:
    """The three tables as they stand, in the shape `replay` returns."""
    return {entity: read_rows(conn, entity) for entity in ENTITIES}


@dataclass(frozen=True)
class ChainHead:
    """The last event of the chain: recorded outside the store (a head file, a publication), it
    proves later that no event up to it was cut off or rewritten."""

    event_id: int
    hash: str
    recorded_at: str

    def as_json(self) -> dict[str, object]:
        return {"event_id": self.event_id, "hash": self.hash, "recorded_at": self.recorded_at}

    @classmethod
    def of(cls, event: AuditEvent) -> ChainHead:
        return cls(event.event_id, event.hash, plain_value(event.recorded_at))


def chain_head(conn: sa.Connection) -> ChainHead:
    """The chain's head now (event 0 and the genesis hash for an empty trail). Publications record
    it, as `openpeel audit head` does in a file."""
    c = EVENTS.c
    row = conn.execute(
        sa.select(c.event_id, c.hash, c.recorded_at).order_by(c.event_id.desc()).limit(1)
    ).first()
    if row is None:
        return ChainHead(0, GENESIS, "")
    return ChainHead(int(row[0]), str(row[1]), plain_value(row[2]))


def workspace_version(conn: sa.Connection, force_id: str | None = None, year: int | None = None) -> str:
    """Changes with every audited change (of one force and year, when given): what pages built
    from the workspace depend on."""
    query = sa.select(sa.func.max(EVENTS.c.event_id))
    if force_id is not None:
        query = query.where(EVENTS.c.force_id == force_id)
    if year is not None:
        query = query.where(EVENTS.c.year == year)
    return str(conn.execute(query).scalar() or 0)
