"""The inspector workspace: sign in and out, and the pages behind the login."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from openpeel.assessment import judgements
from openpeel.assessment.judgements import current_judgements
from openpeel.core.errors import InputError, OpenpeelError, StorageError
from openpeel.evidence.models import FINDING_KINDS
from openpeel.evidence.store import stored_evidence, stored_force_years
from openpeel.forces import get_force, lookup, territorial_forces
from openpeel.framework import available_years, load_framework
from openpeel.indicators import catalogue
from openpeel.store.audit import read_row
from openpeel.web.deps import AppStore, Db, Ws
from openpeel.web.errors import ApiError
from openpeel.web.hosts import request_address
from openpeel.web.security import safe_next
from openpeel.web.session import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    current_user_optional,
    login_token,
    login_token_valid,
    require,
    set_session_cookie,
)
from openpeel.web.templating import html
from openpeel.web.users import Session, authenticate, end_session, start_session
from openpeel.web.workspace_actions import (
    add_inspection,
    form_version,
    form_versions,
    required_version,
    save_finding,
)

router = APIRouter(include_in_schema=False)


def _safe_next(path: str) -> str:
    # Only same-site paths: never redirect a signed-in user to another host.
    return safe_next(path)


def _login_form(
    request: Request, message: str = "", username: str = "", next_path: str = "/workspace", status: int = 200
) -> Response:
    token = login_token(request.app.state.settings.secret_key)
    response = html(
        "login.html.j2",
        status_code=status,
        message=message,
        username=username,
        next=_safe_next(next_path),
        login_csrf=token,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.cookie_secure,
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/workspace") -> Response:
    return _login_form(request, next_path=next)


@router.post("/login")
async def login(request: Request, store: AppStore) -> Response:
    form = dict(await request.form())
    # Password hashing and the store's writes run off the event loop: a sign-in never stalls others.
    return await run_in_threadpool(_login, request, store, form)


def _login(request: Request, store: Any, form: dict[str, Any]) -> Response:
    cookie_token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie_token or not login_token_valid(request.app.state.settings.secret_key, cookie_token):
        raise ApiError(
            403,
            "the sign-in form's security token is missing or not this server's; reload the page and try again",
        )
    check_csrf(cookie_token, form)
    username = str(form.get("username", "")).strip().lower()
    password = str(form.get("password", ""))
    client = request_address(request)
    throttle = request.app.state.throttle
    wait = throttle.retry_after(username, client)
    if wait:
        raise ApiError(429, f"too many failed sign-ins; try again in {wait} seconds", [{"retry_after": wait}])
    # argon2 takes tens of milliseconds of CPU: this runs in a worker thread (see `login`), and
    # outside any write transaction, so it holds up neither other requests nor other writers.
    with store.read() as ws:
        user = authenticate(ws, username, password)
    if user is None:
        throttle.failed(username, client)
        return _login_form(
            request, "User name or password not recognised.", username, str(form.get("next", "")), 401
        )
    throttle.succeeded(username, client)
    settings = request.app.state.settings
    with store.write() as ws:
        session = start_session(ws, user, settings.session_hours)
    response = RedirectResponse(_safe_next(str(form.get("next", "/workspace"))), status_code=303)
    set_session_cookie(
        response, session.token, max_age=int(settings.session_hours * 3600), secure=settings.cookie_secure
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request, store: AppStore) -> Response:
    form = dict(await request.form())

    def sign_out() -> None:
        with store.write() as ws:
            session = current_user_optional(request, ws)
            if session is not None:
                check_csrf(session.csrf_token, form)
                end_session(ws, session.token)

    await run_in_threadpool(sign_out)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


MESSAGES = {
    "finding-added": "Finding added; the rubric has been run again.",
    "finding-saved": "Finding saved; the rubric has been run again.",
    "inspection-added": "Inspection added.",
    "confirmed": "Grade confirmed.",
    "overridden": "Grade set, with your rationale.",
    "moderated": "Judgements marked moderated.",
    "published": "Judgements marked published: the public sees them once `openpeel publish` records a publication.",
}


@router.get("/workspace", response_class=HTMLResponse)
def workspace_home(request: Request, ws: Ws) -> Response:
    session = require(request, ws, "view")
    stored = stored_force_years(ws)
    return html(
        "workspace.html.j2",
        user=session.user,
        csrf_token=session.csrf_token,
        stored=[(get_force(f), y) for f, y in stored],
        forces=territorial_forces(),
        years=available_years(),
    )


@router.get("/workspace/open")
def workspace_open(request: Request, ws: Ws, force: str, year: int) -> Response:
    require(request, ws, "view")
    return RedirectResponse(f"/workspace/{year}/{lookup(force).force_id}", status_code=303)


def _force_page(
    request: Request,
    ws: sa.Connection,
    session: Session,
    year: int,
    force: str,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    if year not in available_years():
        raise ApiError(404, f"no PEEL {year} framework")
    area = lookup(force)
    framework = load_framework(year)
    evidence = stored_evidence(ws, area.force_id, year)
    stored_judgements = current_judgements(ws, area.force_id, year)
    findings = {
        q.id: [f for f in (evidence.findings if evidence else ()) if f.question == q.id]
        for q in framework.questions()
    }
    message = MESSAGES.get(request.query_params.get("done", ""), "")
    return html(
        "workspace_force.html.j2",
        status_code=status,
        user=session.user,
        csrf_token=session.csrf_token,
        force=area,
        year=year,
        framework=framework,
        evidence=evidence,
        judgements=stored_judgements,
        findings=findings,
        kinds=FINDING_KINDS,
        message=message,
        error=error,
        indicators=[i.id for i in catalogue().indicators],
    )


@router.get("/workspace/{year}/{force}", response_class=HTMLResponse)
def workspace_force(request: Request, ws: Ws, year: int, force: str) -> Response:
    session = require(request, ws, "view")
    return _force_page(request, ws, session, year, force)


Action = Callable[[sa.Connection, dict[str, Any], str], str]


async def _post(
    request: Request,
    permission: str,
    year: int,
    force: str,
    action: Action,
) -> Response:
    """Check sign-in, role and CSRF; run the action in one store transaction, off the event loop;
    redirect back, or show the form's error."""
    form = await request.form()
    data: dict[str, Any] = {
        k: (form.getlist(k) if len(form.getlist(k)) > 1 or k in MULTI else form.get(k)) for k in form
    }
    return await run_in_threadpool(_run_post, request, permission, year, force, action, data)


