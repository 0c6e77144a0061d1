"""Evidence models. An evidence file holds one force's inspections and findings for one PEEL year."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FindingKind = Literal[
    "strength",
    "area-for-improvement",
    "cause-of-concern",
    "observation",
    "innovative-practice",
    "promising-practice",
]
FINDING_KINDS: tuple[str, ...] = (
    "strength",
    "area-for-improvement",
    "cause-of-concern",
    "observation",
    "innovative-practice",
    "promising-practice",
)
PRACTICE_KINDS: tuple[str, ...] = ("innovative-practice", "promising-practice")
"""Practice the inspectorate's reports from 2021/22 set out in boxes of their own ("Innovative
practice", "Promising practice"): kept apart so a report can show them as such; the rubric counts
them as strengths."""
STRENGTH_KINDS: tuple[str, ...] = ("strength", *PRACTICE_KINDS)
"""The kinds the rubric counts as strengths."""
DRAFT_MARKER = "[DRAFT: rewrite in openpeel's own words]"
"""How `openpeel evidence draft` opens every finding's text; the loader refuses a text that still does."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Inspection(Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    kind: str
    title: str
    fieldwork_start: dt.date | None = None
    fieldwork_end: dt.date | None = None
    published: dt.date | None = None
    summary: str | None = Field(default=None, description="One-paragraph account, used in 'Further insights'")
    source: str = Field(description="Where the findings come from: report title and address")


class Finding(Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    inspection: str
    question: str
    kind: FindingKind
    text: str = Field(min_length=1)
    topics: tuple[str, ...] = ()
    indicators: tuple[str, ...] = Field(default=(), description="Indicators the finding concerns")
    explains: tuple[str, ...] = Field(
        default=(), description="Indicators whose poor value the finding accounts for"
    )
    source_ref: str | None = Field(
        default=None, description="Place in the inspection report, e.g. a page or paragraph"
    )
    is_exceptional: bool = False
    is_resolved: bool = False
    in_overview: bool = Field(
        default=False,
        description="One of the main findings the report's overview restates briefly (the section states it in full)",
    )
    fact: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "A comparative fact the inspection stated about the force, as a clause the report "
            "attributes to that inspection ('the force had the lowest arrest rate for domestic abuse "
            "related crimes in the country')"
        ),
    )


class Gap(Strict):
    """A framework question the sources say too little about to write its findings."""

    question: str
    reason: str = Field(min_length=1)


class EvidenceFile(Strict):
    force: str
    year: int
    protocol: str | None = Field(
        default=None,
        description="The protocol the findings were written under (e.g. blind-1: docs/methodology.md)",
    )
    inspections: tuple[Inspection, ...]
    findings: tuple[Finding, ...]
    gaps: tuple[Gap, ...] = Field(
        default=(), description="Questions the sources say too little about; left out of calibration"
    )

    @model_validator(mode="after")
    def _references(self) -> EvidenceFile:
        ids = {i.id for i in self.inspections}
        if len(ids) != len(self.inspections):
            raise ValueError("inspection ids must be unique")
        finding_ids = [f.id for f in self.findings]
        if len(finding_ids) != len(set(finding_ids)):
            raise ValueError("finding ids must be unique")
        for f in self.findings:
            if f.inspection not in ids:
                raise ValueError(f"finding {f.id!r}: unknown inspection {f.inspection!r}")
        return self

    def inspection(self, inspection_id: str) -> Inspection:
        for i in self.inspections:
            if i.id == inspection_id:
                return i
        raise KeyError(inspection_id)
