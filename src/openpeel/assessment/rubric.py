"""The rubric: from findings and indicators to a proposed grade per graded question.

The rules and their order are data (rubrics/rubric-YEAR.yaml); this module gives each rule type
its meaning. Every rule is evaluated and reported, fired or not, with the findings and
indicators it used, so a reader can see exactly why a grade was proposed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from openpeel.core.errors import InputError
from openpeel.evidence import EvidenceFile, Finding
from openpeel.evidence.models import STRENGTH_KINDS
from openpeel.framework import Framework, Question
from openpeel.indicators.query import IndicatorValue

RuleType = Literal[
    "no_findings",
    "cause_of_concern",
    "afi_touches_core",
    "core_afis_outweigh_strengths",
    "afi_outnumber_strengths",
    "primary_indicator_worse_unexplained",
    "good_conditions",
    "outstanding_conditions",
    "characteristics",
    "default",
]
LIMITING: set[str] = {
    "cause_of_concern",
    "afi_touches_core",
    "core_afis_outweigh_strengths",
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
    # Parameters; the defaults give each rule type its first (DESIGN.md section 5) meaning.
    core_strengths: Literal["all", "any"] = Field(
        default="all", description="good_conditions: strengths needed in every core topic, or in at least one"
    )
    core_afis: Literal["none", "not-outweighing"] = Field(
        default="none",
        description="good_conditions: no area for improvement in a core topic, or none outweighing core strengths",
    )
    check_indicators: bool = Field(
        default=True, description="good_conditions: an unexplained worse primary indicator rules good out"
    )
    margin: int = Field(
        default=0,
        ge=0,
        description="afi_outnumber_strengths and good_conditions: areas for improvement may exceed strengths by this many",
    )
    better_indicators: Literal["all", "all-if-any", "not-needed"] = Field(
        default="all",
        description="outstanding_conditions: every primary indicator significantly better (all: a question "
        "without primary indicators can never qualify; all-if-any: it needs none), or not needed",
    )
    min_exceptional: int = Field(
        default=1, ge=1, description="outstanding_conditions: strengths marked exceptional needed"
    )
    min_share: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="characteristics: share of core topics with a strength and no area for improvement",
    )
    max_share: float | None = Field(
        default=None, ge=0, le=1, description="characteristics: upper bound of that share"
    )
    needs_afi: bool = Field(
        default=False, description="characteristics: fires only where there is an area for improvement"
    )


class RubricChange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    rules: tuple[str, ...]
    reason: str


class PillarRule(BaseModel):
    """How a pillar graded as a whole is proposed from its questions' proposals."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Literal["median", "mode"] = Field(
        description="median: the middle grade, the worse of the two middle ones for an even count; "
        "mode: the most common grade, a tie going to the worse"
    )
    min_share: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of the pillar's graded questions that must have a proposal",
    )
    reason: str = Field(min_length=1, description="Why this rule, recorded when it was chosen")


class Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: int
    rules: tuple[Rule, ...]
    pillar: PillarRule | None = Field(
        default=None, description="For pillars graded as a whole: how their proposal is derived"
    )
    changes: tuple[RubricChange, ...] = Field(default=(), description="Each change to the rules and why")


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


