"""The audit head log: the chain's head, written outside the database, so a rollback or a wipe of
the store shows without anyone having kept anything.

One line per record, appended and never rewritten, each a JSON object: the event id and hash of
the chain's last event, when that event was recorded and when the line was written, what wrote
it (a publication, `openpeel audit head`, a key rotation), the id of the key that signed it and
the signature (HMAC-SHA256 with the audit key). Lines are written at every publication (from
`record_publication`), at `openpeel audit head` and at a key rotation, each only once its
transaction has committed, so the log never names an event that was rolled back. The log lives in
the home folder by default (`audit-heads.log`, or `audit_head_log` in the settings) and a copy of
it ships in every published site.

`openpeel audit verify` checks every line against the store: each event a line names must still
be there with the same hash; a line signed with a key that neither is the store's nor was
rotated from gives away a chain re-signed with another key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from openpeel.core.errors import OpenpeelError
from openpeel.core.locations import HEAD_LOG
from openpeel.store.audit import ChainCheck, ChainHead, events
from openpeel.store.engine import after_commit, pending_after_commit
from openpeel.store.keys import connection_head_log, connection_keys, key_id, require_key
from openpeel.store.schema import sa_table

LOG_FORMAT = "openpeel-audit-head-log/1"
_SIGNED = ("format", "event_id", "hash", "recorded_at", "written_at", "what", "key_id")
# Beyond this many lines that do not match, verify says how many more there are.
_SHOWN = 5


def _mac(key: bytes, fields: dict[str, Any]) -> str:
    body = json.dumps({k: fields[k] for k in _SIGNED}, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()


def head_line(key: bytes, head: ChainHead, what: str, now: dt.datetime | None = None) -> str:
    """One signed line of the log (with its newline)."""
    written = (now or dt.datetime.now(dt.UTC).replace(tzinfo=None)).replace(microsecond=0)
    fields: dict[str, Any] = {
        "format": LOG_FORMAT,
        "event_id": head.event_id,
        "hash": head.hash,
        "recorded_at": head.recorded_at,
        "written_at": written.isoformat(),
        "what": what,
        "key_id": key_id(key),
    }
    return json.dumps({**fields, "mac": _mac(key, fields)}, sort_keys=True) + "\n"


def _append(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            # A line cut short by a crash must not swallow the next one.
            if size and os.pread(fd, 1, size - 1) != b"\n":
                text = "\n" + text
            os.write(fd, text.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise OpenpeelError(
            f"the audit head log {path} could not be written ({exc.strerror or exc}): the change is saved "
            "in the store, but its head is not recorded outside it; make the file writable (or set "
            "audit_head_log), then run `openpeel audit head`"
        ) from None


@dataclass(frozen=True)
class _PendingLine:
    """A line waiting for its transaction to commit, then appended to `path` (if there is one)."""

    path: Path | None
    text: str

    def __call__(self) -> None:
        if self.path is not None:
            _append(self.path, self.text)


def append_head(conn: sa.Connection, head: ChainHead, what: str, *, key: bytes | None = None) -> str:
    """Record `head` in the store's head log once `conn`'s transaction commits (at once outside
    `Store.write`); returns the line. A store opened without a head log writes none, but a site
    published through it still ships the line (`ship_head_log`)."""
    line = head_line(key if key is not None else require_key(conn), head, what)
    after_commit(conn, _PendingLine(connection_head_log(conn), line))
    return line


def ship_head_log(conn: sa.Connection, folder: Path) -> Path:
    """Copy the head log into a site being published (`folder`), with the lines this transaction
    will append (the publication's own), so anyone holding a copy of the site can check a store
    against it later (`openpeel audit verify --head-log SITE/audit-heads.log`)."""
    log = connection_head_log(conn)
    try:
        text = log.read_text(encoding="utf-8") if log is not None and log.exists() else ""
    except OSError as exc:
        raise OpenpeelError(f"cannot read the audit head log {log}: {exc.strerror or exc}") from None
    if text and not text.endswith("\n"):
        text += "\n"
    text += "".join(h.text for h in pending_after_commit(conn) if isinstance(h, _PendingLine))
    target = folder / HEAD_LOG
    target.write_text(text, encoding="utf-8")
    return target


@dataclass(frozen=True)
class HeadLine:
    number: int
    event_id: int
    hash: str
    recorded_at: str
    written_at: str
    what: str
    key_id: str
    mac: str
    fields: dict[str, Any]

    def describe(self, path: Path) -> str:
        return (
            f"{path.name} line {self.number} ({self.what}, written {self.written_at.replace('T', ' ')} UTC)"
        )


def read_head_log(path: Path) -> tuple[list[HeadLine], list[str]]:
    """The log's lines, and a problem for each one that is not a head log line."""
    try:
        raw = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return [], [f"cannot read the audit head log {path}: {exc}"]
    lines, problems = [], []
    for number, text in enumerate(raw, start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            fields = {k: data[k] for k in _SIGNED}
            if fields["format"] != LOG_FORMAT:
                raise ValueError(f"format {fields['format']!r}")
            lines.append(
                HeadLine(
                    number,
                    int(fields["event_id"]),
                    str(fields["hash"]),
                    str(fields["recorded_at"]),
                    str(fields["written_at"]),
                    str(fields["what"]),
                    str(fields["key_id"]),
                    str(data["mac"]),
                    fields,
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(f"{path.name} line {number} is not a head log line ({exc}): damaged or edited")
    return lines, problems


def _recorded_here(conn: sa.Connection, path: Path) -> list[int]:
    """Publications whose head was appended to the log at `path`."""
    target = str(path.resolve())
    return [
        int(e.entity_id)
        for e in events(conn, entities=["publication"])
        if (e.after or {}).get("head_log") == target
    ]


@dataclass
class LogCheck:
    problems: list[str]
    notes: list[str]
    # The furthest event a line signed with a held key records, with the store's hash: a keyed
    # head, which pins plain SHA-256 links before it (events moved from an old warehouse).
    pinned_to: int = 0


def check_head_log(conn: sa.Connection, path: Path, chain: ChainCheck, *, configured: bool) -> LogCheck:
    """Every line of the log at `path` against the store: signed by a key of this chain, and
    naming an event the store still has, with the same hash."""
    result = LogCheck([], [])
    if not path.exists():
        wrote = _recorded_here(conn, path) if configured else []
        if wrote:
            result.problems.append(
                f"the audit head log {path} is missing, but publication {wrote[-1]} recorded its head "
                "there: it was deleted, or this is not the home folder it was written in (give the log "
                "with --head-log, e.g. the copy in the published site)"
            )
        elif configured:
            result.notes.append(
                f"no audit head log at {path} yet (written at every publication and `openpeel audit head`)"
            )
        else:
            result.problems.append(f"no audit head log at {path}")
        return result
    lines, damaged = read_head_log(path)
    result.problems += damaged
    e = sa_table("as_audit_events").c
    stored = {int(r[0]): str(r[1]) for r in conn.execute(sa.select(e.event_id, e.hash))}
    last = max(stored, default=0)
    rotated_from = {s.key_id for s in chain.segments if s.key_id is not None}
    keys = connection_keys(conn)
    keyless = keys is None or keys.current() is None
    unheld: set[str] = set()
    found: list[str] = []
    for line in lines:
        where = line.describe(path)
        key = keys.by_id(line.key_id) if keys is not None else None
        if key is not None:
            if not hmac.compare_digest(_mac(key, line.fields), line.mac):
                found.append(
                    f"{where}: its signature does not match its content: the line was edited or forged"
                )
                continue
        elif line.key_id in rotated_from or keyless:
            unheld.add(line.key_id)
        else:
            found.append(
                f"{where}: signed with key {line.key_id}, which is neither this store's key nor one its chain "
                "was rotated from: the chain was re-signed with another key, or the line was forged"
            )
        if line.event_id == 0:
            continue
        if line.event_id not in stored:
            ends = f"its chain ends at event {last}" if stored else "it has no audit events at all"
            found.append(
                f"{where} records event {line.event_id}, but the store has no event {line.event_id} "
                f"({ends}): events were cut from the log (a rollback or a wipe)"
            )
        elif stored[line.event_id] != line.hash:
            found.append(
                f"{where} records event {line.event_id} with another hash than the store's: the chain "
                "was rewritten or re-signed up to it"
            )
    result.problems += found[:_SHOWN]
    if len(found) > _SHOWN:
        result.problems.append(f"{len(found) - _SHOWN} more problem(s) with lines of {path.name}")
    for kid in sorted(unheld):
        result.notes.append(
            f"{path.name}: lines signed with key {kid}, which is not held here: what they record is "
            "checked, their signatures are not"
        )
    if lines and not found:
        newest = lines[-1]
        result.notes.append(
            f"head log {path}: {len(lines)} line(s), the last records event {newest.event_id} "
            f"({newest.what}): every one in the chain"
        )
    return result


def check_head_logs(conn: sa.Connection, chain: ChainCheck, extra: Sequence[Path] = ()) -> LogCheck:
    """The store's own head log (where configured) and any copies given."""
    result = LogCheck([], [])
    configured = connection_head_log(conn)
    for path, own in [*([(configured, True)] if configured else []), *((p, False) for p in extra)]:
        found = check_head_log(conn, path, chain, configured=own)
        result.problems += found.problems
        result.notes += found.notes
        result.pinned_to = max(result.pinned_to, found.pinned_to)
    if configured is None and not extra:
        result.notes.append("no audit head log configured for this store: only the database was checked")
    return result
