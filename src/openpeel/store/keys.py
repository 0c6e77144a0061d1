"""The audit key: the secret the audit chain is keyed with, kept outside the database.

An attacker who can write the database can recompute a plain hash chain after rewriting it; an
HMAC chain they cannot, without this key. It is set like the web secret (`audit_key`,
OPENPEEL_AUDIT_KEY or the OPENPEEL_CONFIG file). An SQLite store (the embedded default) with no
key configured uses a key file named for the store in the user's configuration folder
($XDG_CONFIG_HOME/openpeel/audit-keys, else ~/.config/openpeel/audit-keys), mode 0600: away
from the database's folder, so a copy of the data folder does not carry the key with it. A
PostgreSQL store has no such place the team shares, so without a configured key its audit trail
is not written at all.

A key is generated only for a store that has never been keyed (no audit event, no publication,
no line in the head log). Once one existed, a missing key is an error at the first write saying
how to restore it, or to rotate it (`openpeel audit rotate-key`, itself an audited event): a new
key made silently would leave the old chain unverifiable for ever.

A key file from before (`audit.key` beside the SQLite database) is moved to its new place the
first time the store is opened, with a note.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from openpeel.core.errors import OpenpeelError
from openpeel.store.schema import sa_table

OLD_KEY_FILE = "audit.key"
KEYS_FOLDER = "audit-keys"
NEW_KEY_VARIABLE = "OPENPEEL_NEW_AUDIT_KEY"
_KEYS_INFO = "openpeel_audit_keys"
_HEAD_LOG_INFO = "openpeel_head_log"


class MissingKeyError(OpenpeelError):
    """The store's chain was keyed, and its key is not where it should be."""


def config_home() -> Path:
    """openpeel's folder in the user's configuration ($XDG_CONFIG_HOME/openpeel)."""
    base = os.environ.get("XDG_CONFIG_HOME")
    return (Path(base) if base else Path.home() / ".config") / "openpeel"


def key_id(key: bytes) -> str:
    """A short public name for a key (it tells nothing about the key): head log lines and key
    rotations say which key signed what."""
    return hmac.new(key, b"openpeel audit key id", hashlib.sha256).hexdigest()[:16]


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def key_file_for(url: str) -> Path | None:
    """Where the key of an SQLite store lives (None: not an SQLite file): named for the store's
    file, so two stores never share a key by accident."""
    database = _sqlite_file(url)
    if database is None:
        return None
    resolved = database.resolve()
    digest = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:12]
    return config_home() / KEYS_FOLDER / f"{resolved.stem}-{digest}.key"


def old_key_file_for(url: str) -> Path | None:
    """Where earlier versions generated the key: beside the database file."""
    database = _sqlite_file(url)
    return None if database is None else database.parent / OLD_KEY_FILE


def retired_file(current: Path, kid: str) -> Path:
    return current.with_name(f"{current.stem}.retired-{kid}.key")


def staged_file(current: Path) -> Path:
    """A rotation's new key, written before the rotation's event commits (see `rotate_key`)."""
    return current.with_name(f"{current.stem}.next.key")


def note(message: str) -> None:
    """A one-time note for whoever runs the command (never a problem, never silent)."""
    print(f"note: {message}", file=sys.stderr)


def read_key_file(path: Path) -> bytes:
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise OpenpeelError(f"cannot read the audit key file {path}: {exc}") from None
    key = next((s.strip() for s in lines if s.strip() and not s.startswith("#")), "")
    if len(key) < 16:
        raise OpenpeelError(f"the audit key file {path} is empty or damaged")
    return key.encode()


