"""`openpeel audit verify`: is the workspace what its audit trail says, and is the trail whole?

These checks, each naming the first event or row that does not match:

1. the chain: every event's link recomputed with the audit key (HMAC-SHA256), so a rewritten
   event is caught even when the attacker recomputed plain hashes after it; across a key
   rotation, with the retired key where it is held, else through the rotation's digest;
2. plain links (events moved from an old warehouse) must be pinned: followed by a keyed event,
   or covered by a keyed head file, since anyone can recompute a plain SHA-256 chain;
3. the log replayed from its first event rebuilds inspections, findings and judgements, and the
   workspace users, and they must equal the live tables row for row (an edited row, a role set
   in the database, or events cut from the end, shows here);
4. every recorded head must still be in the chain, with the same hash: each line of the head log
   (kept outside the database and written automatically, openpeel.store.head_log), any head log
   copy or head file given, and the head each publication recorded. A log cut back (a rollback),
   emptied (a wipe) or re-signed with another key shows here;
5. every publication and report version still carries its HMAC, and every published file kept
   in the store still hashes to its address.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from openpeel.core.errors import InputError, OpenpeelError
from openpeel.store.audit import (
    ENTITIES,
    KEY_ENTITY,
    ChainHead,
    chain_head,
    events,
    replay,
    table_state,
    verify_chain,
)
from openpeel.store.head_log import check_head_logs
from openpeel.store.keys import connection_key, connection_keys, require_key, was_keyed
from openpeel.store.publication_checks import check_publications
from openpeel.store.schema import sa_table
from openpeel.store.user_audit import user_differences

HEAD_FORMAT = "openpeel-audit-head/1"


def _mac(key: bytes, head: dict[str, Any]) -> str:
    body = json.dumps(head, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()


def head_document(conn: sa.Connection) -> dict[str, Any]:
    """The chain head as a small JSON document, signed with the audit key so that someone who can
    write the database and the folder the file sits in still cannot forge one."""
    key = require_key(conn)
    head = {"format": HEAD_FORMAT, **chain_head(conn).as_json()}
    return {**head, "mac": _mac(key, head)}


def read_head(path: Path, key: bytes | list[bytes] | None) -> ChainHead:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        head = {k: data[k] for k in ("format", "event_id", "hash", "recorded_at")}
        mac = str(data["mac"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"not an audit head file ({exc})", path=path) from None
    if head["format"] != HEAD_FORMAT:
        raise InputError(f"not an audit head file (format {head['format']!r})", path=path)
    keys = key if isinstance(key, list) else [key] if key is not None else []
    if not any(hmac.compare_digest(_mac(k, head), mac) for k in keys):
        raise OpenpeelError(f"head file {path}: not signed with this store's audit key")
    return ChainHead(int(head["event_id"]), str(head["hash"]), str(head["recorded_at"]))


@dataclass
class Verification:
    events: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _describe(entity: str, key: tuple[str, int, str]) -> str:
    return f"{entity} {key[2]} ({key[0]} {key[1]})"


def _first_difference(conn: sa.Connection, replayed: dict[str, Any]) -> str | None:
    live = table_state(conn)
    for entity in ENTITIES:
        logged, stored = replayed[entity], live[entity]
        for key in sorted({*logged, *stored}):
            if key not in stored:
                return f"{_describe(entity, key)}: in the audit log but missing from {ENTITIES[entity].table}"
            if key not in logged:
                return f"{_describe(entity, key)}: in {ENTITIES[entity].table} but not in the audit log"
            if logged[key] != stored[key]:
                fields = [c for c in stored[key] if stored[key][c] != logged[key].get(c)]
                return (
                    f"{_describe(entity, key)}: the row in {ENTITIES[entity].table} differs from the "
                    f"audit log ({', '.join(fields)})"
                )
    return None


def _stored_hash(conn: sa.Connection, event_id: int) -> str | None:
    e = sa_table("as_audit_events").c
    found = conn.execute(sa.select(e.hash).where(e.event_id == event_id)).scalar()
    return None if found is None else str(found)


def _check_heads(conn: sa.Connection, heads: list[tuple[Path, ChainHead]], result: Verification) -> None:
    for path, head in heads:
        stored = _stored_hash(conn, head.event_id) if head.event_id else None
        if head.event_id and stored is None:
            result.problems.append(
                f"head {path.name} (event {head.event_id}, {head.recorded_at}): the store has no event "
                f"{head.event_id}: events were cut from the log"
            )
        elif head.event_id and stored != head.hash:
            result.problems.append(
                f"head {path.name}: event {head.event_id}'s hash differs from the one recorded "
                f"{head.recorded_at}: the log was rewritten up to it"
            )
        else:
            result.notes.append(f"head {path.name} (event {head.event_id}) is in the chain")


def _key_problems(conn: sa.Connection, result: Verification) -> None:
    keys = connection_keys(conn)
    if connection_key(conn) is None:
        if keys is None or keys.file is None:
            result.problems.append(
                "no audit key: the keyed chain cannot be checked, nor written (set OPENPEEL_AUDIT_KEY, "
                "or audit_key in the OPENPEEL_CONFIG file, to the key this store's trail is signed with)"
            )
        elif was_keyed(conn):
            result.problems.append(
                f"no audit key (no key file at {keys.file}): the keyed chain cannot be checked; restore the "
                "key from your backup, or, if it is lost for good, `openpeel audit rotate-key --lost-key`"
            )
        else:
            result.notes.append("no audit key yet: one is made at the first audited change")
    for event in events(conn, entities=[KEY_ENTITY]):
        after = event.after or {}
        old = f"key {after['old_key_id']}" if after.get("old_key_id") else "a lost key"
        result.notes.append(
            f"event {event.event_id}: the audit key was rotated by {event.actor} "
            f"({event.recorded_at:%Y-%m-%d %H:%M} UTC, {event.reason}) from {old} to key {after.get('key_id')}"
        )
        if after.get("old_key") == "lost":
            result.notes.append(
                f"events 1-{event.event_id - 1} were signed with a key that was lost before that rotation: "
                "they are pinned as they stood then; nothing proves they were untouched before"
            )


def verify_store(
    conn: sa.Connection,
    head_files: list[Path] | tuple[Path, ...] = (),
    head_logs: list[Path] | tuple[Path, ...] = (),
) -> Verification:
    """Every check above; `head_logs` are copies of the head log to check besides the store's
    own (e.g. the one in a published site)."""
    result = Verification()
    chain = verify_chain(conn)
    held = [s.key for s in chain.segments if s.key is not None]
    heads = [(p, read_head(p, held)) for p in head_files]
    result.events = chain.events
    _key_problems(conn, result)
    logs = check_head_logs(conn, chain, head_logs)
    keyless = connection_key(conn) is None and bool(result.problems)
    if not chain.is_intact and not (
        keyless and (chain.problem or "").endswith("(no audit key to check with)")
    ):
        result.problems.append(f"event {chain.first_bad_event}: {chain.problem}")
    elif not chain.is_pinned:
        pinned = logs.pinned_to >= chain.plain or any(h.event_id >= chain.plain for _, h in heads)
        if not pinned:
            result.problems.append(
                f"events 1-{chain.plain} carry plain SHA-256 hashes (no key) and no keyed event follows "
                "them: pass the head recorded when they were moved (--head FILE)"
            )
    if chain.plain:
        result.notes.append(f"events 1-{chain.plain} have plain SHA-256 links (from before the audit key)")
    result.notes += chain.notes
    try:
        replayed = replay(conn)
    except OpenpeelError as exc:
        result.problems.append(str(exc))
    else:
        difference = _first_difference(conn, replayed)
        if difference:
            result.problems.append(difference)
    result.problems += user_differences(conn)
    _check_heads(conn, heads, result)
    published, problems = check_publications(conn, chain.key_for)
    result.problems += problems
    if published and not problems:
        result.notes.append(f"{published} publication(s): heads in the chain, rows and contents as signed")
    result.problems += logs.problems
    result.notes += logs.notes
    return result
