"""The FastAPI application: public pages, the JSON API and the inspector workspace."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from openpeel import __version__
from openpeel.assessment.public import public_version
from openpeel.core.locations import Locations
from openpeel.core.settings import Settings
from openpeel.store import Store
from openpeel.warehouse import WarehouseReader
from openpeel.web import api_docs, errors
from openpeel.web.access_log import AccessLog
from openpeel.web.cache import PageCache
from openpeel.web.cycles import Cycles
from openpeel.web.hosts import AllowedHosts
from openpeel.web.ratelimit import LoginThrottle, StoreCounts
from openpeel.web.response_cache import DataVersion, ResponseCache
from openpeel.web.security import SecurityHeaders
from openpeel.web.session import NotSignedIn


def open_data(settings: Settings) -> tuple[WarehouseReader, Store]:
    """The warehouse (read-only, following the snapshots writers put in place) and the workspace
    store the settings name; statistics are loaded from the bundle first if the warehouse has none.
    The web app's settings are its edge: the locations are made here and passed down."""
    from openpeel.assessment.prepare import open_ready

    where = Locations.from_settings(settings)
    con, store = open_ready(where, quiet=True)
    con.close()
    return WarehouseReader(where.warehouse), store


def query_names(app: FastAPI) -> frozenset[str]:
    """Every query parameter some route reads (by the name a client sends): the response cache
    keys on these alone, so junk parameters cannot grow it."""
    from fastapi.routing import APIRoute

    names: set[str] = set()
    routes = list(app.routes)
    while routes:
        route = routes.pop()
        included = getattr(route, "original_router", None)  # newer FastAPI wraps included routers
        if included is not None:
            routes += included.routes
        elif isinstance(route, APIRoute):
            dependants = [route.dependant]
            while dependants:
                dependant = dependants.pop()
                names |= {str(p.alias) for p in dependant.query_params}
                dependants += dependant.dependencies
    return frozenset(names)


def _throttle(settings: Settings, store: Store) -> LoginThrottle:
    """Sign-in backoff counted in the store, so all server processes share the counts."""
    return LoginThrottle(
        settings.login_attempts,
        settings.login_window_seconds,
        settings.login_backoff_max_seconds,
        counts=StoreCounts(store),
    )


def app_from_environment() -> FastAPI:
    """The app of a worker process (`openpeel serve --workers N`), whose settings come from the
    environment the serve command handed down: the edge of that process."""
    return create_app(Settings())


def create_app(settings: Settings, data: tuple[WarehouseReader, Store] | None = None) -> FastAPI:
    """The app; `data` (from `open_data`) for callers that drive it without its lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = data is None
        if owned:
            app.state.warehouse, app.state.store = open_data(settings)
            app.state.throttle = _throttle(settings, app.state.store)
            app.state.cycles = Cycles(app.state.warehouse)
            sys.stderr.write(f"openpeel: ready ({os.getpid()}): {settings.public_base_url}\n")
            sys.stderr.flush()
        yield
        if owned:
            app.state.cycles.close()
            app.state.warehouse.close()
            app.state.store.dispose()

    app = FastAPI(
        title="openpeel",
        version=__version__,
        summary="PEEL-style police force assessments: reports, indicators and judgements",
        lifespan=lifespan,
        docs_url=None,  # api_docs serves /docs from local files
        redoc_url=None,
    )
    app.state.settings = settings
    if data is not None:
        app.state.warehouse, app.state.store = data
        app.state.throttle = _throttle(settings, data[1])
        app.state.cycles = Cycles(data[0])
    app.state.pages = PageCache()
    app.state.downloads = {}
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
        # Public pages show the warehouse and what the publications recorded (see
        # openpeel.assessment.public): a new snapshot or a new publication makes a new version;
        # an inspector's work in between does not.
        warehouse = app.state.warehouse.snapshot()
        with app.state.store.read() as ws:
            return f"{warehouse}|{public_version(ws)}"

    def read_scope(_force: str, _year: int) -> str:
        return read_version()

    app.state.data_version = DataVersion(read_version, read_scope)
    app.add_middleware(ResponseCache, version=app.state.data_version, known_query=query_names(app))
    api_docs.install(app)
    # The last added runs first: every answer gets the security headers, and a request for another
    # host is refused before anything else runs, the response cache included.
    app.add_middleware(AllowedHosts, allowed=settings.hosts_allowed())
    app.add_middleware(SecurityHeaders)
    if settings.access_log:
        app.add_middleware(AccessLog)
    return app
