"""Calibration: the rubric's proposals set against the grades the inspectorate published.

For every force with evidence for a year, the rubric proposes a grade per graded question from the
findings and the warehouse indicators (as the build does), and each proposal is compared with the
published grade for that force and question (framework/published/). The forces named held out in
rubrics/calibration-YEAR.yaml were set aside before the rubric was tuned, so their agreement is
the honest measure; the others are the ones the rubric was tuned on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import duckdb
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from openpeel.assessment.rubric import Proposal, load_rubric, propose_grades
from openpeel.core.errors import InputError
from openpeel.evidence import EvidenceFile, bundled_evidence_files, load_evidence_file
from openpeel.forces import lookup
from openpeel.framework import Framework, load_framework
from openpeel.framework.published_grades import published_grade
from openpeel.indicators.query import values_by_indicator


class CalibrationSetup(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    year: int
    rubric: str
    held_out: tuple[str, ...]


def load_setup(year: int) -> CalibrationSetup:
    name = f"calibration-{year}.yaml"
    where = f"openpeel/assessment/rubrics/{name}"
    try:
        text = resources.files("openpeel.assessment").joinpath("rubrics", name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"no calibration set-up for PEEL {year}", path=where) from None
    try:
        setup = CalibrationSetup.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(first["msg"], path=where, field=".".join(map(str, first["loc"]))) from None
    if setup.year != year:
        raise InputError(f"file is for {setup.year}", path=where, field="year")
    for force in setup.held_out:
        lookup(force)
    return setup


@dataclass(frozen=True)
class CalibrationRow:
    force_id: str
    question_id: str
    proposed: str
    published: str
    held_out: bool
    source_url: str
    fired: tuple[tuple[str, str], ...] = ()
    """(rule id, reason) of every rule that fired"""

    @property
    def agreed(self) -> bool:
        return self.proposed == self.published

    def as_json(self) -> dict[str, object]:
        return {
            "force": self.force_id,
            "question": self.question_id,
            "proposed": self.proposed,
            "published": self.published,
            "agreed": self.agreed,
            "held_out": self.held_out,
            "published_source": self.source_url,
            "rules_fired": [{"rule": rule, "reason": reason} for rule, reason in self.fired],
        }


@dataclass
class Calibration:
    year: int
    rubric: str
    held_out: tuple[str, ...]
    forces_with_evidence: list[str]
    rows: list[CalibrationRow] = field(default_factory=list)
    not_compared: list[dict[str, str]] = field(default_factory=list)
    """Questions with a proposal but no published grade in the table (or the reverse)"""

    def _count(self, *, held_out: bool | None = None) -> tuple[int, int]:
        rows = [r for r in self.rows if held_out is None or r.held_out == held_out]
        return len(rows), sum(r.agreed for r in rows)

    @property
    def compared(self) -> int:
        return self._count()[0]

    @property
    def agreed(self) -> int:
        return self._count()[1]

    def confusion(self) -> dict[str, dict[str, int]]:
        """Published grade -> proposed grade -> count, over every compared question."""
        counts = Counter((r.published, r.proposed) for r in self.rows)
        out: dict[str, dict[str, int]] = {}
        for (published, proposed), n in sorted(counts.items()):
            out.setdefault(published, {})[proposed] = n
        return out

    def as_json(self) -> dict[str, Any]:
        held_compared, held_agreed = self._count(held_out=True)
        tuned_compared, tuned_agreed = self._count(held_out=False)
        return {
            "year": self.year,
            "rubric": self.rubric,
            "forces_with_evidence": self.forces_with_evidence,
            "held_out": list(self.held_out),
            "compared": self.compared,
            "agreed": self.agreed,
            "held_out_compared": held_compared,
            "held_out_agreed": held_agreed,
            "tuning_compared": tuned_compared,
            "tuning_agreed": tuned_agreed,
            "confusion": self.confusion(),
            "rows": [r.as_json() for r in self.rows],
            "not_compared": self.not_compared,
        }


def shipped_evidence(year: int) -> dict[str, EvidenceFile]:
    """The evidence files shipped with openpeel for `year`, by force id."""
    out: dict[str, EvidenceFile] = {}
    for path in bundled_evidence_files():
        evidence = load_evidence_file(path)
        if evidence.year == year:
            out[lookup(evidence.force).force_id] = evidence
    return out


def _row(
    force_id: str, proposal: Proposal, framework: Framework, held_out: bool
) -> CalibrationRow | dict[str, str]:
    published = published_grade(force_id, framework.year, proposal.question_id)
    if proposal.grade is None or published is None:
        return {
            "force": force_id,
            "question": proposal.question_id,
            "why": "no published grade in the table" if published is None else "no findings, no proposal",
        }
    fired = tuple((r.rule_id, r.reason) for r in proposal.fired)
    return CalibrationRow(
        force_id, proposal.question_id, proposal.grade, published.grade, held_out, published.source_url, fired
    )


def calibrate(
    con: duckdb.DuckDBPyConnection, year: int, evidence: dict[str, EvidenceFile] | None = None
) -> Calibration:
    """Compare the rubric's proposals with the published grades for every force with evidence.

    `con` holds the statistics and computed indicators (as after `openpeel build`); `evidence`
    defaults to the evidence files shipped for the year.
    """
    framework = load_framework(year)
    setup = load_setup(year)
    files = shipped_evidence(year) if evidence is None else evidence
    result = Calibration(year, load_rubric(framework.rubric).id, setup.held_out, sorted(files))
    for force_id in sorted(files):
        indicators = values_by_indicator(con, framework, force_id)
        proposals = propose_grades(framework, files[force_id], indicators, pillars=None)
        for proposal in proposals.values():
            has_findings = any(f.question == proposal.question_id for f in files[force_id].findings)
            if not has_findings:
                continue
            row = _row(force_id, proposal, framework, force_id in setup.held_out)
            if isinstance(row, CalibrationRow):
                result.rows.append(row)
            else:
                result.not_compared.append(row)
    return result


def _pct(agreed: int, compared: int) -> str:
    return f"{agreed}/{compared} ({100 * agreed / compared:.0f}%)" if compared else "0/0"


def format_calibration(result: Calibration, labels: dict[str, str] | None = None) -> str:
    """The calibration as text: agreement, the confusion table and every disagreement."""
    data = result.as_json()
    names = labels or {g.id: g.label for g in load_framework(result.year).grade_scale}
    grades = [g.id for g in sorted(load_framework(result.year).grade_scale, key=lambda g: g.rank)]
    lines = [
        f"Calibration of {result.rubric} against the published grades, PEEL {result.year}",
        f"forces with evidence: {len(result.forces_with_evidence)}; "
        f"held out: {', '.join(result.held_out) or 'none'}",
        f"agreement: {_pct(data['agreed'], data['compared'])} overall; "
        f"{_pct(data['held_out_agreed'], data['held_out_compared'])} held out; "
        f"{_pct(data['tuning_agreed'], data['tuning_compared'])} tuning",
        "",
        "published (rows) by proposed (columns):",
    ]
    width = max(len(names[g]) for g in grades)
    lines.append(" " * (width + 2) + "  ".join(names[g][:12].rjust(12) for g in grades))
    confusion = result.confusion()
    for published in grades:
        cells = [str(confusion.get(published, {}).get(p, 0)).rjust(12) for p in grades]
        lines.append(names[published].ljust(width + 2) + "  ".join(cells))
    disagreements = [r for r in result.rows if not r.agreed]
    lines += ["", f"disagreements: {len(disagreements)}"]
    for r in disagreements:
        tag = " (held out)" if r.held_out else ""
        lines.append(f"- {r.force_id} {r.question_id}{tag}: proposed {r.proposed}, published {r.published}")
        lines += [f"    {rule}: {reason}" for rule, reason in r.fired]
    return "\n".join(lines) + "\n"
