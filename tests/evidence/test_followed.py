"""Findings across cycles: each area for improvement and cause of concern followed into the next
cycle through the crosswalk. Every evidence file here is INVENTED: none is a real force's finding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from openpeel.evidence import EvidenceFile
from openpeel.evidence.followed import comparable_questions, follow_findings, next_cycle

KINDS = {2014: "crime-inspection", 2015: "peel-effectiveness"}


def invented(
    year: int, findings: list[tuple[str, str, str, list[str]]], gaps: tuple[str, ...] = ()
) -> dict[str, Any]:
    """An invented evidence file: findings as (id, question, kind, topics)."""
    return {
        "force": "kent",
        "year": year,
        "protocol": "blind-1",
        "inspections": [
            {"id": "inv", "kind": KINDS[year], "title": "Invented", "source": "invented for a test"}
        ],
        "findings": [
            {
                "id": fid,
                "inspection": "inv",
                "question": q,
                "kind": k,
                "topics": t,
                "text": f"Invented {fid}.",
            }
            for fid, q, k, t in findings
        ],
        "gaps": [{"question": g, "reason": "invented"} for g in gaps],
    }


Y2014 = invented(
    2014,
    [
        ("io-quality", "investigating-offending", "area-for-improvement", ["investigation quality"]),
        ("rc-victims", "reducing-crime", "area-for-improvement", ["victim care"]),
        ("asb-response", "tackling-asb", "area-for-improvement", ["asb response"]),
        ("io-untagged", "investigating-offending", "area-for-improvement", []),
        ("pv-concern", "protecting-vulnerable", "cause-of-concern", ["safeguarding"]),
        ("rc-strength", "reducing-crime", "strength", ["crime prevention"]),
    ],
)
Y2015 = invented(
    2015,
    [
        ("ic-quality", "investigating-crime", "cause-of-concern", ["investigation quality", "supervision"]),
        ("ic-victims", "investigating-crime", "strength", ["victim care"]),
        ("pv-safeguarding", "protecting-vulnerable", "strength", ["safeguarding"]),
    ],
    gaps=("preventing-crime",),
)


def _followed(*files: dict[str, Any]) -> dict[str, Any]:
    evidence = {f["year"]: EvidenceFile.model_validate(f) for f in files}
    return {item.finding.id: item for item in follow_findings("kent", evidence)}


def test_the_crosswalk_leads_to_the_next_cycle_and_its_comparable_questions() -> None:
    mapping = next_cycle(2014)
    assert mapping is not None and mapping.to_year == 2015
    assert set(comparable_questions(mapping, "reducing-crime")) == {"preventing-crime", "investigating-crime"}
    # 2015's fairness questions are new ("not comparable"): nothing of 2014 leads there.
    assert "fairness-to-public" not in {
        q for link in mapping.questions for q in comparable_questions(mapping, link.to)
    }
    later = next_cycle(2018)
    assert later is not None and later.to_year == 2021
    assert next_cycle(2025) is None


def test_what_followed_each_area_for_improvement_and_cause_of_concern() -> None:
    followed = _followed(Y2014, Y2015)
    assert set(followed) == {
        "io-quality",
        "rc-victims",
        "asb-response",
        "io-untagged",
        "pv-concern",
        "ic-quality",
    }
    assert followed["ic-quality"].status == "no-evidence"  # no invented 2016 file
    # Same question carried over (partly comparable), a shared topic: recurs, here as a cause of concern.
    assert followed["io-quality"].status == "recurs" and followed["io-quality"].recurs is True
    assert [m.id for m in followed["io-quality"].matches] == ["ic-quality"]
    assert "recurs in PEEL 2015 (investigating-crime: cause of concern)" in followed["io-quality"].describe()
    # Only a strength shares its topic in 2015, so no comparable finding; but preventing-crime, one
    # of the questions it could recur under, is a 2015 gap: not known.
    assert followed["rc-victims"].status == "gap"
    # Only a strength on safeguarding in 2015, and no gap: no comparable finding.
    assert followed["pv-concern"].status == "not-repeated" and followed["pv-concern"].recurs is False
    assert followed["asb-response"].status == "gap" and followed["asb-response"].recurs is None
    assert followed["io-untagged"].status == "no-topics"


def test_without_next_cycle_evidence_what_followed_is_not_known() -> None:
    followed = _followed(Y2014)
    assert {f.status for f in followed.values()} == {"no-evidence", "no-topics"}
    assert followed["io-quality"].describe() == "not known: no evidence for PEEL 2015"
    as_json = followed["io-quality"].as_json()
    assert (
        as_json["cycle"] == "PEEL 2014" and as_json["next_cycle"] == "PEEL 2015" and as_json["recurs"] is None
    )


@pytest.mark.slow
def test_findings_command_lists_a_force_across_cycles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpeel.cli import app
    from openpeel.evidence import loader

    paths = []
    for data in (Y2014, Y2015):
        path = tmp_path / f"kent-{data['year']}-invented.yaml"
        path.write_text(
            "# INVENTED for tests/evidence/test_followed.py\n" + json.dumps(data), encoding="utf-8"
        )
        paths += ["--evidence", str(path)]
    runner = CliRunner()
    # The files given win over the shipped ones for their cycles, and the shipped files fill the
    # other cycles: Kent's shipped PEEL 2016 file is where 2015's cause of concern is followed.
    with_shipped = runner.invoke(app, ["findings", "--force", "Kent", "--json", *paths])
    assert with_shipped.exit_code == 0, with_shipped.output
    shipped = json.loads(with_shipped.stdout)
    assert {r["finding"] for r in shipped if r["year"] in (2014, 2015)} == {
        "io-quality", "rc-victims", "asb-response", "io-untagged", "pv-concern", "ic-quality",
    }  # fmt: skip
    [ic_quality] = [r for r in shipped if r["finding"] == "ic-quality"]
    assert ic_quality["next_cycle"] == "PEEL 2016" and ic_quality["followed"] != "no-evidence"

    # The invented files alone (no shipped file): a cycle with no evidence after it is not known.
    monkeypatch.setattr(loader, "bundled_evidence_files", lambda: [])
    result = runner.invoke(app, ["findings", "--force", "Kent", "--json", *paths])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {(r["year"], r["finding"], r["followed"]) for r in rows} >= {
        (2014, "io-quality", "recurs"),
        (2014, "pv-concern", "not-repeated"),
        (2015, "ic-quality", "no-evidence"),
    }
    assert all(r["kind"] in ("area-for-improvement", "cause-of-concern") for r in rows)
    text = runner.invoke(app, ["findings", "--force", "kent", *paths])
    assert text.exit_code == 0, text.output
    assert "PEEL 2014" in text.stdout and "PEEL 2015" in text.stdout
    assert "- investigating-offending, area for improvement (io-quality): Invented io-quality." in text.stdout
    assert "  next cycle: a comparable finding recurs in PEEL 2015" in text.stdout
