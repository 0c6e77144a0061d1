"""Cacheable API responses: JSON or CSV bodies with an ETag, answering If-None-Match with 304."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from typing import Any, Literal

from fastapi import Request, Response

from openpeel.core.csv_cells import write_csv
from openpeel.web.hosts import absolute_url

ResponseFormat = Literal["json", "csv"]
CACHE_CONTROL = "public, max-age=60"


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match", "")
    return any(tag.strip() in (etag, "*") for tag in header.split(",")) if header else False


def cacheable(request: Request, body: bytes, media_type: str) -> Response:
    etag = _etag(body)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if _matches(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(content=body, media_type=media_type, headers=headers)


def json_response(request: Request, payload: Any) -> Response:
    body = json.dumps(payload, separators=(",", ":"), default=str).encode()
    return cacheable(request, body, "application/json")


def csv_response(request: Request, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> Response:
    buffer = io.StringIO()
    write_csv(buffer, [columns, *([row.get(c) for c in columns] for row in rows)])
    return cacheable(request, buffer.getvalue().encode(), "text/csv; charset=utf-8")


def page(
    request: Request,
    rows: list[dict[str, Any]],
    total: int,
    limit: int,
    offset: int,
    fmt: ResponseFormat,
    columns: Sequence[str],
) -> Response:
    if fmt == "csv":
        return csv_response(request, rows, columns)
    next_url = None
    if offset + limit < total:
        following = request.url.include_query_params(offset=offset + limit, limit=limit)
        # On the configured base URL: the Host header is the client's say, and this body is cached.
        next_url = absolute_url(request, following.path + "?" + following.query)
    return json_response(
        request, {"data": rows, "meta": {"total": total, "limit": limit, "offset": offset, "next": next_url}}
    )
