from __future__ import annotations

from pathlib import Path

import pytest

from openpeel.core.errors import InputError
from openpeel.evidence import bundled_evidence_files, load_evidence_file

BASE = """force: northamptonshire
year: 2014
inspections:
  - id: ci
    kind: crime-inspection
    title: Crime inspection
    published: 2014-11-12
    source: test
findings:
  - id: f1
    inspection: ci
    question: {question}
    kind: {kind}
    text: Something the inspectors saw.
"""


def write(tmp_path: Path, **fields: str) -> Path:
    values = {"question": "reducing-crime", "kind": "strength", **fields}
    path = tmp_path / "evidence.yaml"
    path.write_text(BASE.format(**values), encoding="utf-8")
    return path


@pytest.mark.slow
def test_bundled_evidence_loads() -> None:
    files = bundled_evidence_files()
    assert any(p.name == "northamptonshire-2014.yaml" for p in files)
    for path in files:
        evidence = load_evidence_file(path)
        assert evidence.findings


def test_shipped_files_are_read_once_until_one_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpeel.evidence import loader

    shipped = write(tmp_path)
    monkeypatch.setattr(loader, "bundled_evidence_files", lambda: [shipped])
    [(path, first)] = loader.bundled_evidence()
    assert path == shipped and first == load_evidence_file(shipped)
    assert loader.bundled_evidence()[0][1] is first  # the same reading, not a second parse
    # An edited file (another size here, so the test needs no sleep for the clock) is read again.
    shipped.write_text(shipped.read_text(encoding="utf-8").replace("saw.", "saw again."), encoding="utf-8")
    again = loader.bundled_evidence()[0][1]
    assert again is not first and again.findings[0].text == "Something the inspectors saw again."


def test_question_typo_names_file_line_field_and_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, question="reducing-crme")
    with pytest.raises(InputError) as info:
        load_evidence_file(path)
    message = str(info.value)
    assert str(path) in message
    assert "line 10" in message
    assert "field 'findings.0.question'" in message
    assert "did you mean 'reducing-crime'?" in message


def test_unknown_finding_kind(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_evidence_file(write(tmp_path, kind="strenght"))
    assert "findings.0.kind" in str(info.value) and "did you mean 'strength'?" in str(info.value)


def test_unknown_inspection_reference_and_bad_yaml(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(
        BASE.format(question="reducing-crime", kind="strength").replace("inspection: ci", "inspection: cx")
    )
    with pytest.raises(InputError, match="unknown inspection 'cx'"):
        load_evidence_file(path)
    path.write_text("force: [unclosed\n")
    with pytest.raises(InputError, match="invalid YAML"):
        load_evidence_file(path)


def test_unknown_force(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(
        BASE.format(question="reducing-crime", kind="strength").replace("northamptonshire", "narnia-police")
    )
    with pytest.raises(InputError, match="unknown force 'narnia-police'"):
        load_evidence_file(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="evidence file not found"):
        load_evidence_file(tmp_path / "none.yaml")
