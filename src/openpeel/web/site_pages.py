"""The static site's pages, served live from the warehouse at the same paths as `openpeel publish`
writes them (DIR/YEAR/FORCE.html, DIR/YEAR/index.html, ...), from the same templates and page
functions, so relative links and navigation work identically in both.

A report that has a published version is served as published (its latest version, or
FORCE.vN.html for an earlier one), and a year's downloads as its latest publication wrote them:
what the public was shown does not change under it when data or findings change.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse

from openpeel.assessment.public import force_progress, public_force, public_year
from openpeel.evidence.followed import next_cycle
from openpeel.forces import get_force, lookup
from openpeel.framework import available_years, load_framework
from openpeel.publish import render
from openpeel.publish.cycle import Cycle
from openpeel.publish.export import DOWNLOADS, export_year
from openpeel.publish.site import (
    dictionary_page,
    download_counts,
    downloads_page,
    force_years_page,
    index_page,
    methodology_page,
    overview_page,
    scan_page,
    site_nav,
)
from openpeel.store.publications import latest_publication, read_blob, report_versions
from openpeel.web.deps import Ws
from openpeel.web.errors import ApiError

router = APIRouter(include_in_schema=False)
HEADERS = {"Cache-Control": "public, max-age=60"}


def _year(year: int) -> int:
    if year not in available_years():
        raise ApiError(
            404, f"no PEEL {year} framework; years available: {', '.join(map(str, available_years()))}"
        )
    return year


def _cached(request: Request, key: tuple[str, ...], render_page: Callable[[], str]) -> HTMLResponse:
    full_key = (*key, request.app.state.data_version(request.url.path))
    return HTMLResponse(request.app.state.pages.get_or_render(full_key, render_page), headers=HEADERS)


@router.get("/index.html", response_class=HTMLResponse)
def site_index(request: Request) -> Response:
    return _cached(request, ("index",), lambda: index_page([load_framework(y) for y in available_years()]))


@router.get("/methodology.html", response_class=HTMLResponse)
def methodology(request: Request) -> Response:
    return _cached(request, ("methodology",), lambda: methodology_page(available_years()[-1]))


@router.get("/data-dictionary.html", response_class=HTMLResponse)
def data_dictionary(request: Request) -> Response:
    return _cached(request, ("dictionary",), lambda: dictionary_page(available_years()[-1]))


def _cycle(request: Request, year: int) -> Cycle:
    """The cycle's warehouse inputs, read once per warehouse snapshot (openpeel.web.cycles)."""
    cycle: Cycle = request.app.state.cycles.get(year)
    return cycle


def _public_cycle(request: Request, ws: sa.Connection, year: int) -> Cycle:
    public = public_year(ws, year)
    return _cycle(request, year).with_public(public.evidence, public.judgements, public.progress)


@router.get("/forces/{force}.html", response_class=HTMLResponse)
def force_across_years(request: Request, ws: Ws, force: str) -> Response:
    area = lookup(force)
    if not area.is_territorial:
        raise ApiError(404, f"{area.name} is not one of the 43 territorial forces assessed")

    def render_page() -> str:
        years = available_years()
        cycles = []
        for y in years:
            evidence, stored = public_force(ws, area.force_id, y)
            shown = {area.force_id: evidence} if evidence is not None else {}
            progress = {area.force_id: force_progress(ws, area.force_id, y)}
            cycles.append(_cycle(request, y).with_public(shown, {area.force_id: stored}, progress))
        return force_years_page(cycles, set(years), years[-1], area.force_id)

    return _cached(request, ("force-years", area.force_id), render_page)


@router.get("/{year}/index.html", response_class=HTMLResponse)
def overview(request: Request, ws: Ws, year: int) -> Response:
    _year(year)
    return _cached(request, ("overview", str(year)), lambda: overview_page(_public_cycle(request, ws, year)))


@router.get("/{year}/scan.html", response_class=HTMLResponse)
def scan(request: Request, year: int) -> Response:
    _year(year)

    def render_page() -> str:
        cycle = _cycle(request, year)
        names = {f.force_id: f.name for f in (get_force(r.force_id) for r in cycle.scan)}
        return scan_page(names, cycle.framework, cycle.scan)

    return _cached(request, ("scan", str(year)), render_page)


