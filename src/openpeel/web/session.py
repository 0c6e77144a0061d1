"""Sign-in sessions (HttpOnly, SameSite cookies), CSRF tokens and permission checks."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

import sqlalchemy as sa
from fastapi import Request, Response

from openpeel.web.errors import ApiError
from openpeel.web.users import Session, find_session

SESSION_COOKIE = "openpeel_session"
LOGIN_CSRF_COOKIE = "openpeel_login_csrf"


def current_user_optional(request: Request, ws: sa.Connection) -> Session | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    return find_session(ws, token)


class NotSignedIn(Exception):
    """Raised for pages that need a session; the app answers with a redirect to /login."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


def require(request: Request, ws: sa.Connection, permission: str) -> Session:
    session = current_user_optional(request, ws)
    if session is None:
        if request.method == "GET":
            raise NotSignedIn(request.url.path)
        raise ApiError(401, "sign in first: this action needs an inspector workspace account")
    if not session.user.can(permission):
        raise ApiError(403, f"your role ({session.user.role}) does not allow this action")
    return session


def _login_mac(secret_key: str, nonce: str) -> str:
    return hmac.new(
        secret_key.encode(), b"openpeel sign-in form\0" + nonce.encode(), hashlib.sha256
    ).hexdigest()


def login_token(secret_key: str) -> str:
    """The sign-in form's security token: a nonce signed with the app's `secret_key`. Before a
    session there is nothing stored to compare a token with, so the signature is what shows the
    server made it: a token planted in the browser (a cookie set from a sibling host, say) by
    anyone without the secret is refused."""
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_login_mac(secret_key, nonce)}"


def login_token_valid(secret_key: str, token: str) -> bool:
    nonce, _, mac = token.partition(".")
    return bool(nonce) and hmac.compare_digest(mac, _login_mac(secret_key, nonce))


def check_csrf(session_token: str, form: dict[str, Any]) -> None:
    sent = str(form.get("csrf_token", ""))
    if not sent or not secrets.compare_digest(sent, session_token):
        raise ApiError(
            403, "the form's security token is missing or out of date; reload the page and try again"
        )


def set_session_cookie(response: Response, token: str, *, max_age: int, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="strict", secure=secure, path="/"
    )
