"""A warehouse with the bundled statistics and every indicator computed, shared by a test module."""

from __future__ import annotations

import duckdb
import pytest

from openpeel.indicators.compute import compute_indicators
from openpeel.ingest.official_statistics import load_official_statistics
from openpeel.warehouse import connect


@pytest.fixture(scope="module")
def computed_all() -> duckdb.DuckDBPyConnection:
    con = connect(":memory:")
    load_official_statistics(con, None)
    compute_indicators(con)
    return con
