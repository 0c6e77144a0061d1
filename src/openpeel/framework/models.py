"""Pydantic models of a PEEL year's framework. Unknown keys are rejected, so a typo fails loudly."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GradeLevel(Strict):
    id: str = Field(pattern=r"^[a-z-]+$")
    label: str
    rank: int = Field(description="1 is the best grade")
    summary_verb: str = Field(description="Phrase before the question's summary phrase, e.g. 'is good at'")
    definition: str | None = Field(
        default=None,
        description="What the grade means, in openpeel's words, where the inspectorate defines it",
    )
    definition_source: str | None = Field(default=None, description="Where the published definition is")

    @model_validator(mode="after")
    def _definition_has_source(self) -> GradeLevel:
        if self.definition and not self.definition_source:
            raise ValueError(f"grade {self.id!r}: a definition needs its definition_source")
        return self


class InspectionKind(Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str = Field(description="As used in 'There was no <title> inspection for this force.'")


class Question(Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    text: str
    graded: bool
    summary_phrase: str | None = Field(
        default=None, description="Completes '<force> is good at ...' in the summary; graded questions only"
    )
    inspection_kinds: tuple[str, ...] = Field(min_length=1)
    core_topics: tuple[str, ...] = ()
    primary_indicators: tuple[str, ...] = ()
    supporting_indicators: tuple[str, ...] = ()
    has_police_uk_outcomes: bool = Field(
        default=False, description="The report adds data.police.uk crime outcomes here, where they are loaded"
    )
    wording_confirmed: bool = Field(
        default=True, description="False where the text could not be checked against a published source"
    )
    wording_note: str | None = Field(
        default=None, description="Why the wording is unconfirmed, or its source"
    )
    graded_in_every_report: bool = Field(
        default=True,
        description="False for a graded area only some forces' reports grade (e.g. from a separate regional "
        "inspection): published-grade coverage does not count it missing",
    )
    source: str | None = Field(
        default=None, description="The published framework or report page the wording was checked on"
    )
    area_title: str | None = Field(
        default=None,
        description="The area's name as a heading in a report of the graded-areas shape, where it is not "
        "the summary phrase capitalised (e.g. 'Treatment of the public')",
    )

    @property
    def area_name(self) -> str:
        """The area's heading: `area_title`, else the summary phrase (or the text) capitalised."""
        if self.area_title:
            return self.area_title
        phrase = (self.summary_phrase or self.text).removeprefix("its ")
        return phrase[:1].upper() + phrase[1:]

    @model_validator(mode="after")
    def _graded_needs_phrase(self) -> Question:
        if self.graded and not self.summary_phrase:
            raise ValueError(f"graded question {self.id!r} needs a summary_phrase")
        if not self.wording_confirmed and not self.wording_note:
            raise ValueError(f"question {self.id!r}: unconfirmed wording needs a wording_note")
        return self


class Pillar(Strict):
    id: str = Field(pattern=r"^[a-z-]+$")
    title: str
    section_title: str = Field(description="Report section title, e.g. 'How well the force tackles crime'")
    has_overall_grade: bool = False
    questions: tuple[Question, ...] = Field(min_length=1)


class DataPeriod(Strict):
    period_end: dt.date
    label: str = Field(description="How the report names the period, e.g. '12 months to 30 June 2014'")
    in_bundled_data: bool = Field(
        default=True,
        description="False where the bundled official statistics end before this period: reports then carry "
        "no figures for it unless newer source files are loaded",
    )
    note: str | None = None


class DataAgeLimit(Strict):
    """How far a cycle's latest figures may precede the cycle before its reports leave the data
    section out (openpeel.indicators.data_age measures it)."""

    months: int = Field(gt=0, description="Months from the latest figures' period end to the cycle's start")
    reason: str = Field(
        description="Why this gap, in openpeel's words; a report that leaves its data out says it"
    )


