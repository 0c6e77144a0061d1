"""Evidence files written by an attacker: a YAML alias bomb, anchors, huge files, deep nesting."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.core import user_input
from openpeel.core.errors import InputError
from openpeel.evidence import load_evidence_file
from openpeel.evidence.csv_format import read_evidence_csv

# The classic "billion laughs": nine levels of nine aliases, 9^9 (387 million) strings when walked.
BOMB = 'force: kent\nyear: 2014\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_bomb_is_as_small_as_the_issue_says() -> None:
    assert len(BOMB.encode()) < 397


def test_alias_bomb_is_refused_fast_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB, encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        load_evidence_file(path)
    assert time.perf_counter() - start < 1.0
    # The first anchor is on line 3; the message names the file and that line.
    assert str(info.value).startswith(f"{path}, line 3: invalid YAML: anchor &a is not allowed")


def test_cli_evidence_import_refuses_the_bomb_in_under_ten_seconds(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB, encoding="utf-8")
    start = time.perf_counter()
    result = CliRunner().invoke(
        app,
        [
            "evidence",
            "import",
            str(path),
            "--by",
            "mallory",
            "--no-propose",
        ],
    )
    assert time.perf_counter() - start < 10
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)
    assert "bomb.yaml" in result.output and "line 3" in result.output and "anchor" in result.output


def test_alias_without_anchor_and_merge_key_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text("force: kent\nyear: 2014\nfindings:\n  - <<: *base\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 4: invalid YAML: .*alias \*base"):
        load_evidence_file(path)


def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("x: " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"deep\.yaml"):
        load_evidence_file(path)


def test_oversized_yaml_is_refused_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# padding\n" * (user_input.MAX_USER_FILE_BYTES // 10 + 1))
    read = []
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self) or b"")
    with pytest.raises(InputError) as info:
        load_evidence_file(path)
    assert not read
    message = str(info.value)
    assert str(path) in message and "over the limit of 5,242,880 bytes (5 MB)" in message


def test_oversized_csv_evidence_is_refused(tmp_path: Path) -> None:
    (tmp_path / "inspections.csv").write_text("force,year,id\n" + "kent,2014,x\n" * 500_000)
    (tmp_path / "findings.csv").write_text("force,year,id\n")
    with pytest.raises(InputError, match=r"inspections\.csv: evidence file is .* over the limit"):
        read_evidence_csv(tmp_path)


def test_plain_evidence_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(
        "force: northamptonshire\nyear: 2014\ninspections:\n  - id: ci\n    kind: crime-inspection\n"
        "    title: Crime inspection\n    published: 2014-11-12\n    source: test\n"
        "findings:\n  - id: f1\n    inspection: ci\n    question: reducing-crime\n    kind: strength\n"
        "    text: 'An ampersand & and an asterisk * in text are fine.'\n",
        encoding="utf-8",
    )
    assert load_evidence_file(path).findings[0].text.startswith("An ampersand &")
