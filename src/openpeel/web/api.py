"""The JSON API under /api/v1: forces, frameworks, indicators, scan, judgements, findings, the
inspectorate's published grades. Read-only and public."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from openpeel.assessment.public import (
    PUBLIC_FINDING_COLUMNS,
    PUBLIC_JUDGEMENT_COLUMNS,
    public_finding_rows,
    public_judgement_rows,
    public_year,
)
from openpeel.core.errors import OpenpeelError
from openpeel.forces import EW_ID, all_areas, lookup
from openpeel.framework import available_years, load_framework, parse_year
from openpeel.framework.published_grades import published_grades
from openpeel.framework.recording_grades import COLUMNS as RECORDING_COLUMNS
from openpeel.framework.recording_grades import recording_grades, recording_json
from openpeel.indicators import catalogue
from openpeel.indicators.query import VALUE_COLUMNS, period_for, value_rows
from openpeel.indicators.scan import national_scan
from openpeel.ingest.police_uk.coverage import COVERAGE_COLUMNS, coverage_page
from openpeel.web.api_schemas import (
    CatalogueEntry,
    CoverageEntry,
    FindingEntry,
    Force,
    Framework,
    FrameworkSummary,
    JudgementEntry,
    One,
    Page,
    ProgressEntry,
    PublishedGradeEntry,
    RecordingGradeEntry,
    ScanEntry,
    ValueRow,
    answers,
)
from openpeel.web.deps import Db, Ws
from openpeel.web.errors import ApiError
from openpeel.web.responses import ResponseFormat, json_response, page

router = APIRouter(prefix="/api/v1", tags=["api"])

FORCE_COLUMNS = ("force_id", "name", "ons_code", "ons_name", "region", "country", "kind")


Limit = Annotated[int, Query(ge=1, le=1000, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip")]
Format = Annotated[ResponseFormat, Query(alias="format", description="json (default) or csv")]
# A PEEL cycle's first year; bounded so no number reaches a database it cannot hold.
YearFilter = Annotated[int | None, Query(ge=2000, le=2100, description="PEEL year (the cycle's first year)")]


def _rows_page(
    request: Request,
    rows: Sequence[Sequence[Any]],
    total: int,
    columns: Sequence[str],
    limit: int,
    offset: int,
    fmt: ResponseFormat,
) -> Response:
    """Rows as plain JSON values (dates as ISO text, lists joined in CSV), as one page."""
    data = [dict(zip(columns, r, strict=True)) for r in rows]
    for row in data:
        for key, value in row.items():
            if isinstance(value, dt.date | dt.datetime):
                row[key] = value.isoformat()
            elif isinstance(value, list) and fmt == "csv":
                row[key] = "; ".join(map(str, value))
    return page(request, data, total, limit, offset, fmt, columns)


def _force_id(force: str | None) -> str | None:
    return lookup(force).force_id if force is not None else None


def _force_json(area: Any) -> dict[str, Any]:
    data: dict[str, Any] = area.model_dump(exclude={"aliases"})
    data["aliases"] = list(area.aliases)
    return data


@router.get("/forces", summary="The forces registry", responses=answers(Page[Force]))
def forces(
    request: Request, limit: Limit = 100, offset: Offset = 0, fmt: Format = "json", kind: str | None = None
) -> Response:
    areas = [a for a in all_areas() if kind is None or a.kind == kind]
    rows = [_force_json(a) for a in areas]
    return page(request, rows[offset : offset + limit], len(rows), limit, offset, fmt, FORCE_COLUMNS)


@router.get(
    "/forces/{force}", summary="One force, by id or any name the sources use", responses=answers(One[Force])
)
def force(request: Request, force: str) -> Response:
    return json_response(request, {"data": _force_json(lookup(force))})


@router.get(
    "/frameworks", summary="PEEL years with a framework", responses=answers(One[list[FrameworkSummary]])
)
def frameworks(request: Request) -> Response:
    rows = [{"year": y, "title": load_framework(y).title} for y in available_years()]
    return json_response(request, {"data": rows})


@router.get(
    "/frameworks/{year}",
    summary="One PEEL year's framework: pillars, questions, grade scale",
    responses=answers(One[Framework]),
)
def framework(request: Request, year: int) -> Response:
    if year not in available_years():
        raise ApiError(
            404, f"no framework for PEEL {year}", [{"suggestions": [str(y) for y in available_years()]}]
        )
    return json_response(request, {"data": load_framework(year).model_dump(mode="json")})


@router.get(
    "/catalogue",
    summary="The indicator catalogue",
    responses=answers(One[list[CatalogueEntry]]),
)
def indicator_catalogue(request: Request) -> Response:
    return json_response(
        request, {"data": [i.model_dump(mode="json", exclude={"sql"}) for i in catalogue().indicators]}
    )


@router.get(
    "/indicators",
    summary="Indicator values, filtered by force, indicator, period or PEEL year",
    responses=answers(Page[ValueRow]),
)
def indicators(
    request: Request,
    con: Db,
    force: str | None = None,
    indicator: str | None = None,
    period_end: dt.date | None = None,
    year: int | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    fmt: Format = "json",
) -> Response:
    area_id = None
    if force is not None:
        area_id = EW_ID if force == EW_ID else lookup(force).force_id
    at = None
    if year is not None:
        if year not in available_years():
            raise ApiError(
                404, f"no framework for PEEL {year}", [{"suggestions": [str(y) for y in available_years()]}]
            )
        fw = load_framework(year)
        at = [(ind.id, p) for ind in catalogue().indicators if (p := period_for(ind, fw)) is not None]
    total, rows = value_rows(
        con,
        area_id=area_id,
        indicator_id=catalogue().get(indicator).id if indicator is not None else None,
        period_end=period_end,
        at=at,
        limit=limit,
        offset=offset,
    )
    return _rows_page(request, rows, total, VALUE_COLUMNS, limit, offset, fmt)


@router.get(
    "/scan",
    summary="The national scan: significant and material differences for a PEEL year",
    responses=answers(Page[ScanEntry]),
)
def scan(
    request: Request, con: Db, year: int, limit: Limit = 1000, offset: Offset = 0, fmt: Format = "json"
) -> Response:
    if year not in available_years():
        raise ApiError(
            404, f"no framework for PEEL {year}", [{"suggestions": [str(y) for y in available_years()]}]
        )
    rows = [r.as_json() for r in national_scan(con, load_framework(year))]
    columns = tuple(rows[0]) if rows else ("force_id",)
    return page(request, rows[offset : offset + limit], len(rows), limit, offset, fmt, columns)


@router.get(
    "/judgements",
    summary="openpeel's published judgements as the latest publication of each PEEL year recorded "
    "them, by force and year (the inspectorate's own grades are at /api/v1/published-grades)",
    responses=answers(Page[JudgementEntry]),
)
def published_judgements(
    request: Request,
    ws: Ws,
    force: str | None = None,
    year: YearFilter = None,
    limit: Limit = 100,
    offset: Offset = 0,
    fmt: Format = "json",
) -> Response:
    rows = public_judgement_rows(ws, _force_id(force), year)
    return _rows_page(
        request, rows[offset : offset + limit], len(rows), PUBLIC_JUDGEMENT_COLUMNS, limit, offset, fmt
    )


@router.get(
    "/findings",
    summary="Findings behind published judgements as the latest publication of each PEEL year "
    "recorded them, by force and year",
    responses=answers(Page[FindingEntry]),
)
def published_findings(
    request: Request,
    ws: Ws,
    force: str | None = None,
    year: YearFilter = None,
    limit: Limit = 100,
    offset: Offset = 0,
    fmt: Format = "json",
) -> Response:
    rows = public_finding_rows(ws, _force_id(force), year)
    return _rows_page(
        request, rows[offset : offset + limit], len(rows), PUBLIC_FINDING_COLUMNS, limit, offset, fmt
    )


@router.get(
    "/coverage",
    summary="data.police.uk files loaded: force, month and kind, with row counts",
    responses=answers(Page[CoverageEntry]),
)
def coverage(
    request: Request,
    con: Db,
    force: str | None = None,
    kind: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    fmt: Format = "json",
) -> Response:
    try:
        total, rows = coverage_page(con, force_id=_force_id(force), kind=kind, limit=limit, offset=offset)
    except OpenpeelError as exc:
        raise ApiError(422, str(exc)) from None
    return _rows_page(request, rows, total, COVERAGE_COLUMNS, limit, offset, fmt)


PUBLISHED_GRADE_COLUMNS = (
    "force_id",
    "year",
    "cycle",
    "pillar_id",
    "question_id",
    "grade",
    "grade_label",
    "published",
    "source_url",
    "source_kind",
    "note",
)


@router.get(
    "/published-grades",
    summary="The grades the inspectorate published, by force and PEEL cycle, each with its source page",
    responses=answers(Page[PublishedGradeEntry]),
)
def inspectorate_grades(
    request: Request,
    force: str | None = None,
    year: Annotated[
        str | None, Query(description="PEEL cycle: 2014 ... 2025, or as written: 2018/19, 2021/22, 2023-25")
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    fmt: Format = "json",
) -> Response:
    # Reference data shipped with openpeel: read through the validating loader, not the warehouse.
    # An unknown cycle or force is a 404 listing the names (the UnknownNameError handler).
    cycle = parse_year(year) if year is not None else None
    rows = published_grades(cycle, lookup(force).force_id if force is not None else None)
    data = []
    for r in rows:
        framework = load_framework(r.year)
        data.append({**r.as_json(), "cycle": framework.title, "grade_label": framework.grade(r.grade).label})
    chosen = [{c: row[c] for c in PUBLISHED_GRADE_COLUMNS} for row in data[offset : offset + limit]]
    return page(request, chosen, len(data), limit, offset, fmt, PUBLISHED_GRADE_COLUMNS)


@router.get(
    "/recording-grades",
    summary="The inspectorate's judgements of each force's crime recording (crime data integrity grades, "
    "shares of crimes unrecorded), each with its source page",
    responses=answers(Page[RecordingGradeEntry]),
)
def recording_judgements(
    request: Request,
    force: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    fmt: Format = "json",
) -> Response:
    # Reference data shipped with openpeel, read through its validating loader.
    rows = [recording_json(r) for r in recording_grades(_force_id(force))]
    columns = (*RECORDING_COLUMNS, "found")
    return page(request, rows[offset : offset + limit], len(rows), limit, offset, fmt, columns)


PROGRESS_COLUMNS = (
    "force_id",
    "year",
    "stage",
    "has_findings",
    "findings",
    "has_published_judgement",
    "questions_published",
    "next_step",
)


@router.get(
    "/progress",
    summary="Where each force's assessment stands for a PEEL year: no findings loaded, findings loaded "
    "with no judgement published (and the next step), or published",
    responses=answers(Page[ProgressEntry]),
)
def progress(
    request: Request,
    ws: Ws,
    year: Annotated[int, Query(ge=2000, le=2100, description="PEEL year (the cycle's first year)")],
    force: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    fmt: Format = "json",
) -> Response:
    if year not in available_years():
        raise ApiError(
            404, f"no framework for PEEL {year}", [{"suggestions": [str(y) for y in available_years()]}]
        )
    loaded = public_year(ws, year).progress
    wanted = _force_id(force)
    rows = []
    for area in all_areas():
        if not area.is_territorial or (wanted is not None and area.force_id != wanted):
            continue
        p = loaded.get(area.force_id)
        stage = p.stage if p is not None else "no-findings"
        waiting = p is not None and stage == "unpublished"
        rows.append(
            {
                "force_id": area.force_id,
                "year": year,
                "stage": stage,
                "has_findings": bool(p and p.has_findings),
                "findings": p.finding_count if p else 0,
                "has_published_judgement": bool(p and p.has_published_judgement),
                "questions_published": p.published if p else [],
                "next_step": p.next_step() if waiting and p is not None else None,
            }
        )
    return _rows_page(
        request,
        [tuple(r[c] for c in PROGRESS_COLUMNS) for r in rows[offset : offset + limit]],
        len(rows),
        PROGRESS_COLUMNS,
        limit,
        offset,
        fmt,
    )
