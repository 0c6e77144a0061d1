"""The JSON API under /api/v1: forces, frameworks, indicators, scan. Read-only and public."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Annotated, Any

import duckdb
from fastapi import APIRouter, Depends, Query, Request, Response

from openpeel.forces import all_areas, lookup
from openpeel.framework import available_years, load_framework
from openpeel.indicators import catalogue
from openpeel.indicators.scan import national_scan
from openpeel.web.errors import ApiError
from openpeel.web.responses import ResponseFormat, json_response, page

router = APIRouter(prefix="/api/v1", tags=["api"])

INDICATOR_COLUMNS = (
    "indicator_id",
    "area_id",
    "period_end",
    "base_period_end",
    "value",
    "numerator",
    "denominator",
    "ci_low",
    "ci_high",
    "ew_value",
    "z_score",
    "is_significant",
    "is_material",
    "band",
    "rank",
    "rank_of",
    "source_ids",
)
FORCE_COLUMNS = ("force_id", "name", "ons_code", "ons_name", "region", "country", "kind")


def db(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of the app's warehouse connection for this request (thread-safe)."""
    cursor = request.app.state.con.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


Db = Annotated[duckdb.DuckDBPyConnection, Depends(db)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip")]
Format = Annotated[ResponseFormat, Query(alias="format", description="json (default) or csv")]


def _query_page(
    request: Request,
    con: duckdb.DuckDBPyConnection,
    *,
    select: Sequence[str],
    source: str,
    params: list[Any],
    order: str,
    columns: Sequence[str],
    limit: int,
    offset: int,
    fmt: ResponseFormat,
) -> Response:
    """One page of a query: the total, the rows as plain JSON values (lists joined in CSV)."""
    total_row = con.execute(f"SELECT count(*) {source}", params).fetchone()
    rows = con.execute(
        f"SELECT {', '.join(select)} {source} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset]
    ).fetchall()
    data = [dict(zip(columns, r, strict=True)) for r in rows]
    for row in data:
        for key, value in row.items():
            if isinstance(value, dt.date | dt.datetime):
                row[key] = value.isoformat()
            elif isinstance(value, list) and fmt == "csv":
                row[key] = "; ".join(map(str, value))
    return page(request, data, int(total_row[0]) if total_row else 0, limit, offset, fmt, columns)


def _force_json(area: Any) -> dict[str, Any]:
    data: dict[str, Any] = area.model_dump(exclude={"aliases"})
    data["aliases"] = list(area.aliases)
    return data


@router.get("/forces", summary="The forces registry")
def forces(
    request: Request, limit: Limit = 100, offset: Offset = 0, fmt: Format = "json", kind: str | None = None
) -> Response:
    areas = [a for a in all_areas() if kind is None or a.kind == kind]
    rows = [_force_json(a) for a in areas]
    return page(request, rows[offset : offset + limit], len(rows), limit, offset, fmt, FORCE_COLUMNS)


@router.get("/forces/{force}", summary="One force, by id or any name the sources use")
def force(request: Request, force: str) -> Response:
    return json_response(request, {"data": _force_json(lookup(force))})


@router.get("/frameworks", summary="PEEL years with a framework")
def frameworks(request: Request) -> Response:
    rows = [{"year": y, "title": load_framework(y).title} for y in available_years()]
    return json_response(request, {"data": rows})


@router.get("/frameworks/{year}", summary="One PEEL year's framework: pillars, questions, grade scale")
def framework(request: Request, year: int) -> Response:
    if year not in available_years():
        raise ApiError(
            404, f"no framework for PEEL {year}", [{"suggestions": [str(y) for y in available_years()]}]
        )
    return json_response(request, {"data": load_framework(year).model_dump(mode="json")})


@router.get("/catalogue", summary="The indicator catalogue")
def indicator_catalogue(request: Request) -> Response:
    return json_response(
        request, {"data": [i.model_dump(mode="json", exclude={"sql"}) for i in catalogue().indicators]}
    )


@router.get("/indicators", summary="Indicator values, filtered by force, indicator, period or PEEL year")
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
    where: list[str] = []
    params: list[Any] = []
    if force is not None:
        area_id = "england-and-wales" if force == "england-and-wales" else lookup(force).force_id
        where.append("area_id = ?")
        params.append(area_id)
    if indicator is not None:
        ind = catalogue().get(indicator)
        where.append("indicator_id = ?")
        params.append(ind.id)
    if period_end is not None:
        where.append("period_end = ?")
        params.append(period_end)
    if year is not None:
        if year not in available_years():
            raise ApiError(
                404, f"no framework for PEEL {year}", [{"suggestions": [str(y) for y in available_years()]}]
            )
        fw = load_framework(year)
        clauses = []
        for ind in catalogue().indicators:
            period = fw.data_periods.get(ind.period_family)
            if period is not None:
                clauses.append("(indicator_id = ? AND period_end = ?)")
                params += [ind.id, period.period_end]
        where.append("(" + (" OR ".join(clauses) or "false") + ")")
    sql_where = (" WHERE " + " AND ".join(where)) if where else ""
    return _query_page(
        request,
        con,
        select=INDICATOR_COLUMNS,
        source=f"FROM ind_values{sql_where}",
        params=params,
        order="indicator_id, area_id, period_end",
        columns=INDICATOR_COLUMNS,
        limit=limit,
        offset=offset,
        fmt=fmt,
    )


@router.get("/scan", summary="The national scan: significant and material differences for a PEEL year")
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


JUDGEMENT_COLUMNS = (
    "force_id",
    "year",
    "question_id",
    "pillar_id",
    "is_graded",
    "is_inspected",
    "state",
    "proposed_grade",
    "current_grade",
    "is_overridden",
    "rationale",
    "rubric_id",
    "updated_at",
)
FINDING_COLUMNS = (
    "force_id",
    "year",
    "finding_id",
    "question_id",
    "kind",
    "text",
    "topics",
    "inspection_id",
    "inspection_title",
    "inspection_source",
    "is_exceptional",
)
COVERAGE_COLUMNS = (
    "force_id",
    "month",
    "file_kind",
    "rows_stored",
    "rows_quarantined",
    "sha256",
    "ingested_at",
)


def _filters(force: str | None, year: int | None, alias: str = "") -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if force is not None:
        where.append(f"{alias}force_id = ?")
        params.append(lookup(force).force_id)
    if year is not None:
        where.append(f"{alias}year = ?")
        params.append(year)
    return (" AND " + " AND ".join(where)) if where else "", params


@router.get("/judgements", summary="Published judgements, by force and PEEL year")
def published_judgements(
    request: Request,
    con: Db,
    force: str | None = None,
    year: int | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    fmt: Format = "json",
) -> Response:
    where, params = _filters(force, year)
    return _query_page(
        request,
        con,
        select=JUDGEMENT_COLUMNS,
        source=f"FROM as_judgements WHERE state = 'published'{where}",
        params=params,
        order="year, force_id, question_id",
        columns=JUDGEMENT_COLUMNS,
        limit=limit,
        offset=offset,
        fmt=fmt,
    )


@router.get("/findings", summary="Findings behind published judgements, by force and PEEL year")
def published_findings(
    request: Request,
    con: Db,
    force: str | None = None,
    year: int | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    fmt: Format = "json",
) -> Response:
    where, params = _filters(force, year, "f.")
    # A finding is public once the judgement of its question is published.
    sql = (
        "FROM ev_findings f JOIN ev_inspections i ON i.force_id = f.force_id AND i.year = f.year "
        "AND i.inspection_id = f.inspection_id JOIN as_judgements j ON j.force_id = f.force_id "
        f"AND j.year = f.year AND j.question_id = f.question_id WHERE j.state = 'published'{where}"
    )
    select = (
        "f.force_id", "f.year", "f.finding_id", "f.question_id", "f.kind", "f.text", "f.topics",
        "f.inspection_id", "i.title", "i.source", "f.is_exceptional",
    )  # fmt: skip
    return _query_page(
        request,
        con,
        select=select,
        source=sql,
        params=params,
        order="f.year, f.force_id, f.position",
        columns=FINDING_COLUMNS,
        limit=limit,
        offset=offset,
        fmt=fmt,
    )


@router.get("/coverage", summary="data.police.uk files loaded: force, month and kind, with row counts")
def coverage(
    request: Request,
    con: Db,
    force: str | None = None,
    kind: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    fmt: Format = "json",
) -> Response:
    where: list[str] = []
    params: list[Any] = []
    if force is not None:
        where.append("force_id = ?")
        params.append(lookup(force).force_id)
    if kind is not None:
        where.append("file_kind = ?")
        params.append(kind)
    return _query_page(
        request,
        con,
        select=COVERAGE_COLUMNS,
        source="FROM meta_police_uk_coverage" + ((" WHERE " + " AND ".join(where)) if where else ""),
        params=params,
        order="force_id, month, file_kind",
        columns=COVERAGE_COLUMNS,
        limit=limit,
        offset=offset,
        fmt=fmt,
    )
