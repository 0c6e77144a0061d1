"""What each API route answers, as schemas for the OpenAPI document (/openapi.json, /docs).

The routes build their JSON themselves (cached, with ETags; see openpeel.web.responses), so these
models are documentation: the tests check that every route's real answer validates against its
schema, so the two cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

from openpeel.forces.registry import Force
from openpeel.framework.models import Framework
from openpeel.indicators.catalogue import Indicator

Row = TypeVar("Row")


class Meta(BaseModel):
    total: int = Field(description="Rows matching the filters, over all pages")
    limit: int
    offset: int
    next: str | None = Field(description="The next page's address, or null on the last page")


class Page(BaseModel, Generic[Row]):
    """One page of rows (`?format=csv` gives the same rows as CSV, without `meta`)."""

    data: list[Row]
    meta: Meta


class One(BaseModel, Generic[Row]):
    data: Row


class ErrorDetail(BaseModel):
    status: int
    code: str
    message: str
    details: list[dict[str, Any]]


class ErrorBody(BaseModel):
    """Every error: the HTTP status, a short code and a message saying what to do."""

    error: ErrorDetail


# The catalogue's indicators as the API shows them: every field but the SQL.
CatalogueEntry: type[BaseModel] = create_model(
    "CatalogueEntry",
    __config__=ConfigDict(extra="forbid"),
    **{name: (f.annotation, f) for name, f in Indicator.model_fields.items() if name != "sql"},  # type: ignore[call-overload]
)


class FrameworkSummary(BaseModel):
    year: int
    title: str


class ValueRow(BaseModel):
    """One indicator value of one area and period (openpeel.indicators.query.VALUE_COLUMNS)."""

    model_config = ConfigDict(extra="forbid")

    indicator_id: str
    area_id: str
    period_end: dt.date
    base_period_end: dt.date | None
    value: float | None
    numerator: float | None
    denominator: float | None
    ci_low: float | None
    ci_high: float | None
    ew_value: float | None
    z_score: float | None
    is_significant: bool | None
    is_material: bool | None
    band: str | None
    rank: int | None
    rank_of: int | None
    source_ids: str | None = Field(description="The source files behind the value, comma-separated")


class ScanEntry(BaseModel):
    """Where a force differs significantly and materially from England and Wales or its peers."""

    force_id: str
    force_name: str
    indicator_id: str
    indicator_title: str
    period_end: str
    value: float
    comparator: str
    comparator_value: float | None
    direction: str
    z_score: float | None
    rank: int | None
    rank_of: int | None
    comparator_kind: str
    peer_set: str | None
    rank_best: int | None
    rank_worst: int | None
    extreme: str | None
    method: str | None
    dispersion: dict[str, Any] | None
    caveat: str | None
    recording: dict[str, Any] | None = None


class JudgementEntry(BaseModel):
    """A judgement in the state "published" (openpeel's grade, never the inspectorate's)."""

    model_config = ConfigDict(extra="forbid")

    force_id: str
    year: int
    question_id: str
    pillar_id: str | None
    is_graded: bool
    is_inspected: bool
    state: str
    proposed_grade: str | None
    current_grade: str | None
    is_overridden: bool
    rationale: str | None
    rubric_id: str | None
    updated_at: dt.datetime | None


class FindingEntry(BaseModel):
    """A finding behind a published judgement, with the inspection it comes from."""

    model_config = ConfigDict(extra="forbid")

    force_id: str
    year: int
    finding_id: str
    question_id: str
    kind: str
    text: str
    topics: list[str] | None
    inspection_id: str
    inspection_title: str
    inspection_source: str
    is_exceptional: bool


class CoverageEntry(BaseModel):
    """One data.police.uk file loaded (force, month, kind) and its rows."""

    model_config = ConfigDict(extra="forbid")

    force_id: str
    month: dt.date
    file_kind: str
    rows_stored: int
    rows_quarantined: int
    sha256: str | None
    ingested_at: dt.datetime | None


class PublishedGradeEntry(BaseModel):
    """A grade the inspectorate published, with the page that states it."""

    force_id: str
    year: int
    cycle: str
    pillar_id: str | None
    question_id: str | None
    grade: str
    grade_label: str
    published: dt.date | None
    source_url: str
    note: str | None


class RecordingGradeEntry(BaseModel):
    """A judgement of a force's crime recording the inspectorate published (or a source reported),
    with the page that states it: reference data (framework/published/recording-grades.csv)."""

    model_config = ConfigDict(extra="forbid")

    force_id: str
    inspection: str
    period_from: dt.date | None
    period_to: dt.date | None
    grade: str | None
    unrecorded_pct: float | None
    published: str | None
    source_url: str
    source_kind: str
    note: str | None
    finding: str | None
    found: str | None


class ProgressEntry(BaseModel):
    """How far a force's assessment for a PEEL year has got: counts and states, never a grade."""

    model_config = ConfigDict(extra="forbid")

    force_id: str
    year: int
    stage: str
    has_findings: bool
    findings: int
    has_published_judgement: bool
    questions_published: list[str]
    next_step: str | None


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Unknown force, cycle or name (the message lists what exists)"},
    422: {"model": ErrorBody, "description": "A parameter out of range or of the wrong kind"},
}


def answers(model: type[BaseModel], description: str = "Success") -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route: `model` on success, the error body otherwise."""
    return {200: {"model": model, "description": description}, **ERRORS}


__all__ = [
    "ERRORS",
    "CatalogueEntry",
    "CoverageEntry",
    "ErrorBody",
    "FindingEntry",
    "Force",
    "Framework",
    "FrameworkSummary",
    "Indicator",
    "JudgementEntry",
    "One",
    "Page",
    "PublishedGradeEntry",
    "ScanEntry",
    "ValueRow",
    "answers",
]
