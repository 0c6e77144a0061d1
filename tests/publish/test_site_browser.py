"""The built site in a real browser: screenshots and an automated accessibility check (axe-core).

Runs headless Debian Chromium through Playwright's Python package. Locally a missing browser, or
axe-core (npm install --prefix /tmp/openpeel-node axe-core@4, or OPENPEEL_AXE_JS), skips; under
CI=true it fails. Set OPENPEEL_SCREENSHOTS=docs/screenshots to refresh the screenshots kept in docs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openpeel.publish.site import SiteResult

from .conftest import chromium_path, need

pytestmark = pytest.mark.browser

AXE_CANDIDATES = (
    Path("/tmp/openpeel-node/node_modules/axe-core/axe.min.js"),
    Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js",
)
PAGES = (
    "2014/northamptonshire.html",
    "2014/index.html",
    "2014/scan.html",
    "2014/downloads.html",
    "2014/avon-and-somerset.html",
    "forces/northamptonshire.html",
    "index.html",
    "methodology.html",
    "data-dictionary.html",
)


def axe_path() -> Path | None:
    env = os.environ.get("OPENPEEL_AXE_JS")
    if env:
        return Path(env) if Path(env).exists() else None
    return next((p for p in AXE_CANDIDATES if p.exists()), None)


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


def open_page(browser: Any, url: str, requests: list[str]) -> Any:
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    return page


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violations(browser: Any, site: SiteResult, name: str) -> None:
    axe = axe_path()
    need("axe-core (npm)", axe is not None)
    requests: list[str] = []
    page = open_page(browser, (site.out_dir / name).as_uri(), requests)
    page.add_script_tag(path=str(axe))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    page.close()
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, "\n".join(bad)
    assert len(result["passes"]) > 10
    # Self-contained: only the page itself and local files are fetched.
    assert all(u.startswith("file://") for u in requests), requests


def test_screenshots_of_report_and_overview(browser: Any, site: SiteResult, tmp_path: Path) -> None:
    keep = os.environ.get("OPENPEEL_SCREENSHOTS")
    out = Path(keep) if keep else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    for name, file in (
        ("home", "index.html"),
        ("report", "2014/northamptonshire.html"),
        ("overview", "2014/index.html"),
        ("scan", "2014/scan.html"),
    ):
        requests: list[str] = []
        page = open_page(browser, (site.out_dir / file).as_uri(), requests)
        # The page lays out: the title is visible, charts have size, no horizontal scroll.
        assert page.locator("h1").first.is_visible()
        sizes = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth,"
            " Array.from(document.querySelectorAll('svg.chart')).map(s => [s.classList.contains('chart-tiles'),"
            " s.getBoundingClientRect().width])]"
        )
        assert sizes[0] <= sizes[1]
        # Tile maps are small multiples; every other chart gets the column's width.
        assert all(w > (200 if tiles else 300) for tiles, w in sizes[2])
        assert sizes[2] or name == "scan"
        shot = out / f"{name}.png"
        page.screenshot(path=str(shot), clip={"x": 0, "y": 0, "width": 1100, "height": 1400})
        page.close()
        assert shot.read_bytes()[:4] == b"\x89PNG" and 20_000 < shot.stat().st_size < 400_000


def test_overview_sorts_in_the_browser(browser: Any, site: SiteResult) -> None:
    page = open_page(browser, (site.out_dir / "2014/index.html").as_uri(), [])
    first = page.locator("#overview-table tbody tr th").first.inner_text()
    page.locator("#overview-table button.sort[data-col='0']").click()  # A-Z -> Z-A
    after = page.locator("#overview-table tbody tr th").first.inner_text()
    assert first.startswith("Avon") and after.startswith("Wiltshire")
    assert page.locator("#overview-table thead th[aria-sort='descending']").count() == 1
    page.close()


def test_a_figure_link_opens_the_collapsed_appendix(browser: Any, site: SiteResult) -> None:
    requests: list[str] = []
    page = open_page(browser, (site.out_dir / "2014" / "northamptonshire.html").as_uri(), requests)
    appendix = "document.querySelector('#appendix details')"
    # The body reads first: the appendix starts closed, and its heading is still on the page.
    assert page.evaluate(f"{appendix}.open") is False
    assert page.locator("#appendix-h").is_visible()
    link = page.locator("a[href^='#ind-']").first
    target = link.get_attribute("href")
    link.click()
    page.wait_for_timeout(200)
    assert page.evaluate(f"{appendix}.open") is True
    assert page.locator(str(target)).is_visible()
    page.close()
