"""The FastAPI application: public pages, the JSON API and the inspector workspace."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import duckdb
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from openpeel import __version__
from openpeel.web import api_docs, errors
from openpeel.web.cache import PageCache, data_version
from openpeel.web.hosts import AllowedHosts
from openpeel.web.ratelimit import LoginThrottle
from openpeel.web.response_cache import DataVersion, ResponseCache
from openpeel.web.security import SecurityHeaders
from openpeel.web.session import NotSignedIn
from openpeel.web.settings import Settings


def open_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse, with statistics and indicators loaded from the bundle if it is empty."""
    from openpeel.pipeline import has_statistics, prepare_warehouse
    from openpeel.warehouse import connect

    con = connect(path)
    if not has_statistics(con):
        prepare_warehouse(con, None, with_evidence=True)
    return con


def create_app(settings: Settings | None = None, con: duckdb.DuckDBPyConnection | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = con is None
        app.state.con = con if con is not None else open_warehouse(settings.db)
        yield
        if owned:
            app.state.con.close()

    app = FastAPI(
        title="openpeel",
        version=__version__,
        summary="PEEL-style police force assessments: reports, indicators and judgements",
        lifespan=lifespan,
        docs_url=None,  # api_docs serves /docs from local files
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.pages = PageCache()
    app.state.downloads = {}
    app.state.throttle = LoginThrottle(
        settings.login_attempts, settings.login_window_seconds, settings.login_backoff_max_seconds
    )
    app.state.version_queries = ("SELECT count(*)::VARCHAR FROM as_audit_events",)
    if con is not None:
        app.state.con = con
    errors.install(app)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_path, safe='/')}", status_code=303)

    from openpeel.web import api, pages, site_pages, workspace

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(workspace.router)
    app.include_router(site_pages.router)

    def read_version() -> str:
        cursor = app.state.con.cursor()
        try:
            return data_version(cursor, app.state.version_queries)
        finally:
            cursor.close()

    app.state.data_version = DataVersion(read_version)
    app.add_middleware(ResponseCache, version=app.state.data_version)
    api_docs.install(app)
    # The last added runs first: every answer gets the security headers, and a request for another
    # host is refused before anything else runs, the response cache included.
    app.add_middleware(AllowedHosts, allowed=settings.hosts_allowed())
    app.add_middleware(SecurityHeaders)
    return app
