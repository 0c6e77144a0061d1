"""The audit key: the secret the audit chain is keyed with, kept outside the database.

An attacker who can write the database can recompute a plain hash chain after rewriting it; an
HMAC chain they cannot, without this key. It is set like the web secret (`audit_key`,
OPENPEEL_AUDIT_KEY or the OPENPEEL_CONFIG file). An SQLite store (the embedded default) with no
key configured gets a random one, generated once into `audit.key` beside the database file (the
home folder) with mode 0600 and reused; a PostgreSQL store has no such place the team shares, so
without a configured key its audit trail is not written at all.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from openpeel.core.errors import OpenpeelError

KEY_FILE = "audit.key"
_INFO = "openpeel_audit_key"


def key_file_for(url: str) -> Path | None:
    """Where the generated key of an SQLite store lives (None: not an SQLite file)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).parent / KEY_FILE


def _generated(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting at once agree on one key (the loser reads the winner's).
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if len(key) < 16:
            raise OpenpeelError(f"the audit key file {path} is empty or damaged") from None
        return key.encode()
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key.encode()


def resolve_audit_key(url: str, configured: str | None = None) -> bytes | None:
    """The key for the store at `url`: the configured one, else (SQLite) the generated file's."""
    if configured:
        return configured.encode()
    path = key_file_for(url)
    return _generated(path) if path is not None else None


def attach_key(engine: sa.Engine, key: bytes | None) -> None:
    """Give every connection of `engine` the key (in its connection info), so `apply_change`, which
    sees only a connection, finds it."""

    @sa.event.listens_for(engine, "connect")
    def on_connect(_dbapi_connection: object, record: sa.pool.ConnectionPoolEntry) -> None:
        record.info[_INFO] = key


def connection_key(conn: sa.Connection) -> bytes | None:
    key = conn.info.get(_INFO)
    return key if isinstance(key, bytes) else None


def require_key(conn: sa.Connection) -> bytes:
    key = connection_key(conn)
    if key is None:
        raise OpenpeelError(
            "refusing to write to the audit trail without the audit key: set OPENPEEL_AUDIT_KEY "
            "(or audit_key in the OPENPEEL_CONFIG file) to a long random value, the same for everyone "
            "writing this store, and keep it outside the database"
        )
    return key
