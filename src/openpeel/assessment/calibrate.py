"""Calibration: the rubric's proposals set against the grades the inspectorate published, beside
baselines that need no findings.

For every force with evidence for a cycle, the rubric proposes a grade per graded question from
the findings and the warehouse indicators (as the build does) and, where the rubric has a pillar
rule, a grade per pillar graded as a whole (rubric.PillarRule; the inspectorate published pillar
grades from 2015 to 2018/19). Each proposal becomes a row beside the published grade for that
force and target, and beside two baselines on the same row (assessment/baselines.py): the
cycle's most common published grade, and the force's published grade the cycle before where the
crosswalk says it compares. Agreement and Cohen's kappa are given for all rows, for the held-out
forces (drawn at random with a recorded seed, rubrics/held-out.yaml) and for the tuning forces.
Questions an evidence file lists under `gaps` are left out. When calibration-YEAR.yaml records a
freeze, calibration refuses to run on a rubric file whose hash has changed since.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import duckdb
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from openpeel.assessment.agreement import Tally
from openpeel.assessment.baselines import TargetKind, most_common_grades, previous_grade
from openpeel.assessment.held_out import recorded_draws
from openpeel.assessment.pillar import propose_pillar
from openpeel.assessment.rubric import Proposal, load_rubric, propose_grades
from openpeel.core.errors import InputError
from openpeel.evidence import EvidenceFile, bundled_evidence
from openpeel.forces import lookup
from openpeel.framework import Framework, load_framework
from openpeel.framework.published_grades import published_grade
from openpeel.indicators.query import values_by_indicator


class Exclusion(BaseModel):
    """A force left out of a cycle's calibration, and why (e.g. its writer saw a grade)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    force: str
    reason: str = Field(min_length=1)


class CalibrationSetup(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    year: int
    rubric: str
    excluded: tuple[Exclusion, ...] = Field(
        default=(), description="Forces left out of calibration, each with its reason"
    )
    rubric_sha256: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the rubric file when it was frozen"
    )
    frozen_at: dt.datetime | None = Field(default=None, description="When the rubric was frozen (UTC)")

    @model_validator(mode="after")
    def _freeze_is_whole(self) -> CalibrationSetup:
        if (self.rubric_sha256 is None) != (self.frozen_at is None):
            raise ValueError("a freeze records both rubric_sha256 and frozen_at")
        return self


def _rubric_bytes(name: str) -> bytes:
    try:
        return resources.files("openpeel.assessment").joinpath("rubrics", name).read_bytes()
    except FileNotFoundError:
        raise InputError("rubric file not found", path=f"openpeel/assessment/rubrics/{name}") from None


def rubric_sha256(name: str) -> str:
    """SHA-256 of a rubric file's bytes, as a freeze records it."""
    return hashlib.sha256(_rubric_bytes(name)).hexdigest()


def load_setup(year: int) -> CalibrationSetup:
    name = f"calibration-{year}.yaml"
    where = f"openpeel/assessment/rubrics/{name}"
    framework = load_framework(year)
    try:
        text = resources.files("openpeel.assessment").joinpath("rubrics", name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"no calibration set-up for {framework.title}", path=where) from None
    try:
        setup = CalibrationSetup.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(first["msg"], path=where, field=".".join(map(str, first["loc"]))) from None
    if setup.year != year:
        raise InputError(f"file is for {setup.year}", path=where, field="year")
    if setup.rubric != framework.rubric:
        raise InputError(
            f"names {setup.rubric}, but the {framework.title} framework uses {framework.rubric}",
            path=where,
            field="rubric",
        )
    return setup


def check_frozen(setup: CalibrationSetup) -> str:
    """The rubric file's hash; raises if the set-up froze the rubric and the file has changed since."""
    actual = rubric_sha256(setup.rubric)
    if setup.rubric_sha256 is not None and actual != setup.rubric_sha256:
        raise InputError(
            f"the rubric changed after it was frozen: {setup.rubric} now has SHA-256 {actual}, "
            f"but calibration-{setup.year}.yaml recorded {setup.rubric_sha256} when it was frozen at "
            f"{setup.frozen_at}",
            path=f"openpeel/assessment/rubrics/calibration-{setup.year}.yaml",
            field="rubric_sha256",
            hint="restore the frozen rubric; a rubric changed after held-out findings were written "
            "cannot be measured on them",
        )
    return actual


