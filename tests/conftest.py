"""Shared fixtures: where the real public data lives, and throwaway warehouses."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from openpeel.warehouse import connect

REPO = Path(__file__).resolve().parents[1]


def shared_data_path() -> Path:
    """../shared/data beside the clone, or OPENPEEL_SHARED_DATA when set."""
    env = os.environ.get("OPENPEEL_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real files; a missing folder skips locally but fails under CI=true."""
    path = shared_data_path()
    if not (path / "README.md").exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but the shared data folder {path} is missing")
        pytest.skip(f"shared data folder {path} not found")
    return path


@pytest.fixture
def warehouse() -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(":memory:")
    yield con
    con.close()
