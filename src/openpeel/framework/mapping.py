"""How the questions of one PEEL year map onto the next year's, as data (framework/mappings/)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from openpeel.core.errors import InputError
from openpeel.framework.loader import load_framework

Comparability = Literal["comparable", "partly-comparable", "not-comparable"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class QuestionLink(_Strict):
    to: str = Field(description="Question id in the later year")
    from_: tuple[str, ...] = Field(alias="from", description="Question ids in the earlier year")
    comparability: Comparability
    reworded: bool = Field(default=False, description="One source question, asked in other words")
    note: str


class DroppedQuestion(_Strict):
    id: str
    note: str


class QuestionMapping(_Strict):
    from_year: int
    to_year: int
    note: str | None = Field(default=None, description="What holds for the whole crosswalk")
    source: str | None = Field(default=None, description="Where the inspectorate says so, if it does")
    questions: tuple[QuestionLink, ...]
    dropped: tuple[DroppedQuestion, ...] = ()

    @model_validator(mode="after")
    def _complete(self) -> QuestionMapping:
        """Every question of both years is accounted for, and only questions that exist are named."""
        earlier = {q.id for q in load_framework(self.from_year).questions()}
        later = {q.id for q in load_framework(self.to_year).questions()}
        targets = [link.to for link in self.questions]
        if len(targets) != len(set(targets)):
            raise ValueError("a later question is mapped twice")
        if set(targets) != later:
            missing, extra = sorted(later - set(targets)), sorted(set(targets) - later)
            raise ValueError(f"later questions not mapped: {missing}; unknown: {extra}")
        used = {q for link in self.questions for q in link.from_} | {d.id for d in self.dropped}
        unknown = sorted(used - earlier)
        if unknown:
            raise ValueError(f"unknown {self.from_year} question(s): {unknown}")
        unmapped = sorted(earlier - used)
        if unmapped:
            raise ValueError(f"{self.from_year} question(s) neither mapped nor dropped: {unmapped}")
        return self

    def link(self, question_id: str) -> QuestionLink:
        for link in self.questions:
            if link.to == question_id:
                return link
        raise KeyError(question_id)

    def relation(self, question_id: str) -> str:
        """'new', 'same', 'reworded', 'merged' (several sources), 'split' (a source feeds several) or both."""
        link = self.link(question_id)
        if not link.from_:
            return "new"
        fans = {source: sum(1 for other in self.questions if source in other.from_) for source in link.from_}
        merged = len(link.from_) > 1
        split = any(count > 1 for count in fans.values())
        if merged and split:
            return "merged and split"
        if merged:
            return "merged"
        if split:
            return "split"
        return "reworded" if link.reworded else "same"

    def comparable(self, question_id: str) -> bool:
        """Whether a grade for `question_id` can be set beside last cycle's: only a link marked
        comparable, from a question that was graded in the earlier cycle."""
        link = self.link(question_id)
        if link.comparability != "comparable" or not link.from_:
            return False
        earlier = load_framework(self.from_year)
        return all(earlier.question(q).graded for q in link.from_)


def _files() -> dict[int, str]:
    folder = resources.files("openpeel.framework").joinpath("mappings")
    out = {}
    for entry in folder.iterdir():
        match = re.fullmatch(r"peel-(\d{4})-to-(\d{4})\.yaml", entry.name)
        if match:
            out[int(match.group(2))] = entry.name
    return out


@cache
def mapping_into(year: int) -> QuestionMapping | None:
    """The mapping from the previous PEEL year into `year`, or None where there is none."""
    name = _files().get(year)
    if name is None:
        return None
    where = f"openpeel/framework/mappings/{name}"
    text = resources.files("openpeel.framework").joinpath("mappings", name).read_text(encoding="utf-8")
    try:
        mapping = QuestionMapping.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(first["msg"], path=where, field=".".join(map(str, first["loc"]))) from None
    if mapping.to_year != year:
        raise InputError(f"file maps into {mapping.to_year}", path=where, field="to_year")
    return mapping


def comparable_with_previous(year: int, question_id: str) -> bool:
    """True where the crosswalk into `year` says the question's grade compares with last cycle's."""
    mapping = mapping_into(year)
    return mapping is not None and mapping.comparable(question_id)


def pillar_comparable_with_previous(year: int, pillar_id: str) -> bool:
    """True where a pillar's overall grade compares with last cycle's, computed from the question
    crosswalk: both cycles grade the pillar as a whole, every question of it is linked as
    comparable to questions of the same pillar last cycle, and all of last cycle's questions of
    the pillar carry over (so the pillar judges the same things in both cycles)."""
    mapping = mapping_into(year)
    if mapping is None:
        return False
    try:
        now = load_framework(year).pillar(pillar_id)
        before = load_framework(mapping.from_year).pillar(pillar_id)
    except KeyError:
        return False
    if not (now.has_overall_grade and before.has_overall_grade):
        return False
    before_ids = {q.id for q in before.questions}
    sources: set[str] = set()
    for question in now.questions:
        link = mapping.link(question.id)
        if link.comparability != "comparable" or not link.from_ or not set(link.from_) <= before_ids:
            return False
        sources |= set(link.from_)
    return sources == before_ids
