"""`openpeel audit verify`: is the workspace what its audit trail says, and is the trail whole?

Four checks, each naming the first event or row that does not match:

1. the chain: every event's link recomputed with the audit key (HMAC-SHA256), so a rewritten
   event is caught even when the attacker recomputed plain hashes after it;
2. plain links (events moved from an old warehouse) must be pinned: followed by a keyed event,
   or covered by a keyed head file, since anyone can recompute a plain SHA-256 chain;
3. the log replayed from its first event rebuilds inspections, findings and judgements, and they
   must equal the live tables row for row (an edited row, or events cut from the end, shows here);
4. every recorded head (a head file, `openpeel audit head`, and the head each publication
   recorded) must still be in the chain, with the same hash: a log cut back to before the head,
   or rewritten up to it, shows here;
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
from openpeel.store.audit import ENTITIES, ChainHead, chain_head, replay, table_state, verify_chain
from openpeel.store.keys import connection_key, require_key
from openpeel.store.publication_checks import check_publications
from openpeel.store.schema import sa_table

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


def read_head(path: Path, key: bytes | None) -> ChainHead:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        head = {k: data[k] for k in ("format", "event_id", "hash", "recorded_at")}
        mac = str(data["mac"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"not an audit head file ({exc})", path=path) from None
    if head["format"] != HEAD_FORMAT:
        raise InputError(f"not an audit head file (format {head['format']!r})", path=path)
    if key is None or not hmac.compare_digest(_mac(key, head), mac):
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


def verify_store(conn: sa.Connection, head_files: list[Path] | tuple[Path, ...] = ()) -> Verification:
    key = connection_key(conn)
    heads = [(p, read_head(p, key)) for p in head_files]
    result = Verification()
    chain = verify_chain(conn)
    result.events = chain.events
    if key is None:
        result.problems.append("no audit key: the keyed chain cannot be checked (set OPENPEEL_AUDIT_KEY)")
    if not chain.is_intact:
        result.problems.append(f"event {chain.first_bad_event}: {chain.problem}")
    elif not chain.is_pinned:
        pinned = any(h.event_id >= chain.plain for _, h in heads)
        if not pinned:
            result.problems.append(
                f"events 1-{chain.plain} carry plain SHA-256 hashes (no key) and no keyed event follows "
                "them: pass the head recorded when they were moved (--head FILE)"
            )
    if chain.plain:
        result.notes.append(f"events 1-{chain.plain} have plain SHA-256 links (from before the audit key)")
    try:
        replayed = replay(conn)
    except OpenpeelError as exc:
        result.problems.append(str(exc))
    else:
        difference = _first_difference(conn, replayed)
        if difference:
            result.problems.append(difference)
    _check_heads(conn, heads, result)
    published, problems = check_publications(conn, key)
    result.problems += problems
    if published:
        result.notes.append(f"{published} publication(s): heads in the chain, rows and contents as signed")
    return result