def _run_post(
    request: Request, permission: str, year: int, force: str, action: Action, data: dict[str, Any]
) -> Response:
    store = request.app.state.store
    area = lookup(force)
    # Who is signing is checked before the write begins, so the writers' turn on the store is
    # spent on the change alone; an error in the action ends the whole transaction.
    with store.read() as ws:
        session = require(request, ws, permission)
    check_csrf(session.csrf_token, data)
    try:
        with store.write(savepoints=False) as ws:
            done = action(ws, data, session.user.username)
    except OpenpeelError as exc:
        with store.read() as ws:
            session = require(request, ws, permission)
            return _force_page(
                request,
                ws,
                session,
                year,
                area.force_id,
                error=str(exc),
                status=503 if isinstance(exc, StorageError) else 422 if isinstance(exc, InputError) else 409,
            )
    request.app.state.data_version.bump((area.force_id, year))
    return RedirectResponse(f"/workspace/{year}/{area.force_id}?done={done}", status_code=303)


MULTI = {"topics", "explains", "indicators"}


@router.post("/workspace/{year}/{force}/findings")
async def add_finding(request: Request, con: Db, year: int, force: str) -> Response:
    def act(ws: sa.Connection, form: dict[str, Any], by: str) -> str:
        save_finding(con, ws, lookup(force).force_id, year, form, by=by)
        return "finding-added"

    return await _post(request, "edit_findings", year, force, act)


