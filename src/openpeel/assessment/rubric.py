"""The rubric: from findings and indicators to a proposed grade per graded question.

The rules and their order are data (rubrics/rubric-YEAR.yaml); this module gives each rule type
its meaning. Every rule is evaluated and reported, fired or not, with the findings and
indicators it used, so a reader can see exactly why a grade was proposed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from openpeel.core.errors import InputError
from openpeel.evidence import EvidenceFile, Finding
from openpeel.framework import Framework, Question
from openpeel.indicators.query import IndicatorValue

RuleType = Literal[
    "no_findings",
    "cause_of_concern",
    "afi_touches_core",
    "afi_outnumber_strengths",
    "primary_indicator_worse_unexplained",
    "good_conditions",
    "outstanding_conditions",
    "default",
]
LIMITING: set[str] = {
    "cause_of_concern",
    "afi_touches_core",
    "afi_outnumber_strengths",
    "primary_indicator_worse_unexplained",
}


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    type: RuleType
    description: str
    proposes: str | None = None
    caps_at: str | None = None


class Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: int
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class RuleResult:
    rule_id: str
    description: str
    fired: bool
    reason: str
    proposes: str | None = None
    findings: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {
            "rule": self.rule_id,
            "fired": self.fired,
            "reason": self.reason,
            "proposes": self.proposes if self.fired else None,
            "findings": list(self.findings),
            "indicators": list(self.indicators),
        }


@dataclass
class Proposal:
    question_id: str
    grade: str | None
    rubric_id: str
    rules: list[RuleResult] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def fired(self) -> list[RuleResult]:
        return [r for r in self.rules if r.fired]

    def as_json(self) -> dict[str, object]:
        return {
            "question": self.question_id,
            "proposed_grade": self.grade,
            "rubric": self.rubric_id,
            "rules": [r.as_json() for r in self.rules],
            "flags": self.flags,
        }


@cache
def load_rubric(name: str) -> Rubric:
    where = f"openpeel/assessment/rubrics/{name}"
    try:
        text = resources.files("openpeel.assessment").joinpath("rubrics", name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("rubric file not found", path=where) from None
    try:
        return Rubric.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(first["msg"], path=where, field=".".join(map(str, first["loc"]))) from None


def _ids(findings: list[Finding]) -> tuple[str, ...]:
    return tuple(f.id for f in findings)


def _evaluate(
    rule: Rule,
    question: Question,
    findings: list[Finding],
    indicators: dict[str, IndicatorValue],
    good_holds: bool,
) -> RuleResult:
    strengths = [f for f in findings if f.kind == "strength"]
    afis = [f for f in findings if f.kind == "area-for-improvement"]
    concerns = [f for f in findings if f.kind == "cause-of-concern" and not f.is_resolved]
    core = set(question.core_topics)

    def result(
        fired: bool, reason: str, used: list[Finding] | tuple[str, ...] = (), inds: tuple[str, ...] = ()
    ) -> RuleResult:
        used_ids = used if isinstance(used, tuple) else _ids(used)
        return RuleResult(rule.id, rule.description, fired, reason, rule.proposes, used_ids, inds)

    if rule.type == "no_findings":
        return result(
            not findings, "no findings for this question" if not findings else f"{len(findings)} findings"
        )
    if rule.type == "cause_of_concern":
        return result(bool(concerns), f"{len(concerns)} unresolved cause(s) of concern", concerns)
    if rule.type == "afi_touches_core":
        touching = [f for f in afis if core & set(f.topics)]
        topics = sorted({t for f in touching for t in f.topics if t in core})
        reason = (
            f"areas for improvement in core topics: {', '.join(topics)}"
            if touching
            else "no area for improvement touches a core topic"
        )
        return result(bool(touching), reason, touching)
    if rule.type == "afi_outnumber_strengths":
        fired = len(afis) > len(strengths)
        return result(
            fired, f"{len(afis)} areas for improvement against {len(strengths)} strengths", afis + strengths
        )
    if rule.type in ("primary_indicator_worse_unexplained", "good_conditions", "outstanding_conditions"):
        worse, unexplained, better = [], [], []
        for ind_id in question.primary_indicators:
            value = indicators.get(ind_id)
            if value is None:
                continue
            if value.is_worse:
                worse.append(ind_id)
                explainers = [f for f in findings if ind_id in f.explains]
                if not explainers:
                    unexplained.append(ind_id)
            if value.is_better:
                better.append(ind_id)
        if rule.type == "primary_indicator_worse_unexplained":
            explained = [f for f in findings if set(f.explains) & set(worse)]
            if unexplained:
                reason = f"significantly worse than England and Wales, unexplained: {', '.join(unexplained)}"
            elif worse:
                reason = f"worse than England and Wales but explained by findings: {', '.join(worse)}"
            else:
                reason = "no primary indicator significantly worse than England and Wales"
            return result(bool(unexplained), reason, explained, tuple(worse))
        if rule.type == "good_conditions":
            covered = {t for f in strengths for t in f.topics} & core
            missing = sorted(core - covered)
            core_afis = [f for f in afis if core & set(f.topics)]
            outnumbered = len(afis) > len(strengths)
            fired = (
                not concerns
                and not missing
                and not unexplained
                and bool(strengths)
                and not core_afis
                and not outnumbered
            )
            parts = []
            if concerns:
                parts.append("an unresolved cause of concern")
            if core_afis:
                parts.append("areas for improvement in core topics")
            if outnumbered:
                parts.append("areas for improvement outnumber strengths")
            if missing:
                parts.append(f"no strength in core topic(s): {', '.join(missing)}")
            if unexplained:
                parts.append(f"unexplained worse indicator(s): {', '.join(unexplained)}")
            if not strengths:
                parts.append("no strengths")
            reason = "strengths in every core topic, nothing limiting" if fired else "; ".join(parts)
            used = [f for f in strengths if core & set(f.topics)]
            return result(fired, reason, used, tuple(question.primary_indicators))
        exceptional = [f for f in findings if f.is_exceptional and f.kind == "strength"]
        all_better = bool(question.primary_indicators) and len(better) == len(question.primary_indicators)
        fired = good_holds and bool(exceptional) and all_better
        reason = (
            "exceptional findings and every primary indicator better than England and Wales"
            if fired
            else f"{len(exceptional)} exceptional finding(s); {len(better)} of {len(question.primary_indicators)} primary indicators significantly better"
        )
        return result(fired, reason, exceptional, tuple(better))
    raise ValueError(f"rule type {rule.type!r} is evaluated by propose_grade")


def propose_grade(
    framework: Framework,
    rubric: Rubric,
    question: Question,
    findings: list[Finding],
    indicators: dict[str, IndicatorValue],
) -> Proposal:
    proposal = Proposal(question.id, None, rubric.id)
    good_rule = next((r for r in rubric.rules if r.type == "good_conditions"), None)
    good_holds = good_rule is not None and _evaluate(good_rule, question, findings, indicators, False).fired
    for rule in rubric.rules:
        if rule.type == "default":
            settled = [
                r
                for r in proposal.rules
                if r.fired and r.rule_id in {x.id for x in rubric.rules if x.type != "default"}
            ]
            proposal.rules.append(
                RuleResult(
                    rule.id,
                    rule.description,
                    not settled,
                    "no other rule settled the grade" if not settled else "another rule settled the grade",
                    rule.proposes,
                )
            )
            continue
        proposal.rules.append(_evaluate(rule, question, findings, indicators, good_holds))
    for ind_id in (*question.primary_indicators, *question.supporting_indicators):
        value = indicators.get(ind_id)
        if value is not None and (value.is_worse or value.is_better):
            proposal.flags.append(
                f"{ind_id}: {'worse' if value.is_worse else 'better'} than England and Wales"
            )
    fired = {r.rule_id: r for r in proposal.rules if r.fired}
    by_id = {r.id: r for r in rubric.rules}
    if any(by_id[rid].type == "no_findings" for rid in fired):
        return proposal

    def rank(grade_id: str) -> int:
        return framework.grade(grade_id).rank

    limiting = [by_id[rid].proposes for rid in fired if by_id[rid].type in LIMITING and by_id[rid].proposes]
    if limiting:
        proposal.grade = max((g for g in limiting if g), key=rank)
    elif any(by_id[rid].type == "outstanding_conditions" for rid in fired):
        proposal.grade = next(
            by_id[rid].proposes for rid in fired if by_id[rid].type == "outstanding_conditions"
        )
    elif any(by_id[rid].type == "good_conditions" for rid in fired):
        proposal.grade = next(by_id[rid].proposes for rid in fired if by_id[rid].type == "good_conditions")
    else:
        proposal.grade = next((by_id[rid].proposes for rid in fired if by_id[rid].type == "default"), None)
    caps = [by_id[rid].caps_at for rid in fired if by_id[rid].caps_at]
    for cap in caps:
        if cap and proposal.grade and rank(proposal.grade) < rank(cap):
            proposal.grade = cap
    return proposal


def propose_grades(
    framework: Framework,
    evidence: EvidenceFile | None,
    indicators: dict[str, IndicatorValue],
    *,
    pillars: Iterable[str] | None = ("effectiveness",),
) -> dict[str, Proposal]:
    """A proposal for every graded question of the given pillars (grade None without findings).

    The default is the effectiveness pillar, the subject of the report "How well the force
    tackles crime"; `pillars=None` proposes for every pillar of the framework.
    """
    rubric = load_rubric(framework.rubric)
    chosen = [p.id for p in framework.pillars] if pillars is None else list(pillars)
    for pillar_id in chosen:
        framework.pillar(pillar_id)
    out = {}
    for question in (q for p in framework.pillars if p.id in chosen for q in p.questions):
        if not question.graded:
            continue
        findings = [f for f in evidence.findings if f.question == question.id] if evidence else []
        out[question.id] = propose_grade(framework, rubric, question, findings, indicators)
    return out