def write_key_file(path: Path, key: str, *, about: str) -> bool:
    """Create `path` holding `key` (mode 0600); False if it exists already (another process won)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        path.parent.chmod(0o700)
    try:
        # O_EXCL: two processes starting at once agree on one key (the loser reads the winner's).
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(f"# openpeel audit key for {about}: keep a copy apart from the database\n{key}\n")
        handle.flush()
        os.fsync(handle.fileno())
    return True


def new_key() -> str:
    return secrets.token_hex(32)


def was_keyed(conn: sa.Connection) -> bool:
    """Whether the store's trail was ever signed: an event, a publication or a head log line."""
    for table in ("as_audit_events", "pb_publications"):
        if conn.execute(sa.select(sa.literal(1)).select_from(sa_table(table)).limit(1)).first():
            return True
    log = connection_head_log(conn)
    try:
        return log is not None and log.stat().st_size > 0
    except OSError:
        return False


@dataclass
class AuditKeys:
    """Where a store's key comes from: configured, or its key file (SQLite)."""

    store: str
    configured: bytes | None = None
    file: Path | None = None
    old_file: Path | None = None
    _cached: bytes | None = field(default=None, repr=False)
    _settled: bool = field(default=False, repr=False)
    _lock: Lock = field(default_factory=Lock, repr=False)

    @classmethod
    def for_store(cls, url: str, configured: str | None = None) -> AuditKeys:
        shown = make_url(url).render_as_string(hide_password=True)
        if configured:
            return cls(shown, configured=configured.encode())
        return cls(shown, file=key_file_for(url), old_file=old_key_file_for(url))

    def current(self) -> bytes | None:
        """The key, if there is one (never generates one)."""
        if self.configured is not None:
            return self.configured
        with self._lock:
            if self._cached is None and self.file is not None:
                if self.file.exists():
                    self._cached = read_key_file(self.file)
                elif self.old_file is not None and self.old_file.exists():
                    self._cached = self._move_old_key(self.old_file, self.file)
            return self._cached

    def forget(self) -> None:
        """Read the key file again next time (after a rotation replaced it)."""
        with self._lock:
            self._cached = None

    def _move_old_key(self, old: Path, new: Path) -> bytes:
        key = read_key_file(old)
        try:
            if not write_key_file(new, key.decode(), about=self.store):
                return read_key_file(new)
            old.unlink()
        except OSError as exc:
            note(
                f"the audit key is still read from {old}, beside the database; could not move it to {new} ({exc})"
            )
            return key
        note(
            f"moved the audit key from {old} (beside the database) to {new}: back it up apart from "
            "the data folder; a copy of that folder no longer carries it"
        )
        return key

    def settle(self, conn: sa.Connection) -> None:
        """Finish a rotation whose event committed but whose key files were not yet swapped."""
        self._settled = True
        if self.file is None or self.configured is not None:
            return
        staged = staged_file(self.file)
        if not staged.exists():
            return
        e = sa_table("as_audit_events").c
        last = conn.execute(
            sa.select(e.entity_id).where(e.entity == "audit-key").order_by(e.event_id.desc()).limit(1)
        ).scalar()
        new = read_key_file(staged)
        if last != key_id(new):
            return  # a rotation that never committed: the next one replaces the file
        old = read_key_file(self.file) if self.file.exists() else None
        move_into_place(staged, self.file, retired_file(self.file, key_id(old)) if old else None)
        self.forget()
        note(f"finished an interrupted key rotation: {self.file} now holds key {key_id(new)}")

    def for_writing(self, conn: sa.Connection) -> bytes:
        """The key to sign a new event with: generated only for a store never keyed before."""
        if not self._settled:
            self.settle(conn)
        key = self.current()
        if key is not None:
            return key
        if self.file is not None and not was_keyed(conn):
            with self._lock:
                write_key_file(self.file, new_key(), about=self.store)
                self._cached = read_key_file(self.file)
                return self._cached
        raise MissingKeyError(self.missing_message(conn))

    def by_id(self, kid: str) -> bytes | None:
        """A key this store used, by its id: the current one, or one retired by a rotation."""
        current = self.current()
        if current is not None and key_id(current) == kid:
            return current
        if self.file is None:
            return None
        for candidate in (retired_file(self.file, kid), staged_file(self.file)):
            if candidate.exists():
                key = read_key_file(candidate)
                if key_id(key) == kid:
                    return key
        return None

    def missing_message(self, conn: sa.Connection) -> str:
        if self.file is None and not was_keyed(conn):
            return (
                "refusing to write to the audit trail without the audit key: set OPENPEEL_AUDIT_KEY "
                "(or audit_key in the OPENPEEL_CONFIG file) to a long random value, the same for everyone "
                "writing this store, and keep it outside the database"
            )
        e = sa_table("as_audit_events").c
        count = conn.execute(sa.select(sa.func.count(e.event_id))).scalar() or 0
        where = f"there is no key file at {self.file}" if self.file else "OPENPEEL_AUDIT_KEY is not set"
        if count == 0:
            where += (
                f" (the trail is empty, but the head log {connection_head_log(conn)} or a publication says "
                "it was signed: to start over on purpose, move that log away too)"
            )
        restore = (
            f"copy the key file back to {self.file} (mode 0600) from your backup, or set OPENPEEL_AUDIT_KEY to it"
            if self.file
            else "set OPENPEEL_AUDIT_KEY (or audit_key in the OPENPEEL_CONFIG file) to it"
        )
        moved = self._matching_file(conn)
        hint = (
            f" ({moved} signs this chain: was the store moved? rename that file to {self.file})"
            if moved
            else ""
        )
        return (
            f"the audit key of {self.store} is missing: its audit trail ({count} events) was signed with a "
            f"key, and {where}. Nothing was written. Restore the key: {restore}{hint}. If it is lost for "
            "good, `openpeel audit rotate-key --lost-key --by NAME --reason WHY` continues the chain under "
            "a new key (verify then says the events before it could not be checked with their key). "
            "openpeel never makes a new key on its own once one existed."
        )

    def _matching_file(self, conn: sa.Connection) -> Path | None:
        """Another key file in the keys folder that signs this chain's last event (a moved store)."""
        if self.file is None or not self.file.parent.is_dir():
            return None
        from openpeel.store.audit import AuditEvent, event_content, events, keyed_hash

        found = events(conn)
        last: AuditEvent | None = found[-1] if found else None
        if last is None:
            return None
        for candidate in sorted(self.file.parent.glob("*.key")):
            try:
                key = read_key_file(candidate)
            except OpenpeelError:
                continue
            if hmac.compare_digest(keyed_hash(key, last.prev_hash, event_content(last)), last.hash):
                return candidate
        return None


