"""The inspector workspace in a real browser (headless Chromium via Playwright).

An inspector signs in, adds a finding and sees the proposed grade change; a lead inspector
confirms the grades; a moderator moderates and publishes them. Locally a missing browser skips;
under CI=true it fails. Set OPENPEEL_SCREENSHOTS=docs/screenshots to refresh the kept screenshots.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from tests.conftest import TEST_AUDIT_KEY
from tests.publish.conftest import chromium_path, need
from tests.web.conftest import PASSWORD, make_home
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.core.settings import Settings
from openpeel.web.app import create_app

pytestmark = pytest.mark.browser


HOMES: dict[str, Path] = {}


def public_judgements(base: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{base}/api/v1/judgements", params={"force": "northamptonshire", "year": 2014})
    rows: list[dict[str, Any]] = answer.json()["data"]
    return rows


@pytest.fixture(scope="module")
def server(statistics_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("browser") / "home"
    make_home(home, statistics_db).dispose()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The module's server starts before each test's environment (and its audit key) is set.
    app = create_app(Settings(home=home, audit_key=TEST_AUDIT_KEY))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/frameworks", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    HOMES[base] = home
    yield base
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    need("Playwright's Python package", sync_playwright is not None)
    executable = chromium_path()
    need("Chromium", executable is not None)
    assert sync_playwright is not None and executable is not None
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def shot(page: Any, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("OPENPEEL_SCREENSHOTS", str(tmp_path)))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=False)


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login?next=/workspace/2014/northamptonshire")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/workspace/2014/northamptonshire")


def sign_out(page: Any) -> None:
    page.click("button:has-text('Sign out')")
    page.wait_for_url("**/")


def test_finding_to_published_grade(server: str, browser: Any, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))

    sign_in(page, server, "ivy")
    asb = page.locator("#j-tackling-asb td.proposed")
    assert asb.inner_text() == "Good"
    form = page.locator("#add-finding")
    form.locator("select[name=question]").select_option("tackling-asb")
    form.locator("select[name=kind]").select_option("cause-of-concern")
    form.locator("input[name=topics][value='asb response']").check()
    form.locator("textarea[name=text]").fill("Reports of anti-social behaviour are not followed up.")
    form.locator("button:has-text('Add finding')").click()
    page.wait_for_url("**done=finding-added")
    assert page.locator("#j-tackling-asb td.proposed").inner_text() == "Inadequate"
    assert "the rubric has been run again" in page.locator(".flash").inner_text()
    page.locator("#judgements").scroll_into_view_if_needed()
    shot(page, "workspace-inspector.png", tmp_path)
    sign_out(page)

    sign_in(page, server, "lee")
    for question in ("reducing-crime", "investigating-offending", "tackling-asb"):
        page.locator(f"#j-{question} button:has-text('Confirm')").click()
        page.wait_for_url("**done=confirmed")
    assert page.locator("#j-tackling-asb td.current").inner_text() == "Inadequate"
    sign_out(page)

    sign_in(page, server, "mo")
    page.click("button:has-text('Mark drafts moderated')")
    page.wait_for_url("**done=moderated")
    page.click("button:has-text('Publish moderated judgements')")
    page.wait_for_url("**done=published")
    states = page.locator("#judgements td.state").all_inner_texts()
    assert states == ["published"] * 3
    shot(page, "workspace-published.png", tmp_path)
    page.close()

    # Published in the workspace is not yet public: `openpeel publish` records the publication.
    assert public_judgements(server) == []
    result = CliRunner().invoke(
        app, ["--home", str(HOMES[server]), "publish", "--year", "2014", "--out", str(tmp_path / "site")]
    )
    assert result.exit_code == 0, result.output
    deadline = time.monotonic() + 10  # the server sees another process's publication within a second
    while not (published := public_judgements(server)) and time.monotonic() < deadline:
        time.sleep(0.2)
    asb_row = next(j for j in published if j["question_id"] == "tackling-asb")
    assert asb_row["current_grade"] == "inadequate" and asb_row["state"] == "published"
    assert all(u.startswith(server) for u in requests), [u for u in requests if not u.startswith(server)]