@dataclass(frozen=True)
class _Facts:
    """What the rules look at for one question: its findings sorted by kind, and its indicators."""

    question: Question
    findings: list[Finding]
    indicators: dict[str, IndicatorValue]
    good_holds: bool

    @property
    def core(self) -> set[str]:
        return set(self.question.core_topics)

    def of_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    @property
    def strengths(self) -> list[Finding]:
        # Innovative and promising practice count as strengths (evidence/models.py).
        return [f for f in self.findings if f.kind in STRENGTH_KINDS]

    @property
    def afis(self) -> list[Finding]:
        return self.of_kind("area-for-improvement")

    @property
    def concerns(self) -> list[Finding]:
        return [f for f in self.of_kind("cause-of-concern") if not f.is_resolved]

    def touching_core(self, findings: list[Finding]) -> list[Finding]:
        return [f for f in findings if self.core & set(f.topics)]

    def worse(self) -> list[str]:
        return [i for i in self.question.primary_indicators if (v := self.indicators.get(i)) and v.is_worse]

    def better(self) -> list[str]:
        return [i for i in self.question.primary_indicators if (v := self.indicators.get(i)) and v.is_better]

    def set_aside(self) -> list[str]:
        """Primary indicators that differ significantly but count neither way: the inspectorate
        found the force's recording wanting for their period (indicators/recording_context.py)."""
        return [
            i
            for i in self.question.primary_indicators
            if (v := self.indicators.get(i)) and v.flag == "unclear" and v.recording is not None
        ]

    def set_aside_reason(self) -> str:
        ids = self.set_aside()
        if not ids:
            return ""
        first = self.indicators[ids[0]].recording
        finding = f" ({first.finding_text})" if first is not None else ""
        return f"; not counted for or against, for recording: {', '.join(ids)}{finding}"

    def unexplained(self) -> list[str]:
        return [i for i in self.worse() if not any(i in f.explains for f in self.findings)]

    def sound_core_share(self) -> float:
        """Share of core topics with a strength and no area for improvement."""
        if not self.core:
            return 1.0 if self.strengths and not self.afis else 0.0
        strong = {t for f in self.strengths for t in f.topics} & self.core
        weak = {t for f in self.afis for t in f.topics} & self.core
        return len(strong - weak) / len(self.core)


Evaluator = Callable[[Rule, _Facts], tuple[bool, str, list[Finding], tuple[str, ...]]]


def _no_findings(rule: Rule, facts: _Facts) -> tuple[bool, str, list[Finding], tuple[str, ...]]:
    n = len(facts.findings)
    return not n, "no findings for this question" if not n else f"{n} findings", [], ()


def _cause_of_concern(rule: Rule, facts: _Facts) -> tuple[bool, str, list[Finding], tuple[str, ...]]:
    concerns = facts.concerns
    return bool(concerns), f"{len(concerns)} unresolved cause(s) of concern", concerns, ()


def _afi_touches_core(rule: Rule, facts: _Facts) -> tuple[bool, str, list[Finding], tuple[str, ...]]:
    touching = facts.touching_core(facts.afis)
    topics = sorted({t for f in touching for t in f.topics if t in facts.core})
    reason = (
        f"areas for improvement in core topics: {', '.join(topics)}"
        if touching
        else "no area for improvement touches a core topic"
    )
    return bool(touching), reason, touching, ()


def _core_afis_outweigh(rule: Rule, facts: _Facts) -> tuple[bool, str, list[Finding], tuple[str, ...]]:
    afis, strengths = facts.touching_core(facts.afis), facts.touching_core(facts.strengths)
    fired = len(afis) > len(strengths)
    reason = f"{len(afis)} areas for improvement against {len(strengths)} strengths in core topics"
    return fired, reason, afis + strengths, ()


def _afi_outnumber(rule: Rule, facts: _Facts) -> tuple[bool, str, list[Finding], tuple[str, ...]]:
    afis, strengths = facts.afis, facts.strengths
    fired = len(afis) > len(strengths) + rule.margin
    return (
        fired,
        f"{len(afis)} areas for improvement against {len(strengths)} strengths",
        afis + strengths,
        (),
    )


def _indicator_worse(rule: Rule, facts: _Facts) -> tuple[bool, str, list[Finding], tuple[str, ...]]:
    worse, unexplained = facts.worse(), facts.unexplained()
    explained = [f for f in facts.findings if set(f.explains) & set(worse)]
    if unexplained:
        reason = f"significantly worse than England and Wales, unexplained: {', '.join(unexplained)}"
    elif worse:
        reason = f"worse than England and Wales but explained by findings: {', '.join(worse)}"
    else:
        reason = "no primary indicator significantly worse than England and Wales"
    return bool(unexplained), reason + facts.set_aside_reason(), explained, tuple(worse)


