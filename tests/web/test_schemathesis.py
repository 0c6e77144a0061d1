"""Property-based API tests generated from the OpenAPI document: no request may cause a server error."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from openpeel.core.settings import Settings
from openpeel.web.app import create_app, open_data

# Whole commands or national runs, seconds each: left to the full run (`make test-fast` skips them).
pytestmark = pytest.mark.slow


class _AppOnFirstUse:
    """The app with its data, opened on its first request, so that collecting this module (which
    every pytest run does, `-m "not slow"` included) does not prepare a warehouse."""

    def __init__(self) -> None:
        self._app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._app is None:
            chosen = Settings(home=Path(tempfile.mkdtemp(prefix="openpeel-schemathesis-")))
            self._app = create_app(chosen, open_data(chosen))
        await self._app(scope, receive, send)


# The OpenAPI document needs no data: it comes from an app that opens none.
_document = create_app(Settings(home=Path(tempfile.gettempdir()) / "openpeel-schemathesis-doc")).openapi()
schema = schemathesis.openapi.from_dict(_document)
schema.app = _AppOnFirstUse()
schema.location = "/openapi.json"


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_with_a_server_error(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and body["error"]["status"] == response.status_code
