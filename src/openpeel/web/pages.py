"""Public pages: the force list with search, and each force's report for each PEEL year."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from openpeel.forces import territorial_forces
from openpeel.forces.registry import normalise_name
from openpeel.framework import available_years
from openpeel.publish.home import STATUS_LABELS, home_cycles, home_cycles_html
from openpeel.web.deps import Ws
from openpeel.web.session import current_user_optional
from openpeel.web.templating import html

router = APIRouter(include_in_schema=False)


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
    home = home_cycles()
    # The live app serves every cycle's pages, so each cycle's links are there.
    latest_html, cycles_html = home_cycles_html(home, available_years(), "/")
    return html(
        "home.html.j2",
        q=q,
        latest=home.latest,
        rows=home.force_rows(forces),
        status_labels=STATUS_LABELS,
        latest_html=latest_html,
        cycles_html=cycles_html,
        user=session.user if session else None,
        csrf_token=session.csrf_token if session else "",
    )


@router.get("/reports/{year}/{force}")
def report_page(year: int, force: str) -> Response:
    """Older address of a report; the site's layout (/YEAR/FORCE.html) is the one to link to."""
    return Response(status_code=308, headers={"Location": f"/{year}/{quote(force, safe='')}.html"})
