"""In a real browser, under the Content-Security-Policy: /docs renders with no other host reachable,
the overview's inline sorting script (allowed by its hash) still runs, and nothing is blocked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.web.test_browser_workspace import browser, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("server", "browser")


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:  # noqa: F811 - the imported fixture
    page = browser.new_page()
    page.violations = []
    page.on(
        "console", lambda m: page.violations.append(m.text) if "Content Security Policy" in m.text else None
    )
    yield page
    page.close()


@pytest.mark.slow
def test_docs_render_offline_under_the_csp(server: str, page: Any) -> None:  # noqa: F811
    foreign: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{server}/docs")
    page.wait_for_selector(".opblock-tag", timeout=15_000)
    assert "/api/v1/forces" in page.content()
    assert foreign == [] and page.violations == []


@pytest.mark.slow
def test_overview_sorting_runs_under_the_csp(server: str, page: Any) -> None:  # noqa: F811
    page.goto(f"{server}/2014/index.html")
    button = page.locator("#overview-table button.sort").first
    button.click()
    sorted_by = page.locator("#overview-table thead th[aria-sort]")
    assert sorted_by.count() == 1
    assert page.violations == []
    # The control: a script injected into the page is blocked, and the block is seen.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.pwned = 1';"
        " document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.pwned") is None
    assert any("inline script" in v for v in page.violations)