@dataclass(frozen=True)
class CalibrationRow:
    force_id: str
    target: str
    """the graded question or pillar"""
    target_kind: TargetKind
    proposed: str
    published: str
    held_out: bool
    source_url: str
    fired: tuple[tuple[str, str], ...] = ()
    """(rule id, reason) of every rule that fired; for a pillar, the pillar rule"""
    most_common: str = ""
    """the most-common-grade baseline on this row"""
    previous: str | None = None
    """the previous-cycle baseline on this row, None where there is none"""
    previous_note: str = ""

    @property
    def agreed(self) -> bool:
        return self.proposed == self.published

    def as_json(self) -> dict[str, object]:
        return {
            "force": self.force_id,
            "target": self.target,
            "target_kind": self.target_kind,
            "question": self.target if self.target_kind == "question" else None,
            "pillar": self.target if self.target_kind == "pillar" else None,
            "proposed": self.proposed,
            "published": self.published,
            "agreed": self.agreed,
            "held_out": self.held_out,
            "published_source": self.source_url,
            "rules_fired": [{"rule": rule, "reason": reason} for rule, reason in self.fired],
            "baseline_most_common": self.most_common,
            "baseline_previous_cycle": self.previous,
            "baseline_previous_cycle_note": self.previous_note,
        }


GROUPS = ("all", "held_out", "tuning")


@dataclass
class Calibration:
    year: int
    cycle: str
    rubric: str
    rubric_version: int
    rubric_file: str
    rubric_sha256: str
    frozen_at: dt.datetime | None
    held_out: tuple[str, ...]
    seed: int | None
    forces_with_evidence: list[str]
    protocols: dict[str, str | None] = field(default_factory=dict)
    rows: list[CalibrationRow] = field(default_factory=list)
    not_compared: list[dict[str, str]] = field(default_factory=list)
    """Targets with findings left out: no published grade, no proposal, or listed as a gap"""

    def group(self, name: str) -> list[CalibrationRow]:
        if name == "held_out":
            return [r for r in self.rows if r.held_out]
        if name == "tuning":
            return [r for r in self.rows if not r.held_out]
        return list(self.rows)

    def rubric_tally(self, name: str = "all") -> Tally:
        return Tally.of([(r.proposed, r.published) for r in self.group(name)])

    def most_common_tally(self, name: str = "all") -> Tally:
        return Tally.of([(r.most_common, r.published) for r in self.group(name)])

    def previous_tallies(self, name: str = "all") -> tuple[Tally, Tally]:
        """(the previous-cycle baseline, the rubric) on the rows that have that baseline."""
        rows = [r for r in self.group(name) if r.previous is not None]
        return (
            Tally.of([(r.previous or "", r.published) for r in rows]),
            Tally.of([(r.proposed, r.published) for r in rows]),
        )

    @property
    def compared(self) -> int:
        return len(self.rows)

    @property
    def agreed(self) -> int:
        return sum(r.agreed for r in self.rows)

    def confusion(self) -> dict[str, dict[str, int]]:
        """Published grade -> proposed grade -> count, over every compared row."""
        counts = Counter((r.published, r.proposed) for r in self.rows)
        out: dict[str, dict[str, int]] = {}
        for (published, proposed), n in sorted(counts.items()):
            out.setdefault(published, {})[proposed] = n
        return out

    def as_json(self) -> dict[str, Any]:
        rubric = {g: self.rubric_tally(g) for g in GROUPS}
        common = {g: self.most_common_tally(g) for g in GROUPS}
        previous = {g: self.previous_tallies(g) for g in GROUPS}
        return {
            "year": self.year,
            "cycle": self.cycle,
            "rubric": self.rubric,
            "rubric_version": self.rubric_version,
            "rubric_sha256": self.rubric_sha256,
            "frozen_at": self.frozen_at.isoformat() if self.frozen_at else None,
            "protocol": self.protocols,
            "forces_with_evidence": self.forces_with_evidence,
            "held_out": list(self.held_out),
            "seed": self.seed,
            "compared": self.compared,
            "agreed": self.agreed,
            "held_out_compared": rubric["held_out"].compared,
            "held_out_agreed": rubric["held_out"].agreed,
            "tuning_compared": rubric["tuning"].compared,
            "tuning_agreed": rubric["tuning"].agreed,
            "agreement": {g: t.as_json() for g, t in rubric.items()},
            "kappa": {g: None if t.kappa is None else round(t.kappa, 4) for g, t in rubric.items()},
            "baselines": {
                "most_common": {
                    "description": "the grade published most often this cycle for the same pillar or "
                    "question, over all forces (ties to the worse)",
                    "grades": most_common_grades(self.year),
                    **{g: t.as_json() for g, t in common.items()},
                },
                "previous_cycle": {
                    "description": "the force's published grade the cycle before, where the crosswalk "
                    "says it compares; only rows with one count, the rubric beside it on the same rows",
                    **{
                        g: {**base.as_json(), "rubric_agreed": rub.agreed, "rubric_kappa": rub.kappa}
                        for g, (base, rub) in previous.items()
                    },
                    "rows_without": sum(r.previous is None for r in self.rows),
                },
            },
            "confusion": self.confusion(),
            "rows": [r.as_json() for r in self.rows],
            "not_compared": self.not_compared,
        }


