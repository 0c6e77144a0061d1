"""Checks that publications are as they were recorded: `openpeel audit verify` runs them.

Someone able to write the database could drop the append-only triggers and rewrite a
publication, its chain head or a stored report; each row's HMAC (with the audit key, kept
outside the database) and each blob's SHA-256 address give that away.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable

import sqlalchemy as sa

from openpeel.store.audit import GENESIS, events
from openpeel.store.publications import publications, report_versions, row_mac, sha256_hex
from openpeel.store.schema import sa_table


def _head_problem(conn: sa.Connection, publication_id: int, event_id: int, recorded: str) -> str | None:
    if event_id == 0:
        return None if recorded == GENESIS else f"publication {publication_id}: its empty head has a hash"
    e = sa_table("as_audit_events").c
    stored = conn.execute(sa.select(e.hash).where(e.event_id == event_id)).scalar()
    if stored is None:
        return (
            f"publication {publication_id}: the audit chain has no event {event_id}, the head it "
            "recorded: events were cut from the log"
        )
    if stored != recorded:
        return (
            f"publication {publication_id}: event {event_id}'s hash differs from the head it recorded: "
            "the log was rewritten up to it"
        )
    return None


def _blob_problems(conn: sa.Connection) -> list[str]:
    b = sa_table("pb_blobs").c
    out = []
    for digest, encoding, content in conn.execute(sa.select(b.sha256, b.encoding, b.content)):
        data = content.encode("utf-8") if encoding == "utf-8" else base64.b64decode(content)
        if sha256_hex(data) != digest:
            out.append(f"published content {digest[:16]}...: its bytes no longer match their SHA-256")
    return out


def check_publications(
    conn: sa.Connection, key_for_event: Callable[[int], bytes | None]
) -> tuple[int, list[str]]:
    """How many publications there are, and every problem found (empty: all as recorded).
    `key_for_event` gives the key an event was signed with (the one in force when each
    publication was recorded, across key rotations), or None where it is not held."""
    problems: list[str] = []
    found = publications(conn)
    stored = {r[0] for r in conn.execute(sa.select(sa_table("pb_blobs").c.sha256))}
    logged = {int(e.entity_id): e for e in events(conn, entities=["publication"])}
    keys: dict[int, bytes | None] = {
        number: key_for_event(event.event_id) for number, event in logged.items()
    }
    for n, pub in enumerate(found, start=1):
        if pub.publication_id != n:
            problems.append(f"publication {n} is missing")
            break
        key = keys.get(n)
        if key is not None and not hmac.compare_digest(row_mac(key, pub.signed_fields()), pub.mac):
            problems.append(f"publication {n}: the row differs from what was signed when it was published")
        head = _head_problem(conn, n, pub.head_event_id, pub.head_hash)
        if head:
            problems.append(head)
    for pub in found:
        event = logged.get(pub.publication_id)
        if event is None:
            problems.append(f"publication {pub.publication_id}: no audit event records it")
        elif (event.after or {}).get("mac") != pub.mac:
            problems.append(
                f"publication {pub.publication_id}: differs from audit event {event.event_id}, which recorded it"
            )
    for number in sorted(set(logged) - {p.publication_id for p in found}):
        problems.append(
            f"publication {number}: recorded by audit event {logged[number].event_id} but missing "
            "from pb_publications"
        )
    expected: dict[tuple[str, int], int] = {}
    ids = {p.publication_id: p for p in found}
    for version in report_versions(conn):
        what = f"report {version.force_id} {version.year} version {version.version}"
        key_fy = (version.force_id, version.year)
        expected[key_fy] = expected.get(key_fy, 0) + 1
        if version.version != expected[key_fy]:
            problems.append(f"{what}: version {expected[key_fy]} is missing")
            expected[key_fy] = version.version
        key = keys.get(version.publication_id)
        if key is not None and not hmac.compare_digest(row_mac(key, version.signed_fields()), version.mac):
            problems.append(f"{what}: the row differs from what was signed when it was published")
        if version.publication_id not in ids:
            problems.append(f"{what}: publication {version.publication_id} is missing")
        missing = [fmt for fmt, digest in version.files.items() if digest not in stored]
        if missing:
            problems.append(f"{what}: its {', '.join(missing)} content is missing from the store")
    problems += _blob_problems(conn)
    return len(found), problems