def _downloads_folder(request: Request, ws: sa.Connection, year: int) -> Path:
    """The year's download files, written once per data version into a temporary folder."""
    version = request.app.state.data_version()
    folders: dict[tuple[int, str], tempfile.TemporaryDirectory[str]] = request.app.state.downloads
    key = (year, version)
    if key not in folders:
        for old in [k for k in folders if k[0] == year]:
            folders.pop(old).cleanup()
        holder = tempfile.TemporaryDirectory(prefix=f"openpeel-downloads-{year}-")
        published = latest_publication(ws, year)
        prefix = f"{year}/downloads/"
        if published is not None and any(p.startswith(prefix) for p in published.files):
            for path, digest in published.files.items():
                if path.startswith(prefix):
                    (Path(holder.name) / path.removeprefix(prefix)).write_bytes(read_blob(ws, digest))
        else:
            following = next_cycle(year)
            later = public_year(ws, following.to_year).evidence if following is not None else {}
            export_year(_public_cycle(request, ws, year), Path(holder.name), following=later)
        folders[key] = holder
    return Path(folders[key].name)


@router.get("/{year}/downloads.html", response_class=HTMLResponse)
def downloads(request: Request, ws: Ws, year: int) -> Response:
    _year(year)
    folder = _downloads_folder(request, ws, year)
    return _cached(
        request,
        ("downloads", str(year)),
        lambda: downloads_page(load_framework(year), download_counts(folder)),
    )


@router.get("/{year}/downloads/{name}")
def download_file(request: Request, ws: Ws, year: int, name: str) -> Response:
    _year(year)
    allowed = {f"{d.name}.{ext}" for d in DOWNLOADS for ext in ("csv", "parquet")}
    if name not in allowed:
        raise ApiError(404, f"no download {name!r}; files: {', '.join(sorted(allowed))}")
    path = _downloads_folder(request, ws, year) / name
    if not path.exists():
        raise ApiError(404, f"the published downloads of {year} hold no {name} (published before it existed)")
    media = "text/csv; charset=utf-8" if name.endswith(".csv") else "application/vnd.apache.parquet"
    return FileResponse(path, media_type=media, filename=name)


def _published_html(ws: sa.Connection, force_id: str, year: int, version: int | None = None) -> str | None:
    """The report as published (the latest version, or `version`); None: never published."""
    versions = report_versions(ws, force_id, year)
    chosen = [v for v in versions if version is None or v.version == version]
    return read_blob(ws, chosen[-1].files["html"]).decode("utf-8") if chosen else None


@router.get("/{year}/{force}.v{version:int}.html", response_class=HTMLResponse)
def report_version(request: Request, ws: Ws, year: int, force: str, version: int) -> Response:
    """An earlier (or the latest) published version of a report, exactly as it was published."""
    _year(year)
    area = lookup(force)
    html = _published_html(ws, area.force_id, year, version)
    if html is None:
        there = ", ".join(str(v.version) for v in report_versions(ws, area.force_id, year))
        raise ApiError(
            404,
            f"no published version {version} of {area.force_id}'s PEEL {year} report; versions: {there or 'none'}",
        )
    return HTMLResponse(html, headers=HEADERS)


@router.get("/{year}/{force}.html", response_class=HTMLResponse)
def report(request: Request, ws: Ws, year: int, force: str) -> Response:
    _year(year)
    area = lookup(force)
    if area.force_id != force:
        return Response(status_code=308, headers={"Location": f"/{year}/{area.force_id}.html"})
    if not get_force(area.force_id).is_territorial:
        raise ApiError(404, f"{area.name} is not one of the 43 territorial forces assessed")

    def render_page() -> str:
        published = _published_html(ws, area.force_id, year)
        if published is not None:
            return published
        evidence, stored = public_force(ws, area.force_id, year)
        shown = {area.force_id: evidence} if evidence is not None else {}
        progress = {area.force_id: force_progress(ws, area.force_id, year)}
        cycle = _cycle(request, year).with_public(shown, {area.force_id: stored}, progress)
        return render(cycle.report(area.force_id), "html", nav=site_nav(1, year))

    return _cached(request, ("report", str(year), area.force_id), render_page)
