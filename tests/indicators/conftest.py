"""A warehouse with the bundled statistics and every indicator computed, shared by a test module."""

from __future__ import annotations

import duckdb
import pytest


@pytest.fixture(scope="module")
def computed_all(statistics_con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The module's copy of the session's statistics warehouse (tests/conftest.py)."""
    return statistics_con
