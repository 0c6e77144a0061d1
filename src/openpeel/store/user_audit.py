"""Workspace users in the audit trail: who may sign in, with which role, is part of what verify
proves.

Every change to `web_users` (a user added, a role changed, an account disabled or removed) is
written by `apply_user_change`, which appends one event in the same transaction, like
`apply_change` does for evidence and judgements. `openpeel audit verify` replays these events and
compares them with the table, so `UPDATE web_users SET role = 'admin'` made in the database shows.

An event holds the user's row without the password hash; in its place a SHA-256 of the hash (a
fingerprint that tells nothing about the password), so a password hash swapped in the database
shows too. Sessions and sign-in failures are not audited: they are not who may do what.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from openpeel.core.errors import OpenpeelError
from openpeel.store.audit import (
    USER_ENTITY,
    WORKSPACE_SCOPE,
    AuditEvent,
    Snapshot,
    append_event,
    events,
    plain_value,
    require_actor,
)
from openpeel.store.engine import transaction
from openpeel.store.keys import require_key
from openpeel.store.schema import sa_table

_USERS = sa_table("web_users")
ADOPTED_BY = "openpeel upgrade"


def user_snapshot(row: Mapping[str, Any]) -> Snapshot:
    """A `web_users` row as the audit trail keeps it."""
    return {
        "username": row["username"],
        "display_name": row["display_name"],
        "role": row["role"],
        "is_active": bool(row["is_active"]),
        "created_at": plain_value(row["created_at"]),
        "disabled_at": plain_value(row.get("disabled_at")),
        "disabled_by": row.get("disabled_by"),
        "password_sha256": hashlib.sha256(str(row["password_hash"]).encode("utf-8")).hexdigest(),
    }


def read_users(conn: sa.Connection) -> dict[str, Snapshot]:
    rows = conn.execute(sa.select(_USERS).order_by(_USERS.c.username)).mappings()
    return {str(r["username"]): user_snapshot(dict(r)) for r in rows}


def _audited(conn: sa.Connection, username: str) -> bool:
    e = sa_table("as_audit_events").c
    found = conn.execute(
        sa.select(e.event_id).where(e.entity == USER_ENTITY, e.entity_id == username).limit(1)
    ).first()
    return found is not None


def apply_user_change(
    conn: sa.Connection,
    username: str,
    values: Mapping[str, Any] | None,
    *,
    by: str,
    action: str,
    reason: str | None = None,
) -> AuditEvent | None:
    """Write the user's row (`values`: the whole row, password hash included; None removes it)
    and append the event; nothing happens if nothing changes."""
    actor = require_actor(by)
    key = require_key(conn)
    u = _USERS.c
    with transaction(conn):
        row = conn.execute(sa.select(_USERS).where(u.username == username)).mappings().first()
        before = user_snapshot(dict(row)) if row else None
        if row is not None and not _audited(conn, username):
            raise OpenpeelError(
                f"user {username!r} is not in the audit trail (added before users were audited, or "
                "outside openpeel): `openpeel users adopt --by NAME` records the users as they stand"
            )
        after = user_snapshot(values) if values is not None else None
        if after == before:
            return None
        if values is None:
            conn.execute(sa.delete(_USERS).where(u.username == username))
        elif row is None:
            conn.execute(sa.insert(_USERS).values(**values))
        else:
            changed = {c: v for c, v in values.items() if row[c] != v}
            conn.execute(sa.update(_USERS).where(u.username == username).values(**changed))
        return append_event(
            conn,
            key,
            actor=actor,
            action=action,
            entity=USER_ENTITY,
            scope=(WORKSPACE_SCOPE, 0),
            entity_id=username,
            before=before,
            after=after,
            reason=reason,
        )


def unaudited_users(conn: sa.Connection) -> list[str]:
    """Users in `web_users` that no audit event records."""
    logged = {e.entity_id for e in events(conn, entities=[USER_ENTITY])}
    return [name for name in read_users(conn) if name not in logged]


def adopt_users(conn: sa.Connection, *, by: str = ADOPTED_BY, now: dt.datetime | None = None) -> list[str]:
    """Record every user no event records yet, as they stand (once, when users start being
    audited, or by `openpeel users adopt`); returns their names."""
    actor = require_actor(by)
    names = unaudited_users(conn)
    if not names:
        return []
    key = require_key(conn)
    current = read_users(conn)
    with transaction(conn):
        for name in names:
            append_event(
                conn,
                key,
                actor=actor,
                action="adopt-user",
                entity=USER_ENTITY,
                scope=(WORKSPACE_SCOPE, 0),
                entity_id=name,
                before=None,
                after=current[name],
                reason="recorded as the user stood when users began to be audited",
                now=now,
            )
    return names


def replay_users(conn: sa.Connection) -> tuple[dict[str, Snapshot], str | None]:
    """The users the audit events say there are, and the first event that does not follow from
    the ones before it (None: all do)."""
    state: dict[str, Snapshot] = {}
    for event in events(conn, entities=[USER_ENTITY]):
        if state.get(event.entity_id) != event.before:
            return (
                state,
                f"audit event {event.event_id} does not follow from the events before it (user {event.entity_id})",
            )
        if event.after is None:
            state.pop(event.entity_id, None)
        else:
            state[event.entity_id] = event.after
    return state, None


def _difference(column: str, stored: object, logged: object) -> str:
    if column == "password_sha256":
        return "password hash: not the one the log recorded"
    return f"{column} {stored!r} in the table, {logged!r} in the log"


def user_differences(conn: sa.Connection) -> list[str]:
    """Each user whose row in `web_users` is not what the audit log replays to."""
    logged, problem = replay_users(conn)
    if problem:
        return [problem]
    stored = read_users(conn)
    out = []
    for name in sorted({*logged, *stored}):
        if name not in stored:
            out.append(f"user {name}: in the audit log but missing from web_users")
        elif name not in logged:
            out.append(
                f"user {name}: in web_users but not in the audit log (added in the database, or before "
                "users were audited: `openpeel users adopt` records such users as they stand)"
            )
        elif logged[name] != stored[name]:
            fields = [
                _difference(c, stored[name][c], logged[name].get(c))
                for c in stored[name]
                if stored[name][c] != logged[name].get(c)
            ]
            out.append(f"user {name}: the row in web_users differs from the audit log ({'; '.join(fields)})")
    return out
