"""Users of the inspector workspace: roles, argon2 password hashes, sessions.

A plain library: the CLI (`openpeel users add`) and the web app both call it. Who may sign in and
with which role is audited: every change to `web_users` goes through
`openpeel.store.user_audit.apply_user_change`, which records it in the audit trail, so `openpeel
audit verify` catches a role or account changed in the database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import getpass
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from openpeel.core.errors import OpenpeelError
from openpeel.store import transaction
from openpeel.store.audit import require_actor
from openpeel.store.schema import sa_table
from openpeel.store.user_audit import apply_user_change

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
_USERS = sa_table("web_users")
_SESSIONS = sa_table("web_sessions")
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


def _check_role(role: str) -> Role:
    for known in ROLES:
        if known == role:
            return known
    raise OpenpeelError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")


def add_user(
    ws: sa.Connection,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    *,
    by: str | None = None,
) -> User:
    """Add a user; `by` (default: the system account running this) is kept in the audit trail."""
    if not _USERNAME.match(username):
        raise OpenpeelError(
            f"user name {username!r} must be 2-40 characters: lower-case letters, digits, '.', '_' or '-'"
        )
    checked = _check_role(role)
    if len(password) < MIN_PASSWORD:
        raise OpenpeelError(f"password must be at least {MIN_PASSWORD} characters")
    with transaction(ws):
        exists = ws.execute(sa.select(_USERS.c.username).where(_USERS.c.username == username)).first()
        if exists:
            raise OpenpeelError(f"user {username!r} already exists")
        apply_user_change(
            ws,
            username,
            {
                "username": username,
                "display_name": display_name or username,
                "role": role,
                "password_hash": _hasher.hash(password),
                "created_at": _now().replace(microsecond=0),
                "is_active": True,
                "disabled_at": None,
                "disabled_by": None,
            },
            by=by or getpass.getuser(),
            action="add-user",
        )
    return User(username, display_name or username, checked)


def _row(ws: sa.Connection, username: str) -> dict[str, object]:
    row = ws.execute(sa.select(_USERS).where(_USERS.c.username == username)).mappings().first()
    if row is None:
        raise OpenpeelError(f"no user {username!r}; see openpeel users list")
    return dict(row)


def set_role(ws: sa.Connection, username: str, role: str, *, by: str, reason: str | None = None) -> bool:
    """Give a user another role (audited); False if they had it already."""
    _check_role(role)
    with transaction(ws):
        row = _row(ws, username)
        event = apply_user_change(
            ws, username, {**row, "role": role}, by=by, action="set-role", reason=reason
        )
    return event is not None


def list_users(ws: sa.Connection) -> list[User]:
    u = _USERS.c
    rows = ws.execute(
        sa.select(u.username, u.display_name, u.role).where(u.is_active).order_by(u.username)
    ).all()
    return [User(str(u), str(d), r) for u, d, r in rows]


def _existing(ws: sa.Connection, username: str) -> tuple[str, bool]:
    """The user's display name and whether they are active."""
    u = _USERS.c
    row = ws.execute(sa.select(u.username, u.display_name, u.is_active).where(u.username == username)).first()
    if row is None:
        raise OpenpeelError(f"no user {username!r}; see openpeel users list")
    return str(row[1]), bool(row[2])


def disable_user(ws: sa.Connection, username: str, *, by: str) -> int:
    """Stop a user signing in, keeping the account (and the name its changes carry in the audit
    trail); ends every session of theirs at once. Records who disabled it and when. Returns the
    number of sessions ended."""
    who = require_actor(by)
    with transaction(ws):
        _, active = _existing(ws, username)
        if not active:
            raise OpenpeelError(f"user {username!r} is already disabled")
        row = _row(ws, username)
        values = {**row, "is_active": False, "disabled_at": _now().replace(microsecond=0), "disabled_by": who}
        apply_user_change(ws, username, values, by=who, action="disable-user")
        ended = ws.execute(sa.delete(_SESSIONS).where(_SESSIONS.c.username == username))
    return int(ended.rowcount or 0)


def remove_user(ws: sa.Connection, username: str, *, by: str | None = None) -> None:
    """Delete a user who never made an audited change; anyone else is disabled instead, so that
    the audit trail's names keep pointing at an account. The removal itself is audited."""
    e = sa_table("as_audit_events").c
    with transaction(ws):
        display_name, _ = _existing(ws, username)
        names = {username, display_name}
        made = ws.execute(sa.select(sa.func.count()).where(e.actor.in_(names))).scalar()
        if made:
            raise OpenpeelError(
                f"user {username!r} made {made} audited change(s): disable the account instead "
                f"(openpeel users disable {username} --by NAME), which keeps it for the audit trail"
            )
        ws.execute(sa.delete(_SESSIONS).where(_SESSIONS.c.username == username))
        apply_user_change(ws, username, None, by=by or getpass.getuser(), action="remove-user")


def authenticate(ws: sa.Connection, username: str, password: str) -> User | None:
    u = _USERS.c
    row = ws.execute(
        sa.select(u.username, u.display_name, u.role, u.password_hash).where(
            u.username == username, u.is_active
        )
    ).first()
    if row is None:
        # Spend the same time as a real check so a missing user can't be told from a wrong password.
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher.verify(_dummy_hash(), password)
        return None
    try:
        _hasher.verify(str(row[3]), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return User(str(row[0]), str(row[1]), row[2])


@functools.cache
def _dummy_hash() -> str:
    # Made on the first sign-in for an unknown name, not at import: an argon2 hash costs about a
    # tenth of a second, and `openpeel serve` should answer as soon as it can.
    return _hasher.hash("not-a-real-password-0")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    token: str
    csrf_token: str
    user: User


def start_session(ws: sa.Connection, user: User, hours: float) -> Session:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = _now()
    with transaction(ws):
        ws.execute(
            sa.insert(_SESSIONS).values(
                token_sha256=_token_hash(token),
                username=user.username,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + dt.timedelta(hours=hours),
            )
        )
    return Session(token, csrf, user)


def find_session(ws: sa.Connection, token: str) -> Session | None:
    s, u = _SESSIONS.c, _USERS.c
    row = ws.execute(
        sa.select(s.csrf_token, u.username, u.display_name, u.role)
        .join_from(_SESSIONS, _USERS, s.username == u.username)
        .where(s.token_sha256 == _token_hash(token), s.expires_at > _now(), u.is_active)
    ).first()
    if row is None:
        return None
    return Session(token, str(row[0]), User(str(row[1]), str(row[2]), row[3]))


def end_session(ws: sa.Connection, token: str) -> None:
    with transaction(ws):
        ws.execute(sa.delete(_SESSIONS).where(_SESSIONS.c.token_sha256 == _token_hash(token)))
