"""Publications: what `openpeel publish` put before the public, kept so it can be proved later.

A publication row records who published, when, the audit chain head at that moment and the
SHA-256 of every file written; an audit event in the keyed chain records the publication in
turn, so removing or rewriting one breaks the chain or no longer matches its event. Each force's report for a PEEL year gets a new version only when
its published judgements changed; the contents are kept by hash in `pb_blobs`, so an old version
stays retrievable byte for byte. All three tables are append-only (database triggers), and each
publication and version row carries an HMAC with the audit key, so a row rewritten in the
database, even with the triggers dropped, no longer matches it (`verify_publications`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from openpeel.core.errors import OpenpeelError
from openpeel.store.audit import ChainHead, append_event, require_actor
from openpeel.store.head_log import append_head
from openpeel.store.keys import connection_head_log, require_key
from openpeel.store.schema import sa_table

_PUBLICATIONS = sa_table("pb_publications")
_VERSIONS = sa_table("pb_report_versions")
_BLOBS = sa_table("pb_blobs")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def row_mac(key: bytes, fields: Mapping[str, Any]) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Publication:
    publication_id: int
    published_at: dt.datetime
    published_by: str
    years: tuple[int, ...]
    note: str | None
    head_event_id: int
    head_hash: str
    files: dict[str, str]
    mac: str

    def signed_fields(self) -> dict[str, Any]:
        return {
            "publication_id": self.publication_id,
            "published_at": self.published_at.isoformat(),
            "published_by": self.published_by,
            "years": list(self.years),
            "note": self.note,
            "head_event_id": self.head_event_id,
            "head_hash": self.head_hash,
            "files": self.files,
        }

    def as_json(self) -> dict[str, object]:
        return {**self.signed_fields(), "files": len(self.files)}


@dataclass(frozen=True)
class ReportVersion:
    force_id: str
    year: int
    version: int
    publication_id: int
    published_at: dt.datetime
    change_note: str | None
    judgements: dict[str, int]
    files: dict[str, str]
    mac: str

    def signed_fields(self) -> dict[str, Any]:
        return {
            "force_id": self.force_id,
            "year": self.year,
            "version": self.version,
            "publication_id": self.publication_id,
            "published_at": self.published_at.isoformat(),
            "change_note": self.change_note,
            "judgements": self.judgements,
            "files": self.files,
        }

    def as_json(self) -> dict[str, object]:
        return self.signed_fields()


@dataclass(frozen=True)
class NewVersion:
    """A report version `record_publication` is to write, with its contents by format."""

    force_id: str
    year: int
    version: int
    change_note: str | None
    judgements: dict[str, int]
    contents: dict[str, bytes]


def put_blob(conn: sa.Connection, data: bytes, *, text: bool = True) -> str:
    """Keep `data` under its SHA-256 (once: the same bytes published twice are stored once)."""
    digest = sha256_hex(data)
    if conn.execute(sa.select(_BLOBS.c.sha256).where(_BLOBS.c.sha256 == digest)).first() is None:
        content = data.decode("utf-8") if text else base64.b64encode(data).decode("ascii")
        conn.execute(
            sa.insert(_BLOBS).values(sha256=digest, encoding="utf-8" if text else "base64", content=content)
        )
    return digest


def read_blob(conn: sa.Connection, digest: str) -> bytes:
    row = conn.execute(
        sa.select(_BLOBS.c.encoding, _BLOBS.c.content).where(_BLOBS.c.sha256 == digest)
    ).first()
    if row is None:
        raise OpenpeelError(f"published content {digest[:16]}... is missing from the store")
    return row[1].encode("utf-8") if row[0] == "utf-8" else base64.b64decode(row[1])


def _publication(row: Any) -> Publication:
    return Publication(
        publication_id=int(row.publication_id),
        published_at=row.published_at,
        published_by=row.published_by,
        years=tuple(int(y) for y in row.years),
        note=row.note,
        head_event_id=int(row.head_event_id),
        head_hash=row.head_hash,
        files=json.loads(row.files_json),
        mac=row.mac,
    )


def _version(row: Any) -> ReportVersion:
    return ReportVersion(
        force_id=row.force_id,
        year=int(row.year),
        version=int(row.version),
        publication_id=int(row.publication_id),
        published_at=row.published_at,
        change_note=row.change_note,
        judgements=json.loads(row.judgements_json),
        files=json.loads(row.files_json),
        mac=row.mac,
    )


def publications(conn: sa.Connection) -> list[Publication]:
    rows = conn.execute(sa.select(_PUBLICATIONS).order_by(_PUBLICATIONS.c.publication_id))
    return [_publication(r) for r in rows]


def publication(conn: sa.Connection, publication_id: int) -> Publication:
    row = conn.execute(
        sa.select(_PUBLICATIONS).where(_PUBLICATIONS.c.publication_id == publication_id)
    ).first()
    if row is None:
        raise OpenpeelError(f"no publication {publication_id}; `openpeel publications list` shows them")
    return _publication(row)


def latest_publication(conn: sa.Connection, year: int | None = None) -> Publication | None:
    found = [p for p in publications(conn) if year is None or year in p.years]
    return found[-1] if found else None


def publication_head(conn: sa.Connection, year: int) -> int | None:
    """The audit chain head recorded by the latest publication of `year` (None: never published):
    what the public sees of the year is the workspace as it stood at that event."""
    c = _PUBLICATIONS.c
    rows = conn.execute(sa.select(c.years, c.head_event_id).order_by(c.publication_id.desc()))
    for years, head in rows:
        if year in {int(y) for y in years}:
            return int(head)
    return None


def publication_version(conn: sa.Connection) -> str:
    """Changes with every publication: pages served from published content depend on it."""
    return str(conn.execute(sa.select(sa.func.max(_PUBLICATIONS.c.publication_id))).scalar() or 0)


def report_versions(
    conn: sa.Connection, force_id: str | None = None, year: int | None = None
) -> list[ReportVersion]:
    c = _VERSIONS.c
    query = sa.select(_VERSIONS)
    if force_id is not None:
        query = query.where(c.force_id == force_id)
    if year is not None:
        query = query.where(c.year == year)
    return [_version(r) for r in conn.execute(query.order_by(c.year, c.force_id, c.version))]


def latest_versions(conn: sa.Connection, year: int) -> dict[str, ReportVersion]:
    """The version of each force's report the public sees for `year`, by force id."""
    return {v.force_id: v for v in report_versions(conn, year=year)}


