"""Fixtures for the publishing tests: one loaded warehouse and one built site per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from tests.conftest import copy_of_statistics

from openpeel.assessment.prepare import load_evidence
from openpeel.evidence import EvidenceFile
from openpeel.publish.site import SiteResult, publish_site


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def need(what: str, ok: bool) -> None:
    """Skip locally when a browser tool is missing; under CI=true that is a failure."""
    if ok:
        return
    if in_ci():
        pytest.fail(f"CI=true but {what} is missing (see .ci/run)")
    pytest.skip(f"{what} not available")


def chromium_path() -> str | None:
    env = os.environ.get("OPENPEEL_CHROMIUM")
    if env:
        return env
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def publish_con(
    statistics_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The statistics and every indicator, shared by the publishing tests: a copy of the
    session's statistics warehouse (tests/conftest.py)."""
    con = copy_of_statistics(statistics_db, tmp_path_factory.mktemp("publish"))
    yield con
    con.close()


def evidence_for(year: int) -> dict[str, EvidenceFile]:
    return load_evidence(year)


@pytest.fixture(scope="session")
def site(publish_con: duckdb.DuckDBPyConnection, tmp_path_factory: pytest.TempPathFactory) -> SiteResult:
    out = tmp_path_factory.mktemp("site") / "site"
    return publish_site(publish_con, [2014], out, evidence_for)
