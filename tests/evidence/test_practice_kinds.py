"""Innovative and promising practice: finding kinds of their own (the inspectorate's reports from
PEEL 2021/22 set them out in boxes), through the models, the loader, CSV, the store, the draft
extractor and the rubric, which counts them as strengths. Every finding here is INVENTED."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from openpeel.assessment.rubric import load_rubric, propose_grade
from openpeel.core.errors import InputError
from openpeel.evidence import EvidenceFile, Finding
from openpeel.evidence.csv_format import read_evidence_csv, write_evidence_csv
from openpeel.evidence.draft import draft_findings
from openpeel.evidence.loader import validate_evidence
from openpeel.evidence.models import FINDING_KINDS, PRACTICE_KINDS, STRENGTH_KINDS
from openpeel.evidence.store import import_evidence, stored_evidence
from openpeel.framework import load_framework


def _raw(kind: str = "innovative-practice") -> dict[str, Any]:
    return {
        "force": "kent",
        "year": 2023,
        "inspections": [
            {
                "id": "inv",
                "kind": "peel-inspection",
                "title": "Invented PEEL inspection",
                "source": "INVENTED",
            }
        ],
        "findings": [
            {
                "id": "inv-practice",
                "inspection": "inv",
                "question": "preventing-crime",
                "kind": kind,
                "topics": ["problem solving"],
                "text": "INVENTED: officers plan their problem-solving with a tool the force built.",
            },
            {
                "id": "inv-promising",
                "inspection": "inv",
                "question": "protecting-vulnerable",
                "kind": "promising-practice",
                "topics": ["safeguarding"],
                "text": "INVENTED: a joint team checks on people at risk within a day.",
            },
        ],
    }


def test_the_kinds_exist_and_count_as_strengths() -> None:
    assert set(PRACTICE_KINDS) == {"innovative-practice", "promising-practice"}
    assert set(PRACTICE_KINDS) <= set(FINDING_KINDS) and set(PRACTICE_KINDS) <= set(STRENGTH_KINDS)
    evidence = validate_evidence(_raw(), "invented.yaml")
    assert [f.kind for f in evidence.findings] == ["innovative-practice", "promising-practice"]


def test_a_mistyped_kind_is_refused_with_the_closest_name() -> None:
    with pytest.raises(InputError) as caught:
        validate_evidence(_raw("innovative-practise"), "invented.yaml")
    assert caught.value.hint == "did you mean 'innovative-practice'?"


def test_csv_round_trip(tmp_path: Path) -> None:
    evidence = validate_evidence(_raw(), "invented.yaml")
    write_evidence_csv([evidence], tmp_path)
    assert read_evidence_csv(tmp_path) == [evidence]


def test_the_store_keeps_the_kind(ws: sa.Connection) -> None:
    evidence = validate_evidence(_raw(), "invented.yaml")
    import_evidence(ws, evidence, by="alice")
    assert stored_evidence(ws, "kent", 2023) == evidence


def test_the_draft_extractor_takes_the_kind_from_its_heading() -> None:
    text = (
        "url: https://example.invalid/peel-2023/invented/\nInvented PEEL 2023-25\n\n"
        "Preventing and deterring crime and anti-social behaviour, and reducing vulnerability\n\n"
        "Innovative practice\n\nOfficers plan their problem-solving with a tool the force built.\n\n"
        "Promising practice\n\nA joint team checks on people at risk within a day.\n"
    )
    draft = EvidenceFile.model_validate(draft_findings(text, force="kent", year=2023).evidence_data())
    kinds = {f.text.split(") ", 1)[-1]: f.kind for f in draft.findings}
    assert kinds["Officers plan their problem-solving with a tool the force built."] == "innovative-practice"
    assert kinds["A joint team checks on people at risk within a day."] == "promising-practice"


def _finding(fid: str, kind: str, topic: str) -> Finding:
    return Finding(
        id=fid, inspection="inv", question="preventing-crime", kind=kind, topics=(topic,), text="INVENTED."
    )  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", PRACTICE_KINDS)
def test_the_rubric_counts_practice_as_a_strength(kind: str) -> None:
    framework = load_framework(2023)
    question = framework.question("preventing-crime")
    rubric = load_rubric(framework.rubric)
    topics = question.core_topics
    as_strengths = [_finding(f"s{i}", "strength", t) for i, t in enumerate(topics)]
    with_practice = [_finding("p0", kind, topics[0]), *as_strengths[1:]]
    strengths_grade = propose_grade(framework, rubric, question, as_strengths, {}).grade
    assert strengths_grade == "good"
    assert propose_grade(framework, rubric, question, with_practice, {}).grade == strengths_grade
    # Without it a core topic has no strength, and the grade falls short of good.
    assert propose_grade(framework, rubric, question, as_strengths[1:], {}).grade != "good"
