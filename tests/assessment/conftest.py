"""A warehouse with statistics and indicators, built once and copied for each test that writes to it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest


@pytest.fixture
def db(statistics_db: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh copy of the template warehouse (statistics and indicators, no evidence)."""
    from openpeel.core.locations import lake_beside
    from openpeel.warehouse import connect

    path = tmp_path / "w.duckdb"
    shutil.copyfile(statistics_db, path)
    con = connect(path, lake=lake_beside(path))
    yield con
    con.close()