def _good_conditions(rule: Rule, facts: _Facts) -> tuple[bool, str, list[Finding], tuple[str, ...]]:
    core, strengths, afis = facts.core, facts.strengths, facts.afis
    covered = {t for f in strengths for t in f.topics} & core
    missing = sorted(core - covered)
    core_afis = facts.touching_core(afis)
    core_strengths = facts.touching_core(strengths)
    afis_limit = bool(core_afis) if rule.core_afis == "none" else len(core_afis) > len(core_strengths)
    core_short = bool(missing) if rule.core_strengths == "all" else bool(core) and not covered
    unexplained = facts.unexplained() if rule.check_indicators else []
    outnumbered = len(afis) > len(strengths) + rule.margin
    concerns = facts.concerns
    parts = []
    if concerns:
        parts.append("an unresolved cause of concern")
    if afis_limit:
        parts.append("areas for improvement in core topics")
    if outnumbered:
        parts.append("areas for improvement outnumber strengths")
    if core_short:
        parts.append(f"no strength in core topic(s): {', '.join(missing)}")
    if unexplained:
        parts.append(f"unexplained worse indicator(s): {', '.join(unexplained)}")
    if not strengths:
        parts.append("no strengths")
    fired = not parts
    wanted = "every core topic" if rule.core_strengths == "all" else "a core topic"
    reason = f"strengths in {wanted}, nothing limiting" if fired else "; ".join(parts)
    return fired, reason, core_strengths, tuple(facts.question.primary_indicators)


def _outstanding_conditions(rule: Rule, facts: _Facts) -> tuple[bool, str, list[Finding], tuple[str, ...]]:
    exceptional = [f for f in facts.strengths if f.is_exceptional]
    primary, better = facts.question.primary_indicators, facts.better()
    all_better = len(better) == len(primary)
    indicators_ok = (
        rule.better_indicators == "not-needed"
        or (rule.better_indicators == "all-if-any" and all_better)
        or (bool(primary) and all_better)
    )
    fired = facts.good_holds and len(exceptional) >= rule.min_exceptional and indicators_ok
    if fired:
        reason = (
            "exceptional findings and every primary indicator better than England and Wales"
            if rule.better_indicators != "not-needed" and primary
            else "the conditions for good and exceptional findings"
        )
    else:
        reason = f"{len(exceptional)} exceptional finding(s); {len(better)} of {len(primary)} primary indicators significantly better"
        if not facts.good_holds:
            reason += "; the conditions for good do not hold"
        reason += facts.set_aside_reason()
    return fired, reason, exceptional, tuple(better)


def _characteristics(rule: Rule, facts: _Facts) -> tuple[bool, str, list[Finding], tuple[str, ...]]:
    share = facts.sound_core_share()
    low = rule.min_share if rule.min_share is not None else 0.0
    high = rule.max_share if rule.max_share is not None else 1.0
    fired = low <= share <= high and (not rule.needs_afi or bool(facts.afis))
    reason = f"{share:.0%} of core topics show a strength and no area for improvement"
    if rule.needs_afi:
        reason += f"; {len(facts.afis)} area(s) for improvement"
    return fired, reason, facts.touching_core(facts.findings), ()


EVALUATORS: dict[str, Evaluator] = {
    "no_findings": _no_findings,
    "cause_of_concern": _cause_of_concern,
    "afi_touches_core": _afi_touches_core,
    "core_afis_outweigh_strengths": _core_afis_outweigh,
    "afi_outnumber_strengths": _afi_outnumber,
    "primary_indicator_worse_unexplained": _indicator_worse,
    "good_conditions": _good_conditions,
    "outstanding_conditions": _outstanding_conditions,
    "characteristics": _characteristics,
}


def _evaluate(
    rule: Rule,
    question: Question,
    findings: list[Finding],
    indicators: dict[str, IndicatorValue],
    good_holds: bool,
) -> RuleResult:
    evaluator = EVALUATORS.get(rule.type)
    if evaluator is None:
        raise ValueError(f"rule type {rule.type!r} is evaluated by propose_grade")
    fired, reason, used, inds = evaluator(rule, _Facts(question, findings, indicators, good_holds))
    return RuleResult(rule.id, rule.description, fired, reason, rule.proposes, _ids(used), inds)


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
        if value is None or value.flag is None:
            continue
        if value.flag == "unclear":
            # Flagged, with the reason, but neither better nor worse (recording drives the figure).
            why = value.recording.text if value.recording else "recording drives this count"
            proposal.flags.append(
                f"{ind_id}: {value.band} than England and Wales, neither better nor worse: {why}"
            )
        else:
            proposal.flags.append(f"{ind_id}: {value.flag} than England and Wales")
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
    elif any(by_id[rid].type == "characteristics" for rid in fired):
        # Characteristics rules are read in rubric order: the first that fires settles the grade.
        proposal.grade = next(by_id[rid].proposes for rid in fired if by_id[rid].type == "characteristics")
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
