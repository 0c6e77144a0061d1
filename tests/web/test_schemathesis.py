"""Property-based API tests generated from the OpenAPI document: no request may cause a server error."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from openpeel.core.settings import Settings
from openpeel.web.app import create_app, open_data

# Whole commands or national runs, seconds each: left to the full run (`make test-fast` skips them).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def api_schema() -> object:
    """Built when the test runs, not when pytest collects it: opening the app prepares a warehouse."""
    chosen = Settings(home=Path(tempfile.mkdtemp(prefix="openpeel-schemathesis-")))
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(chosen, open_data(chosen)))


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_with_a_server_error(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and body["error"]["status"] == response.status_code
