"""Inspection evidence: inspections and their findings, read from YAML files and validated."""

from openpeel.evidence.loader import bundled_evidence, bundled_evidence_files, load_evidence_file
from openpeel.evidence.models import EvidenceFile, Finding, FindingKind, Inspection

__all__ = [
    "EvidenceFile",
    "Finding",
    "FindingKind",
    "Inspection",
    "bundled_evidence",
    "bundled_evidence_files",
    "load_evidence_file",
]
