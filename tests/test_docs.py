from __future__ import annotations

from pathlib import Path

from typer.main import get_command

from openpeel.cli import app
from openpeel.publish.dictionary import data_dictionary_markdown

REPO = Path(__file__).resolve().parents[1]


def test_data_dictionary_page_is_current() -> None:
    page = (REPO / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert page == data_dictionary_markdown(), "run: openpeel dictionary --out docs/data-dictionary.md"


def test_readme_names_every_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = get_command(app)
    names = list(command.commands)  # type: ignore[attr-defined]
    assert names
    for name in names:
        assert f"openpeel {name}" in readme, name
