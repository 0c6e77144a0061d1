"""INVENTED evidence for the recent cycles' reports (PEEL 2021/22, 2023-25, 2025-27).

Evidence for these cycles is being written from the inspectorate's pages and will arrive as
src/openpeel/evidence/files/<force>-2021.yaml / -2023.yaml. Until then the tests build and check
the reports on files this module writes: EVERY inspection, summary and finding here is INVENTED
(each text says so) and none is a finding of any inspection. The files go through the same loader
as the shipped ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from openpeel.evidence import EvidenceFile, load_evidence_file

INVENTED = "INVENTED for openpeel's tests; not a finding of any inspection"
SUMMARY = (
    "INVENTED summary: the force has improved how it works with its communities, but its "
    "investigations are not yet good enough."
)

# (id, question, kind, topics, text): one area with a cause of concern and an area for improvement,
# one with innovative practice and strengths, one with promising practice, one observation.
FINDINGS: tuple[tuple[str, str, str, tuple[str, ...], str], ...] = (
    (
        "inv-concern",
        "investigating-crime",
        "cause-of-concern",
        ("investigation quality",),
        "INVENTED: the force does not always follow national guidance when it closes cases.",
    ),
    (
        "inv-afi-supervision",
        "investigating-crime",
        "area-for-improvement",
        ("supervision",),
        "INVENTED: supervisors should review investigations more often.",
    ),
    (
        "inv-afi-calls",
        "responding-to-public",
        "area-for-improvement",
        ("call handling",),
        "INVENTED: emergency calls are not always answered quickly enough.",
    ),
    (
        "inv-innovative",
        "preventing-crime",
        "innovative-practice",
        ("problem solving",),
        "INVENTED: officers plan their problem-solving with a tool the force built.",
    ),
    (
        "inv-strength-prevention",
        "preventing-crime",
        "strength",
        ("crime prevention",),
        "INVENTED: the force diverts young people from crime with its partners.",
    ),
    (
        "inv-strength-neighbourhood",
        "preventing-crime",
        "strength",
        ("neighbourhood policing",),
        "INVENTED: neighbourhood teams know their areas well.",
    ),
    (
        "inv-promising",
        "protecting-vulnerable",
        "promising-practice",
        ("safeguarding",),
        "INVENTED: a joint team with the council checks on people at risk within a day.",
    ),
    (
        "inv-observation",
        "public-treatment",
        "observation",
        ("stop and search",),
        "INVENTED: the force has started to use stop and search more often.",
    ),
)


def invented_evidence(force: str, year: int) -> dict[str, Any]:
    """One force's INVENTED evidence for a recent cycle, as plain data."""
    return {
        "force": force,
        "year": year,
        "protocol": "blind-1",
        "inspections": [
            {
                "id": "invented-peel",
                "kind": "peel-inspection",
                "title": "PEEL inspection (INVENTED)",
                "published": f"{year + 1}-02-19",
                "source": f"INVENTED test source: {INVENTED}",
                "summary": SUMMARY,
            }
        ],
        "findings": [
            {
                "id": fid,
                "inspection": "invented-peel",
                "question": q,
                "kind": kind,
                "topics": list(topics),
                "text": text,
            }
            for fid, q, kind, topics, text in FINDINGS
        ],
    }


def write_invented(folder: Path, force: str, year: int) -> Path:
    """The INVENTED evidence as `<force>-<year>.yaml` in `folder`, the name shipped files will have."""
    path = folder / f"{force}-{year}.yaml"
    path.write_text(
        "# INVENTED evidence for a test: no inspection, summary or finding here is real.\n"
        + yaml.safe_dump(invented_evidence(force, year), sort_keys=False),
        encoding="utf-8",
    )
    return path


def load_invented(folder: Path, force: str, year: int) -> EvidenceFile:
    return load_evidence_file(write_invented(folder, force, year))
