"""The indicator catalogue (catalogue.yaml) as validated models."""

from __future__ import annotations

import datetime as dt
import difflib
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from openpeel.errors import InputError, UnknownNameError


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    short_title: str = Field(description="Noun phrase used in sentences, e.g. 'recorded crime'")
    unit: str
    kind: Literal["rate", "change"]
    scale: float = 1.0
    years: int | None = None
    direction: Literal["lower_is_better", "higher_is_better"]
    period_family: str
    materiality: float = Field(gt=0)
    rank_excludes: tuple[str, ...] = ()
    not_comparable_before: dt.date | None = None
    source_tables: tuple[str, ...]
    comparability: str = ""
    sql: str

    @model_validator(mode="after")
    def _kind_fields(self) -> Indicator:
        if self.kind == "change" and not self.years:
            raise ValueError(f"change indicator {self.id!r} needs years")
        return self

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
        return Catalogue.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(
            first["msg"], path="openpeel/indicators/catalogue.yaml", field=".".join(map(str, first["loc"]))
        ) from exc


def get_indicator(indicator_id: str) -> Indicator:
    return catalogue().get(indicator_id)