def record_publication(
    conn: sa.Connection,
    *,
    by: str,
    years: Sequence[int],
    note: str | None,
    head: ChainHead,
    files: Mapping[str, bytes],
    versions: Sequence[NewVersion],
    kept: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> Publication:
    """Append one publication: `files` (path to bytes) are hashed, and those under `kept` (path
    prefixes: reports and downloads) stored, so they can be served and retrieved later."""
    actor = require_actor(by)
    key = require_key(conn)
    at = (now or dt.datetime.now(dt.UTC).replace(tzinfo=None)).replace(microsecond=0)
    last = conn.execute(sa.select(sa.func.max(_PUBLICATIONS.c.publication_id))).scalar()
    hashes: dict[str, str] = {}
    for path, data in sorted(files.items()):
        if any(path.startswith(p) for p in kept):
            hashes[path] = put_blob(conn, data, text=not path.endswith((".parquet", ".pdf")))
        else:
            hashes[path] = sha256_hex(data)
    draft = Publication(
        publication_id=int(last or 0) + 1,
        published_at=at,
        published_by=actor,
        years=tuple(sorted(set(years))),
        note=(note or "").strip() or None,
        head_event_id=head.event_id,
        head_hash=head.hash,
        files=hashes,
        mac="",
    )
    mac = row_mac(key, draft.signed_fields())
    conn.execute(
        sa.insert(_PUBLICATIONS).values(
            publication_id=draft.publication_id,
            published_at=at,
            published_by=actor,
            years=list(draft.years),
            note=draft.note,
            head_event_id=head.event_id,
            head_hash=head.hash,
            files_json=json.dumps(hashes, sort_keys=True),
            mac=mac,
        )
    )
    for new in versions:
        stored = {fmt: put_blob(conn, data) for fmt, data in sorted(new.contents.items())}
        row = ReportVersion(
            new.force_id,
            new.year,
            new.version,
            draft.publication_id,
            at,
            new.change_note,
            dict(sorted(new.judgements.items())),
            stored,
            "",
        )
        conn.execute(
            sa.insert(_VERSIONS).values(
                force_id=row.force_id,
                year=row.year,
                version=row.version,
                publication_id=row.publication_id,
                published_at=at,
                change_note=row.change_note,
                judgements_json=json.dumps(row.judgements, sort_keys=True),
                files_json=json.dumps(stored, sort_keys=True),
                mac=row_mac(key, row.signed_fields()),
            )
        )
    _append_event(conn, key, replace(draft, mac=mac))
    return replace(draft, mac=mac)


PUBLICATION_SCOPE = "all-forces"


def _append_event(conn: sa.Connection, key: bytes, pub: Publication) -> None:
    """The publication's event in the chain, then its head in the head log (after the commit):
    cutting the publication from the store later leaves a line naming an event that is gone."""
    files = json.dumps(pub.files, sort_keys=True).encode("utf-8")
    log = connection_head_log(conn)
    after = {
        "publication_id": pub.publication_id,
        "years": list(pub.years),
        "head_event_id": pub.head_event_id,
        "head_hash": pub.head_hash,
        "files_sha256": sha256_hex(files),
        "mac": pub.mac,
        # Where its head went: a head log missing from there later is itself a finding.
        "head_log": str(log.resolve()) if log is not None else None,
    }
    event = append_event(
        conn,
        key,
        actor=pub.published_by,
        action="publish-site",
        entity="publication",
        scope=(PUBLICATION_SCOPE, pub.years[0]),
        entity_id=str(pub.publication_id),
        before=None,
        after=after,
        reason=pub.note,
        now=pub.published_at,
    )
    append_head(conn, ChainHead.of(event), f"publication {pub.publication_id}", key=key)
