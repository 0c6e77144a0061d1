"""The five-tier rubric (PEEL 2021/22 onward) on an INVENTED PEEL 2025-27 inspection.

Every finding below is invented for this test: it describes no inspection of any force.
"""

from __future__ import annotations

from openpeel.assessment import propose_grades
from openpeel.evidence import EvidenceFile, Finding, Inspection
from openpeel.evidence.loader import validate_evidence
from openpeel.framework import load_framework

INVENTED = "INVENTED for openpeel's tests: not an inspection of any force"


def finding(fid: str, question: str, kind: str, topics: tuple[str, ...], **extra: object) -> Finding:
    return Finding.model_validate(
        {
            "id": fid,
            "inspection": "peel",
            "question": question,
            "kind": kind,
            "topics": topics,
            "text": f"Invented finding ({INVENTED}).",
            **extra,
        }
    )


FINDINGS = (
    # preventing crime: every characteristic shown, and practice beyond it -> outstanding
    finding("pc-1", "preventing-crime", "strength", ("crime prevention", "neighbourhood policing")),
    finding("pc-2", "preventing-crime", "strength", ("problem solving",), is_exceptional=True),
    # responding to the public: every characteristic shown -> good
    finding("rp-1", "responding-to-public", "strength", ("call handling", "attendance")),
    finding("rp-2", "responding-to-public", "strength", ("identifying vulnerability",)),
    # investigating crime: a cause of concern with its recommendations -> inadequate
    finding("ic-1", "investigating-crime", "strength", ("investigation quality",)),
    finding(
        "ic-2",
        "investigating-crime",
        "cause-of-concern",
        ("supervision", "outcomes for victims"),
        text="Invented cause of concern; recommendations: review open investigations within three months.",
    ),
    # protecting vulnerable people: some characteristics, with areas for improvement -> adequate
    finding("pv-1", "protecting-vulnerable", "strength", ("identifying vulnerability", "safeguarding")),
    finding("pv-2", "protecting-vulnerable", "area-for-improvement", ("domestic abuse",)),
    # managing offenders: few if any characteristics, areas for improvement -> requires improvement
    finding("mo-1", "managing-offenders", "area-for-improvement", ("offender management",)),
    finding("mo-2", "managing-offenders", "area-for-improvement", ("sex offender management",)),
)


def invented_inspection() -> EvidenceFile:
    inspection = Inspection(
        id="peel", kind="peel-inspection", title="PEEL 2025-27 (invented)", source=INVENTED
    )
    return EvidenceFile(force="kent", year=2025, inspections=(inspection,), findings=FINDINGS)


def test_an_inspector_can_record_a_2025_27_inspection() -> None:
    evidence = invented_inspection()
    # The same checks a file or the workspace goes through: questions, kinds and topics of 2025-27.
    assert validate_evidence(evidence.model_dump(mode="json"), "invented.yaml") == evidence


def test_five_tier_grades_follow_the_published_definitions() -> None:
    fw = load_framework(2025)
    assert fw.rubric == "rubric-2021.yaml"
    proposals = propose_grades(fw, invented_inspection(), {})
    assert {q: p.grade for q, p in proposals.items()} == {
        "preventing-crime": "outstanding",
        "responding-to-public": "good",
        "investigating-crime": "inadequate",
        "protecting-vulnerable": "adequate",
        "managing-offenders": "requires-improvement",
        "serious-organised-crime": None,  # no findings, no grade
    }
    fired = {q: [r.rule_id for r in p.fired] for q, p in proposals.items()}
    assert fired["investigating-crime"][0] == "cause-of-concern"  # limiting: it settles the grade
    assert fired["protecting-vulnerable"] == ["adequate"]
    assert fired["managing-offenders"] == ["requires-improvement"]
    assert "outstanding" in fired["preventing-crime"] and "good" in fired["preventing-crime"]


def test_every_pillar_of_the_five_tier_cycle_can_be_proposed() -> None:
    fw = load_framework(2023)
    evidence = invented_inspection().model_copy(update={"year": 2023})
    proposals = propose_grades(fw, evidence, {}, pillars=None)
    assert set(proposals) == {q.id for q in fw.questions() if q.graded}
    assert proposals["recording-data"].grade is None