@router.post("/workspace/{year}/{force}/findings/{finding_id}")
async def edit_finding(request: Request, con: Db, year: int, force: str, finding_id: str) -> Response:
    def act(ws: sa.Connection, form: dict[str, Any], by: str) -> str:
        version = required_version(form)
        force_id = lookup(force).force_id
        save_finding(con, ws, force_id, year, form, by=by, finding_id=finding_id, expected_version=version)
        return "finding-saved"

    return await _post(request, "edit_findings", year, force, act)


@router.get("/workspace/{year}/{force}/findings/{finding_id}", response_class=HTMLResponse)
def edit_finding_form(request: Request, ws: Ws, year: int, force: str, finding_id: str) -> Response:
    session = require(request, ws, "edit_findings")
    area = lookup(force)
    evidence = stored_evidence(ws, area.force_id, year)
    finding = next((f for f in (evidence.findings if evidence else ()) if f.id == finding_id), None)
    if evidence is None or finding is None:
        raise ApiError(404, f"no finding {finding_id!r} for {area.force_id} {year}")
    stored = read_row(ws, "finding", (area.force_id, year, finding_id))
    return html(
        "workspace_finding.html.j2",
        user=session.user,
        csrf_token=session.csrf_token,
        force=area,
        year=year,
        framework=load_framework(year),
        evidence=evidence,
        finding=finding,
        version=stored["version"] if stored else "",
        kinds=FINDING_KINDS,
        indicators=[i.id for i in catalogue().indicators],
    )


@router.post("/workspace/{year}/{force}/inspections")
async def new_inspection(request: Request, con: Db, year: int, force: str) -> Response:
    def act(ws: sa.Connection, form: dict[str, Any], by: str) -> str:
        add_inspection(con, ws, lookup(force).force_id, year, form, by=by)
        return "inspection-added"

    return await _post(request, "edit_findings", year, force, act)


@router.post("/workspace/{year}/{force}/judgements/{question}/confirm")
async def confirm_grade(request: Request, year: int, force: str, question: str) -> Response:
    def act(ws: sa.Connection, form: dict[str, Any], by: str) -> str:
        version = form_version(form)
        force_id = lookup(force).force_id
        judgements.confirm(
            ws, force_id, year, question, by=by, reason=_reason(form), expected_version=version
        )
        return "confirmed"

    return await _post(request, "judge", year, force, act)


@router.post("/workspace/{year}/{force}/judgements/{question}/override")
async def override_grade(request: Request, year: int, force: str, question: str) -> Response:
    def act(ws: sa.Connection, form: dict[str, Any], by: str) -> str:
        judgements.override(
            ws,
            lookup(force).force_id,
            year,
            question,
            str(form.get("grade", "")),
            by=by,
            reason=_reason(form),
            expected_version=form_version(form),
        )
        return "overridden"

    return await _post(request, "judge", year, force, act)


@router.post("/workspace/{year}/{force}/moderate")
async def moderate_all(request: Request, year: int, force: str) -> Response:
    def act(ws: sa.Connection, form: dict[str, Any], by: str) -> str:
        seen = form_versions(form)
        judgements.moderate(
            ws, lookup(force).force_id, year, by=by, reason=_reason(form), expected_versions=seen
        )
        return "moderated"

    return await _post(request, "moderate", year, force, act)


@router.post("/workspace/{year}/{force}/publish")
async def publish_all(request: Request, year: int, force: str) -> Response:
    def act(ws: sa.Connection, form: dict[str, Any], by: str) -> str:
        seen = form_versions(form)
        judgements.publish(
            ws, lookup(force).force_id, year, by=by, reason=_reason(form), expected_versions=seen
        )
        return "published"

    return await _post(request, "moderate", year, force, act)


def _reason(form: dict[str, Any]) -> str | None:
    return str(form.get("reason", "")).strip() or None
