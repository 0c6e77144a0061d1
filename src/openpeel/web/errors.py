"""One JSON error shape for the whole API, and HTML error pages for the site.

Every API error is {"error": {"status": ..., "code": ..., "message": ..., "details": [...]}},
whatever raised it: a validation failure, an unknown force, a missing route.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import escape
from starlette.exceptions import HTTPException as StarletteHTTPException

from openpeel.core.errors import InputError, OpenpeelError, StorageError, UnknownNameError

CODES = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid_parameters",
    429: "too_many_requests",
    500: "server_error",
}


class ApiError(Exception):
    def __init__(self, status: int, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []


def error_body(status: int, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "error": {
            "status": status,
            "code": CODES.get(status, "error"),
            "message": message,
            "details": details or [],
        }
    }


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _respond(
    request: Request, status: int, message: str, details: list[dict[str, Any]] | None = None
) -> Response:
    headers = {"Cache-Control": "no-store"}
    if status == 429 and details:
        retry = details[0].get("retry_after")
        if retry:
            headers["Retry-After"] = str(retry)
    if _wants_json(request):
        return JSONResponse(error_body(status, message, details), status_code=status, headers=headers)
    page = (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{status}</title></head>'
        f'<body><main><h1>{status}</h1><p>{escape(message)}</p><p><a href="/">openpeel home</a></p></main></body></html>'
    )
    return HTMLResponse(page, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return _respond(request, exc.status, exc.message, exc.details)

    @app.exception_handler(UnknownNameError)
    async def unknown_name(request: Request, exc: UnknownNameError) -> Response:
        details = [{"suggestions": exc.suggestions}] if exc.suggestions else []
        return _respond(request, 404, str(exc), details)

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        return _respond(request, 422, str(exc), [{"field": exc.field}] if exc.field else [])

    @app.exception_handler(StorageError)
    async def storage_error(request: Request, exc: StorageError) -> Response:
        # The disk or the database refused a write: nothing was changed; say so, not "internal error".
        return _respond(request, 503, str(exc))

    @app.exception_handler(OpenpeelError)
    async def openpeel_error(request: Request, exc: OpenpeelError) -> Response:
        return _respond(request, 409, str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        details = [
            {"location": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        return _respond(request, 422, "invalid request parameters", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _respond(request, exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        return _respond(request, 500, "internal error: the server could not complete the request")
