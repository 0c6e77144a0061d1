"""Many audited changes at once: the same rows and the same events as calling `apply_change`
once per change, in a handful of statements instead of four per change.

An evidence file of 10,000 findings took about 9 ms a finding through `apply_change` (read the
row, write it, read the chain head, write the event: four round trips each). Here the stored rows
are read with one query per entity and force-year, the new rows and the events (hash-chained in
Python, one event per change, in the order given) are computed in memory, and written with one
executemany per table and kind of statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from openpeel.core.errors import OpenpeelError
from openpeel.store.audit import (
    ENTITIES,
    EVENTS,
    AuditEvent,
    Entity,
    Key,
    Snapshot,
    canonical,
    check_version,
    entity_columns,
    event_content,
    event_row,
    keyed_hash,
    last_event,
    read_rows,
    require_actor,
    typed_values,
    with_version,
)
from openpeel.store.engine import transaction
from openpeel.store.keys import require_key
from openpeel.store.schema import sa_table

Change = tuple[Entity, Key, Mapping[str, Any] | None]


def _stored(conn: sa.Connection, changes: Sequence[Change]) -> dict[tuple[str, Key], Snapshot]:
    groups = {(entity, key[0], key[1]) for entity, key, _ in changes}
    out: dict[tuple[str, Key], Snapshot] = {}
    for entity, force_id, year in sorted(groups):
        for key, row in read_rows(conn, entity, force_id, year).items():
            out[(entity, key)] = row
    return out


def _key_of(entity: str, row: Snapshot) -> Key:
    return (row["force_id"], row["year"], row[ENTITIES[entity].id_column])


def _write_rows(conn: sa.Connection, writes: list[tuple[str, str, Key, Snapshot | None]]) -> None:
    """Inserts parents first, updates next, removals children first, so foreign keys hold at
    every statement as they did one change at a time."""
    order = list(ENTITIES)
    for op, entities in (("insert", order), ("update", order), ("delete", order[::-1])):
        for entity in entities:
            rows = [(key, new) for o, e, key, new in writes if o == op and e == entity]
            if not rows:
                continue
            tbl = sa_table(ENTITIES[entity].table)
            id_col = ENTITIES[entity].id_column
            where = sa.and_(
                tbl.c.force_id == sa.bindparam("k_force_id"),
                tbl.c.year == sa.bindparam("k_year"),
                tbl.c[id_col] == sa.bindparam("k_id"),
            )
            keys = [{"k_force_id": k[0], "k_year": k[1], "k_id": k[2]} for k, _ in rows]
            if op == "delete":
                conn.execute(sa.delete(tbl).where(where), keys)
                continue
            columns = entity_columns(entity)
            values = [dict(zip(columns, typed_values(entity, new or {}), strict=True)) for _, new in rows]
            if op == "insert":
                conn.execute(sa.insert(tbl), values)
            else:
                statement = sa.update(tbl).where(where).values({c: sa.bindparam(f"v_{c}") for c in columns})
                conn.execute(
                    statement,
                    [
                        {**k, **{f"v_{c}": v for c, v in row.items()}}
                        for k, row in zip(keys, values, strict=True)
                    ],
                )


def apply_changes(
    conn: sa.Connection,
    changes: Sequence[Change],
    *,
    by: str,
    action: str,
    reason: str | None = None,
    now: dt.datetime | None = None,
    expected_versions: Mapping[tuple[str, Key], int] | None = None,
) -> list[AuditEvent]:
    """Apply each change as `apply_change` would (unchanged rows are skipped and record nothing);
    one event per change made, chained in the order given. All or nothing.

    `expected_versions` ((entity, key) -> version) refuses those changes, as `expected_version`
    does, when the stored row has moved on (ConflictError)."""
    actor = require_actor(by)
    key_bytes = require_key(conn)
    seen: set[tuple[str, Key]] = set()
    for entity, key, _ in changes:
        if (entity, key) in seen:
            raise OpenpeelError(f"{entity} {key} is changed twice in one batch")
        seen.add((entity, key))
    made: list[AuditEvent] = []
    with transaction(conn):
        stored = _stored(conn, changes)
        last_id, prev_hash = last_event(conn)
        recorded_at = (now or dt.datetime.now(dt.UTC).replace(tzinfo=None)).replace(microsecond=0)
        why = (reason or "").strip() or None
        writes: list[tuple[str, str, Key, Snapshot | None]] = []
        for entity, key, after in changes:
            before = stored.get((entity, key))
            new = canonical(entity, after) if after is not None else None
            if new is not None and _key_of(entity, new) != key:
                raise ValueError(f"row does not match its key {key}")
            if new is None and before is None:
                continue
            if new is not None and before is not None and {**new, "version": before["version"]} == before:
                continue
            check_version(conn, entity, key, before, (expected_versions or {}).get((entity, key)))
            if new is None:
                writes.append(("delete", entity, key, None))
            else:
                new = with_version(new, before, None)
                writes.append(("insert" if before is None else "update", entity, key, new))
            event = AuditEvent(
                last_id + len(made) + 1, recorded_at, actor, action, entity, key[0], key[1], key[2],
                before, new, why, prev_hash, "",
            )  # fmt: skip
            event = AuditEvent(
                **{**event.__dict__, "hash": keyed_hash(key_bytes, prev_hash, event_content(event))}
            )
            made.append(event)
            prev_hash = event.hash
        _write_rows(conn, writes)
        if made:
            conn.execute(sa.insert(EVENTS), [event_row(e) for e in made])
    return made
