"""The indicator catalogue (catalogue.yaml) as validated models."""

from __future__ import annotations

import datetime as dt
import difflib
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from openpeel.core.errors import InputError, UnknownNameError

CATALOGUE_PATH = "openpeel/indicators/catalogue.yaml"


class RecordingCaveat(BaseModel):
    """Why a higher figure may reflect better recording rather than more crime, and who says so."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: str
    source: str

    def as_json(self) -> dict[str, str]:
        return {"reason": self.reason, "source": self.source}


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    short_title: str = Field(description="Noun phrase used in sentences, e.g. 'recorded crime'")
    count_noun: str | None = Field(
        default=None,
        description="What a rate counts, plural, for 'there were 48.0 ... per 1,000 people' (default: short title + 'offences')",
    )
    unit: str
    kind: Literal["rate", "change", "proportion"]
    scale: float = 1.0
    years: int | None = None
    direction: Literal["lower_is_better", "higher_is_better"]
    period_family: str
    materiality: float = Field(gt=0)
    # Areas the indicator neither ranks nor compares (City of London on rates per resident).
    rank_excludes: tuple[str, ...] = ()
    not_comparable_before: dt.date | None = None
    source_tables: tuple[str, ...]
    comparability: str = ""
    # A higher value (a higher rate, a rise) is never counted as "worse" in flags, the scan or
    # the rubric: it is shown with this caveat instead.
    recording_caveat: RecordingCaveat | None = None
    sql: str
    questions: dict[int, tuple[str, ...]] = Field(
        default_factory=dict, description="Per PEEL year, the framework questions this indicator evidences"
    )
    imported_measure: str | None = Field(
        default=None, pattern=r"^[a-z0-9_]+$", description="Measure id read from raw_imported_measures"
    )

    @model_validator(mode="after")
    def _kind_fields(self) -> Indicator:
        if self.kind == "change" and not self.years:
            raise ValueError(f"change indicator {self.id!r} needs years")
        if self.kind == "proportion" and self.scale != 100:
            raise ValueError(f"proportion indicator {self.id!r} is a percentage: scale must be 100")
        return self

    @property
    def is_imported(self) -> bool:
        return self.imported_measure is not None

    @property
    def is_change(self) -> bool:
        return self.kind == "change"


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    bases: dict[str, str]
    indicators: tuple[Indicator, ...]

    @model_validator(mode="after")
    def _unique(self) -> Catalogue:
        ids = [i.id for i in self.indicators]
        if len(ids) != len(set(ids)):
            raise ValueError("indicator ids must be unique")
        return self

    def imported_measures(self) -> dict[str, Indicator]:
        """Measure id -> the indicator that reads it (openpeel import-measures accepts only these)."""
        return {i.imported_measure: i for i in self.indicators if i.imported_measure}

    def get(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise UnknownNameError(
            "indicator",
            indicator_id,
            difflib.get_close_matches(indicator_id, [i.id for i in self.indicators], n=3),
        )


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    text = resources.files("openpeel.indicators").joinpath("catalogue.yaml").read_text(encoding="utf-8")
    try:
        cat = Catalogue.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(first["msg"], path=CATALOGUE_PATH, field=".".join(map(str, first["loc"]))) from exc
    check_questions(cat)
    return cat


def check_questions(cat: Catalogue) -> None:
    """Every question an indicator names must exist in that year's framework file."""
    from openpeel.framework import available_years, load_framework

    years = set(available_years())
    for index, ind in enumerate(cat.indicators):
        for year, question_ids in ind.questions.items():
            field = f"indicators.{index}.questions.{year}"
            if year not in years:
                raise InputError(
                    f"indicator {ind.id!r}: no framework for PEEL {year}",
                    path=CATALOGUE_PATH,
                    field=field,
                    hint=f"years with a framework: {', '.join(map(str, sorted(years)))}",
                )
            known = [q.id for q in load_framework(year).questions()]
            for qid in question_ids:
                if qid not in known:
                    close = difflib.get_close_matches(qid, known, n=2)
                    raise InputError(
                        f"indicator {ind.id!r}: PEEL {year} has no question {qid!r}",
                        path=CATALOGUE_PATH,
                        field=field,
                        hint=f"did you mean {' or '.join(map(repr, close))}?"
                        if close
                        else "see the framework file",
                    )


def get_indicator(indicator_id: str) -> Indicator:
    return catalogue().get(indicator_id)