def attach(engine: sa.Engine, keys: AuditKeys, head_log: Path | None) -> None:
    """Give every connection of `engine` the store's keys and head log (in its connection info),
    so `apply_change`, which sees only a connection, finds them."""

    @sa.event.listens_for(engine, "connect")
    def on_connect(_dbapi_connection: object, record: sa.pool.ConnectionPoolEntry) -> None:
        record.info[_KEYS_INFO] = keys
        record.info[_HEAD_LOG_INFO] = head_log


def connection_keys(conn: sa.Connection) -> AuditKeys | None:
    keys = conn.info.get(_KEYS_INFO)
    return keys if isinstance(keys, AuditKeys) else None


def connection_head_log(conn: sa.Connection) -> Path | None:
    log = conn.info.get(_HEAD_LOG_INFO)
    return log if isinstance(log, Path) else None


def connection_key(conn: sa.Connection) -> bytes | None:
    keys = connection_keys(conn)
    return keys.current() if keys is not None else None


def require_key(conn: sa.Connection) -> bytes:
    keys = connection_keys(conn)
    if keys is None:
        raise MissingKeyError("refusing to write to the audit trail without the audit key")
    return keys.for_writing(conn)


def move_into_place(staged: Path, current: Path, retired: Path | None) -> None:
    """Finish a rotation: the current key is kept as retired, the staged one becomes current."""
    if retired is not None and current.exists():
        shutil.move(current, retired)
    os.replace(staged, current)
