"""The `openpeel` console script registers only the stage a command belongs to; these tests keep
that table true to the stages' register() functions and the result indistinguishable from the
full app."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from openpeel.cli import (
    CORE_COMMANDS,
    GLOBAL_VALUE_OPTIONS,
    STAGE_COMMANDS,
    app,
    command_name,
    make_app,
    stages_for,
)
from openpeel.core.cli_support import set_global_options

runner = CliRunner()


@pytest.fixture(autouse=True)
def no_global_options() -> Iterator[None]:
    # `--home=x CMD --help` runs the top-level callback, which sets the global options.
    yield
    set_global_options()


def names(typer_app: typer.Typer) -> list[str]:
    return list(get_command(typer_app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("module", list(STAGE_COMMANDS))
def test_each_stage_registers_exactly_the_commands_mapped_to_it(module: str) -> None:
    alone = typer.Typer()
    # A callback keeps even a single command a group, so its name shows.
    alone.callback()(lambda: None)
    importlib.import_module(module).register(alone)
    assert tuple(names(alone)) == STAGE_COMMANDS[module]


def test_every_command_of_the_full_app_is_mapped_once() -> None:
    core = [command.__name__.replace("_", "-") for command in CORE_COMMANDS]
    staged = [name for stage in STAGE_COMMANDS.values() for name in stage]
    assert sorted(names(app)) == sorted(core + staged)
    assert len(set(core + staged)) == len(core + staged)


def test_global_options_with_a_value_are_the_callbacks() -> None:
    params = get_command(app).params
    # Typer bundles its own Click, so its options are no click.Option.
    options = [p for p in params if p.param_type_name == "option"]
    taking_value = {opt for p in options if not p.is_flag for opt in p.opts}  # type: ignore[attr-defined]
    assert taking_value == set(GLOBAL_VALUE_OPTIONS)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["ingest", "x.zip"], "ingest"),
        (["--home", "h", "coverage"], "coverage"),
        (["--home=h", "--store", "sqlite://", "store", "info"], "store"),
        (["--store=s", "demo-archive"], "demo-archive"),
        (["--help", "ingest"], None),
        (["--bogus", "ingest"], None),
        (["--home"], None),
        ([], None),
    ],
)
def test_command_name(args: list[str], expected: str | None) -> None:
    assert command_name(args) == expected


def test_stages_for() -> None:
    assert stages_for(["download"]) == ["openpeel.ingest.police_uk.commands"]
    assert stages_for(["audit", "verify"]) == ["openpeel.store.commands"]
    assert stages_for(["build"]) == []
    assert stages_for(["--help"]) == list(STAGE_COMMANDS)
    assert stages_for(["ingst"]) == list(STAGE_COMMANDS)


def command_lines() -> list[list[str]]:
    every = [command.__name__ for command in CORE_COMMANDS] + [
        name for stage in STAGE_COMMANDS.values() for name in stage
    ]
    return [
        [],
        ["--help"],
        ["--home", "x", "--help"],
        ["ingst"],
        ["nosuch", "--help"],
        ["--home=x", "ingest", "--help"],
        ["store", "info", "--help"],
        ["judgement"],
        *([name, "--help"] for name in every),
    ]


@pytest.mark.parametrize("args", command_lines(), ids=" ".join)
def test_console_script_behaves_as_the_full_app(args: list[str]) -> None:
    full = runner.invoke(app, args)
    lazy = runner.invoke(make_app(stages_for(args)), args)
    assert (lazy.exit_code, lazy.output) == (full.exit_code, full.output)


def test_ingest_imports_no_other_stage() -> None:
    probe = (
        "import sys\n"
        "from openpeel.cli import run\n"
        "sys.argv = ['openpeel', 'ingest', '--help']\n"
        "try:\n"
        "    run()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('sqlalchemy', 'fastapi', 'jinja2', 'markdown_it', 'openpeel.assessment', 'openpeel.publish', 'openpeel.web', 'openpeel.framework.models')\n"
        "print(*[m for m in heavy if m in sys.modules], file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "Usage" in done.stdout
    assert done.stderr.strip() == ""
