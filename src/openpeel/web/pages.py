"""Public pages: the force list with search, and each force's report for each PEEL year."""

from __future__ import annotations

from functools import cache
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from openpeel.forces import territorial_forces
from openpeel.forces.registry import normalise_name
from openpeel.framework import available_years
from openpeel.framework.published_grades import latest_published
from openpeel.publish.render import figure_html
from openpeel.publish.tile_map import latest_published_map
from openpeel.web.deps import Ws
from openpeel.web.session import current_user_optional
from openpeel.web.templating import html

router = APIRouter(include_in_schema=False)


@cache
def _tile_map() -> Markup:
    """The map of the grades last published: drawn once, as the table it comes from is shipped."""
    return figure_html(latest_published_map())


@router.get("/", response_class=HTMLResponse)
def home(request: Request, ws: Ws, q: str = "") -> Response:
    query = normalise_name(q) if q.strip() else ""
    forces = [
        f
        for f in territorial_forces()
        if not query
        or query in normalise_name(f.name)
        or query in normalise_name(f.ons_name)
        or query in normalise_name(f.region or "")
        or any(query in normalise_name(a) for a in f.aliases)
    ]
    session = current_user_optional(request, ws)
    return html(
        "home.html.j2",
        q=q,
        forces=forces,
        years=available_years(),
        published=latest_published(),
        tile_map=_tile_map(),
        user=session.user if session else None,
        csrf_token=session.csrf_token if session else "",
    )


@router.get("/reports/{year}/{force}")
def report_page(year: int, force: str) -> Response:
    """Older address of a report; the site's layout (/YEAR/FORCE.html) is the one to link to."""
    return Response(status_code=308, headers={"Location": f"/{year}/{quote(force, safe='')}.html"})