def shipped_evidence(year: int) -> dict[str, EvidenceFile]:
    """The evidence files shipped with openpeel for `year`, by force id."""
    out: dict[str, EvidenceFile] = {}
    for _, evidence in bundled_evidence():
        if evidence.year == year:
            out[lookup(evidence.force).force_id] = evidence
    return out


class _Rows:
    """Builds one cycle's rows, each with its published grade and baselines."""

    def __init__(self, framework: Framework, result: Calibration) -> None:
        self.framework = framework
        self.result = result
        self.common = most_common_grades(framework.year)

    def add(
        self,
        force_id: str,
        target: str,
        kind: TargetKind,
        proposed: str | None,
        fired: tuple[tuple[str, str], ...],
    ) -> None:
        published = published_grade(force_id, self.framework.year, target)
        if proposed is None or published is None:
            why = "no published grade in the table" if published is None else "no proposal"
            self.result.not_compared.append({"force": force_id, "target": target, "why": why})
            return
        previous, note = previous_grade(force_id, self.framework.year, target, kind)
        self.result.rows.append(
            CalibrationRow(
                force_id,
                target,
                kind,
                proposed,
                published.grade,
                force_id in self.result.held_out,
                published.source_url,
                fired,
                self.common.get(target, ""),
                previous,
                note,
            )
        )

    def force(self, force_id: str, evidence: EvidenceFile, proposals: dict[str, Proposal]) -> None:
        gaps = {g.question: g.reason for g in evidence.gaps}
        with_findings = {f.question for f in evidence.findings}
        for proposal in proposals.values():
            question = proposal.question_id
            if question not in with_findings:
                continue
            if question in gaps:
                self.result.not_compared.append(
                    {"force": force_id, "target": question, "why": f"listed as a gap: {gaps[question]}"}
                )
                continue
            fired = tuple((r.rule_id, r.reason) for r in proposal.fired)
            self.add(force_id, question, "question", proposal.grade, fired)
        rule = load_rubric(self.framework.rubric).pillar
        if rule is None:
            return
        for pillar in self.framework.pillars:
            questions = {q.id for q in pillar.questions if q.graded}
            if not pillar.has_overall_grade or not (questions & with_findings):
                continue
            found = propose_pillar(self.framework, rule, pillar.id, proposals, gaps)
            self.add(force_id, pillar.id, "pillar", found.grade, (("pillar", found.reason),))


def calibrate(
    con: duckdb.DuckDBPyConnection | None, year: int, evidence: dict[str, EvidenceFile] | None = None
) -> Calibration:
    """Compare the rubric's proposals with the published grades for every force with evidence.

    `con` holds the statistics and computed indicators (as after `openpeel build`); it is not read
    when there is no evidence. `evidence` defaults to the evidence files shipped for the year.
    """
    framework = load_framework(year)
    setup = load_setup(framework.year)
    digest = check_frozen(setup)
    rubric = load_rubric(framework.rubric)
    draw = recorded_draws().get(framework.year)
    files = shipped_evidence(framework.year) if evidence is None else evidence
    result = Calibration(
        framework.year,
        framework.title,
        rubric.id,
        rubric.version,
        framework.rubric,
        digest,
        setup.frozen_at,
        draw.held_out if draw else (),
        draw.seed if draw else None,
        sorted(files),
        {force_id: files[force_id].protocol for force_id in sorted(files)},
    )
    if files and con is None:
        raise ValueError("calibrating evidence needs the warehouse's indicators")
    rows = _Rows(framework, result)
    excluded = {lookup(e.force).force_id: e.reason for e in setup.excluded}
    for force_id in sorted(files):
        if force_id in excluded:
            result.not_compared.append(
                {"force": force_id, "target": "all", "why": f"excluded: {excluded[force_id]}"}
            )
            continue
        assert con is not None
        indicators = values_by_indicator(con, framework, force_id)
        rows.force(
            force_id, files[force_id], propose_grades(framework, files[force_id], indicators, pillars=None)
        )
    return result
