"""Users of the inspector workspace: roles, argon2 password hashes, sessions.

A plain library: the CLI (`openpeel users add`) and the web app both call it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Literal

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from openpeel.core.errors import OpenpeelError
from openpeel.warehouse import transaction

Role = Literal["viewer", "inspector", "lead-inspector", "moderator", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "inspector", "lead-inspector", "moderator", "admin")

# What each role may do. Inspectors record findings; lead inspectors also confirm or override
# grades; moderators move grades through moderation to publication; admins do everything.
PERMISSIONS: dict[Role, frozenset[str]] = {
    "viewer": frozenset({"view"}),
    "inspector": frozenset({"view", "edit_findings"}),
    "lead-inspector": frozenset({"view", "edit_findings", "judge"}),
    "moderator": frozenset({"view", "moderate"}),
    "admin": frozenset({"view", "edit_findings", "judge", "moderate", "admin"}),
}

_hasher = PasswordHasher()
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD = 10


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: Role

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS[self.role]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def add_user(
    con: duckdb.DuckDBPyConnection, username: str, password: str, role: str, display_name: str | None = None
) -> User:
    if not _USERNAME.match(username):
        raise OpenpeelError(
            f"user name {username!r} must be 2-40 characters: lower-case letters, digits, '.', '_' or '-'"
        )
    if role not in ROLES:
        raise OpenpeelError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise OpenpeelError(f"password must be at least {MIN_PASSWORD} characters")
    with transaction(con):
        exists = con.execute("SELECT 1 FROM web_users WHERE username = ?", [username]).fetchone()
        if exists:
            raise OpenpeelError(f"user {username!r} already exists")
        con.execute(
            "INSERT INTO web_users VALUES (?, ?, ?, ?, ?, true)",
            [username, display_name or username, role, _hasher.hash(password), _now()],
        )
    return User(username, display_name or username, role)


def list_users(con: duckdb.DuckDBPyConnection) -> list[User]:
    rows = con.execute(
        "SELECT username, display_name, role FROM web_users WHERE is_active ORDER BY username"
    ).fetchall()
    return [User(str(u), str(d), r) for u, d, r in rows]


def authenticate(con: duckdb.DuckDBPyConnection, username: str, password: str) -> User | None:
    row = con.execute(
        "SELECT username, display_name, role, password_hash FROM web_users WHERE username = ? AND is_active",
        [username],
    ).fetchone()
    if row is None:
        # Spend the same time as a real check so a missing user can't be told from a wrong password.
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher.verify(_DUMMY_HASH, password)
        return None
    try:
        _hasher.verify(str(row[3]), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return User(str(row[0]), str(row[1]), row[2])


_DUMMY_HASH = _hasher.hash("not-a-real-password-0")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    token: str
    csrf_token: str
    user: User


def start_session(con: duckdb.DuckDBPyConnection, user: User, hours: float) -> Session:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = _now()
    con.execute(
        "INSERT INTO web_sessions VALUES (?, ?, ?, ?, ?)",
        [_token_hash(token), user.username, csrf, now, now + dt.timedelta(hours=hours)],
    )
    return Session(token, csrf, user)


def find_session(con: duckdb.DuckDBPyConnection, token: str) -> Session | None:
    row = con.execute(
        "SELECT s.csrf_token, u.username, u.display_name, u.role FROM web_sessions s "
        "JOIN web_users u ON u.username = s.username "
        "WHERE s.token_sha256 = ? AND s.expires_at > ? AND u.is_active",
        [_token_hash(token), _now()],
    ).fetchone()
    if row is None:
        return None
    return Session(token, str(row[0]), User(str(row[1]), str(row[2]), row[3]))


def end_session(con: duckdb.DuckDBPyConnection, token: str) -> None:
    con.execute("DELETE FROM web_sessions WHERE token_sha256 = ?", [_token_hash(token)])
