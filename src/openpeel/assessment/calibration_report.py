"""A calibration as text: the rubric beside its baselines on the same rows, then the confusion
table and every disagreement with the rules that fired."""

from __future__ import annotations

from collections import Counter

from openpeel.assessment.baselines import most_common_grades
from openpeel.assessment.calibrate import GROUPS, Calibration
from openpeel.framework import load_framework

_LABEL = 40
_CELL = 15


def _line(label: str, cells: list[str]) -> str:
    return label.ljust(_LABEL) + "".join(c.ljust(_CELL) for c in cells).rstrip()


def _header(result: Calibration) -> list[str]:
    frozen = (
        f"frozen at {result.frozen_at.isoformat()}"
        if result.frozen_at
        else f"not frozen (calibration-{result.year}.yaml records no freeze)"
    )
    protocols = Counter(p or "none stated" for p in result.protocols.values())
    with_evidence = [f for f in result.held_out if f in result.forces_with_evidence]
    drawn = (
        f"{len(result.held_out)} forces drawn with seed {result.seed} (rubrics/held-out.yaml)"
        if result.seed is not None
        else "no held-out draw recorded for this cycle"
    )
    lines = [
        f"Calibration of {result.rubric} version {result.rubric_version} against the grades the "
        f"inspectorate published, {result.cycle}",
        f"rubric file {result.rubric_file}, SHA-256 {result.rubric_sha256}; {frozen}",
    ]
    if not result.forces_with_evidence:
        return [*lines, f"held out: the {drawn}"]
    return [
        *lines,
        f"evidence: {len(result.forces_with_evidence)} forces (protocol: "
        + ", ".join(f"{p} for {n}" for p, n in sorted(protocols.items()))
        + ")",
        f"held out: {len(with_evidence)} of them ({', '.join(with_evidence) or 'none'}), of the {drawn}",
    ]


def _table(result: Calibration) -> list[str]:
    rubric = [result.rubric_tally(g) for g in GROUPS]
    common = [result.most_common_tally(g) for g in GROUPS]
    previous = [result.previous_tallies(g) for g in GROUPS]
    lines = [
        _line("on the same rows", ["all", "held out", "tuning"]),
        _line("rows compared", [str(t.compared) for t in rubric]),
        _line("rubric: agreement", [t.text() for t in rubric]),
        _line("rubric: Cohen's kappa", [t.kappa_text() for t in rubric]),
        _line("most common grade: agreement", [t.text() for t in common]),
        _line("most common grade: Cohen's kappa", [t.kappa_text() for t in common]),
        _line("previous cycle's grade: rows with one", [str(b.compared) for b, _ in previous]),
    ]
    if previous[0][0].compared:
        lines += [
            _line("  that baseline: agreement", [b.text() for b, _ in previous]),
            _line("  that baseline: Cohen's kappa", [b.kappa_text() for b, _ in previous]),
            _line("  the rubric on those rows", [r.text() for _, r in previous]),
        ]
    missing = Counter(r.previous_note for r in result.rows if r.previous is None)
    if missing:
        lines.append(
            "rows without a previous-cycle grade: " + "; ".join(f"{n}: {w}" for w, n in missing.items())
        )
    return lines


def _confusion(result: Calibration) -> list[str]:
    framework = load_framework(result.year)
    names = {g.id: g.label for g in framework.grade_scale}
    grades = [g.id for g in sorted(framework.grade_scale, key=lambda g: g.rank)]
    width = max(len(names[g]) for g in grades)
    lines = ["published (rows) by proposed (columns):"]
    lines.append(" " * (width + 2) + "  ".join(names[g][:12].rjust(12) for g in grades))
    confusion = result.confusion()
    for published in grades:
        cells = [str(confusion.get(published, {}).get(p, 0)).rjust(12) for p in grades]
        lines.append(names[published].ljust(width + 2) + "  ".join(cells))
    return lines


def format_calibration(result: Calibration) -> str:
    """The calibration as text."""
    lines = _header(result)
    if not result.forces_with_evidence:
        lines += [
            "",
            f"No evidence files for {result.cycle} yet: nothing to compare. Evidence is written under",
            "the blind protocol (docs/methodology.md) into src/openpeel/evidence/files/.",
        ]
        return "\n".join(lines) + "\n"
    if result.not_compared:
        why = Counter(entry["why"].split(":")[0] for entry in result.not_compared)
        lines.append("left out: " + "; ".join(f"{n} {w}" for w, n in sorted(why.items())))
    common = most_common_grades(result.year)
    if common:
        lines.append("most common grades: " + ", ".join(f"{t} {g}" for t, g in common.items()))
    lines += ["", *_table(result), "", *_confusion(result)]
    disagreements = [r for r in result.rows if not r.agreed]
    lines += ["", f"disagreements: {len(disagreements)}"]
    for r in disagreements:
        tag = " (held out)" if r.held_out else ""
        lines.append(f"- {r.force_id} {r.target}{tag}: proposed {r.proposed}, published {r.published}")
        lines += [f"    {rule}: {reason}" for rule, reason in r.fired]
    return "\n".join(lines) + "\n"
