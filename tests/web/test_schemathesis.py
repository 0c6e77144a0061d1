"""Property-based API tests generated from the OpenAPI document: no request may cause a server error."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from openpeel.core.settings import Settings
from openpeel.web.app import create_app, open_data


def _app() -> object:
    chosen = Settings(home=Path(tempfile.mkdtemp(prefix="openpeel-schemathesis-")))
    return create_app(chosen, open_data(chosen))


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_with_a_server_error(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and body["error"]["status"] == response.status_code
