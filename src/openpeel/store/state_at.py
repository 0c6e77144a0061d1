"""The workspace's inspections, findings and judgements as they stood at one audit event.

A publication records the audit chain head when it was made; everything it showed is the state
of the tables at that event. The public surfaces read that state, so a judgement published (or a
finding changed) since the last publication reaches nobody until the next one records it. Rows
untouched since the event are read from the tables as they are; a row changed since is read from
the after-image of its last event at or before it (the audit trail keeps every row whole).
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from openpeel.store.audit import Key, Snapshot, read_rows
from openpeel.store.schema import sa_table


def rows_at(
    conn: sa.Connection, entity: str, force_id: str | None, year: int, event_id: int | None
) -> dict[Key, Snapshot]:
    """The entity's rows of `year` (and `force_id`) at audit event `event_id` (None: as they are)."""
    current = read_rows(conn, entity, force_id, year)
    if event_id is None:
        return current
    e = sa_table("as_audit_events").c
    scope = [e.entity == entity, e.year == year]
    if force_id is not None:
        scope.append(e.force_id == force_id)
    changed = {
        (str(r[0]), str(r[1]))
        for r in conn.execute(
            sa.select(e.force_id, e.entity_id).where(*scope, e.event_id > event_id).distinct()
        )
    }
    if not changed:
        return current
    out = {k: v for k, v in current.items() if (k[0], k[2]) not in changed}
    then = conn.execute(
        sa.select(e.force_id, e.entity_id, e.after_json)
        .where(*scope, e.event_id <= event_id, sa.tuple_(e.force_id, e.entity_id).in_(sorted(changed)))
        .order_by(e.event_id)
    )
    last: dict[tuple[str, str], str | None] = {}
    for force, entity_id, after in then:
        last[(str(force), str(entity_id))] = after  # a later event replaces an earlier one
    for (force, entity_id), after in last.items():
        if after is not None:
            out[(force, year, entity_id)] = json.loads(after)
    # The order read_rows gives: by force, then position (judgements: question id).
    if entity == "judgement":
        return dict(sorted(out.items(), key=lambda kv: (kv[0][0], kv[0][2])))
    return dict(sorted(out.items(), key=lambda kv: (kv[0][0], int(kv[1]["position"]), kv[0][2])))
