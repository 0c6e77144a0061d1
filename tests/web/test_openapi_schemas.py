"""The OpenAPI document describes what every API route answers, and the answers fit it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from openpeel.web import api_schemas as s


def test_every_api_route_documents_its_answer_and_its_errors(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    routes = {path: ops["get"] for path, ops in document["paths"].items() if path.startswith("/api/v1")}
    assert len(routes) >= 11
    for path, op in routes.items():
        ok = op["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in ok, f"{path}: no schema for its answer"
        for status in ("404", "422"):
            assert op["responses"][status]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"
            }, path


CASES: list[tuple[str, type[BaseModel]]] = [
    ("/api/v1/forces?limit=5", s.Page[s.Force]),
    ("/api/v1/forces/northamptonshire", s.One[s.Force]),
    ("/api/v1/frameworks", s.One[list[s.FrameworkSummary]]),
    ("/api/v1/frameworks/2014", s.One[s.Framework]),
    ("/api/v1/catalogue", s.One[list[s.CatalogueEntry]]),  # type: ignore[name-defined]
    ("/api/v1/indicators?force=kent&year=2014&limit=20", s.Page[s.ValueRow]),
    ("/api/v1/scan?year=2014&limit=20", s.Page[s.ScanEntry]),
    ("/api/v1/judgements?limit=5", s.Page[s.JudgementEntry]),
    ("/api/v1/findings?limit=5", s.Page[s.FindingEntry]),
    ("/api/v1/coverage?limit=5", s.Page[s.CoverageEntry]),
    ("/api/v1/published-grades?year=2014&limit=20", s.Page[s.PublishedGradeEntry]),
    ("/api/v1/recording-grades?force=devon-and-cornwall", s.Page[s.RecordingGradeEntry]),
    ("/api/v1/progress?year=2014", s.Page[s.ProgressEntry]),
]


@pytest.mark.slow
@pytest.mark.parametrize(("path", "model"), CASES, ids=[c[0] for c in CASES])
def test_each_answer_validates_against_its_schema(
    client: TestClient, path: str, model: type[BaseModel]
) -> None:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    model.model_validate(body)


def test_an_error_validates_against_the_error_schema(client: TestClient) -> None:
    answer = client.get("/api/v1/forces/atlantis")
    assert answer.status_code == 404
    s.ErrorBody.model_validate(answer.json())