class ReportForm(Strict):
    """How a cycle's published force reports are laid out, where openpeel follows it.

    The cycles to 2018/19 have none: their reports follow the pillar report ("How well the force
    tackles crime"). From PEEL 2021/22 the inspectorate publishes one report per force covering
    every graded area: a judgments table, the inspector's summary, then a section per area."""

    shape: Literal["graded-areas"] = "graded-areas"
    title: str = Field(
        description="The report's title with '{force}' for the force, e.g. 'PEEL 2023–2025: An inspection of {force}'"
    )
    section_title: str = Field(description="The line under the title")
    judgments_title: str = Field(description="The heading of the judgments table, e.g. 'Our judgments'")
    summary_title: str = Field(description="The heading of the inspector's summary")
    source: str | None = Field(default=None, description="A published report page the names were read on")
    confirmed: bool = Field(
        default=True, description="False where the names follow an earlier cycle's and are not yet checked"
    )
    note: str | None = None

    @model_validator(mode="after")
    def _names_the_force(self) -> ReportForm:
        if "{force}" not in self.title:
            raise ValueError("report.title needs '{force}' where the force's name goes")
        if not self.confirmed and not self.note:
            raise ValueError("an unconfirmed report form needs a note saying why")
        return self


class Framework(Strict):
    year: int = Field(description="The cycle's first year, e.g. 2018 for PEEL 2018/19")
    title: str = Field(description="The cycle's label, e.g. 'PEEL 2018/19'")
    cycle: str | None = Field(
        default=None, description="How the inspectorate writes the cycle, e.g. '2018/19' or '2023-25'"
    )
    aliases: tuple[str, ...] = Field(default=(), description="Other spellings --year accepts, e.g. '2018-19'")
    published: dt.date | None = None
    grade_scale: tuple[GradeLevel, ...] = Field(min_length=4, max_length=5)
    inspection_kinds: tuple[InspectionKind, ...]
    topics: tuple[str, ...] = Field(description="Vocabulary findings may be tagged with")
    data_periods: dict[str, DataPeriod] = Field(description="Per source family: recorded_crime, asb")
    data_age_limit: DataAgeLimit | None = Field(
        default=None,
        description="Past this gap between the latest figures and the cycle's start, reports leave the "
        "data section out; none: no limit",
    )
    rubric: str = Field(description="Rubric file name under openpeel/assessment/rubrics")
    report: ReportForm | None = Field(
        default=None,
        description="The layout of the cycle's published force reports (none: the pillar report of 2014-2018)",
    )
    pillars: tuple[Pillar, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _cross_references(self) -> Framework:
        kinds = {k.id for k in self.inspection_kinds}
        topics = set(self.topics)
        ids: set[str] = set()
        for question in self.questions():
            if question.id in ids:
                raise ValueError(f"question id {question.id!r} appears twice")
            ids.add(question.id)
            for kind in question.inspection_kinds:
                if kind not in kinds:
                    raise ValueError(f"question {question.id!r}: unknown inspection kind {kind!r}")
            for topic in question.core_topics:
                if topic not in topics:
                    raise ValueError(f"question {question.id!r}: core topic {topic!r} is not in topics")
        ranks = sorted(g.rank for g in self.grade_scale)
        if ranks != list(range(1, len(ranks) + 1)):
            raise ValueError("grade_scale ranks must run 1..n")
        if self.cycle is not None and not self.cycle.startswith(str(self.year)):
            raise ValueError(f"cycle {self.cycle!r} must start with the year {self.year}")
        return self

    @property
    def label(self) -> str:
        return self.title

    def spellings(self) -> tuple[str, ...]:
        """Every way a user may name this cycle: the year, the cycle, the aliases and the title."""
        names = [str(self.year), *([self.cycle] if self.cycle else []), *self.aliases, self.title]
        return tuple(dict.fromkeys(names))

    def questions(self) -> list[Question]:
        return [q for p in self.pillars for q in p.questions]

    def question(self, question_id: str) -> Question:
        for q in self.questions():
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def pillar(self, pillar_id: str) -> Pillar:
        for p in self.pillars:
            if p.id == pillar_id:
                return p
        raise KeyError(pillar_id)

    def grade(self, grade_id: str) -> GradeLevel:
        for g in self.grade_scale:
            if g.id == grade_id:
                return g
        raise KeyError(grade_id)

    def inspection_kind(self, kind_id: str) -> InspectionKind:
        for k in self.inspection_kinds:
            if k.id == kind_id:
                return k
        raise KeyError(kind_id)
