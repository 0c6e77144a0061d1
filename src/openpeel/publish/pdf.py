"""PDF output: the HTML report printed by headless Chromium (through Playwright's Python package).

The report's print CSS does the pagination (headings kept with their text, tables and charts not
split mid-row); Chromium adds page numbers. One browser serves many reports, so a site's PDFs cost
one start-up, not one per report. Playwright never downloads a browser here: we point it at the
system's Chromium (`OPENPEEL_CHROMIUM`, else `chromium` / `chromium-browser` / `google-chrome` on
PATH).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from openpeel.core.errors import OpenpeelError

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FOOTER = (
    '<div style="font-size:8px;width:100%;padding:0 12mm;color:#4a4a4a;display:flex;justify-content:space-between">'
    '<span class="title"></span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>'
)


def find_chromium() -> Path:
    env = os.environ.get("OPENPEEL_CHROMIUM")
    if env:
        if not Path(env).exists():
            raise OpenpeelError(f"OPENPEEL_CHROMIUM points to {env}, which does not exist")
        return Path(env)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise OpenpeelError(
        "PDF output needs Chromium: install it (Debian: apt-get install chromium) or set OPENPEEL_CHROMIUM "
        "to its executable"
    )


class PdfPrinter:
    """Prints HTML documents to PDF files with one running browser."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser
        self._page = browser.new_page()

    def print(self, html: str, out: Path, *, title: str = "") -> Path:
        page = self._page
        # Reports are self-contained (inline CSS and SVG); nothing needs the network.
        page.set_content(html, wait_until="load")
        page.emulate_media(media="print")
        out.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(
            path=str(out),
            format="A4",
            print_background=True,
            margin={"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=FOOTER,
            outline=True,
            tagged=True,
        )
        return out


@contextmanager
def pdf_printer() -> Iterator[PdfPrinter]:
    """A PdfPrinter for the duration of the block (starts and stops headless Chromium)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise OpenpeelError(
            "PDF output needs Playwright's Python package: pip install 'openpeel[pdf]' "
            "(it drives the system Chromium; do not run 'playwright install')"
        ) from None
    executable = find_chromium()
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(
                executable_path=str(executable), args=["--no-sandbox", "--disable-gpu"]
            )
        except PlaywrightError as exc:
            raise OpenpeelError(
                f"could not start Chromium at {executable}: {exc.message.splitlines()[0]}"
            ) from None
        try:
            yield PdfPrinter(browser)
        finally:
            browser.close()
