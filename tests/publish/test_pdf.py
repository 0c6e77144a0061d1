"""The PDF report, printed by headless Chromium, checked page by page with poppler."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from openpeel.assessment.prepare import load_evidence
from openpeel.publish import build_report, render

from .conftest import chromium_path, need

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pdf_file(publish_con: duckdb.DuckDBPyConnection, tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        import playwright  # noqa: F401

        has_playwright = True
    except ImportError:
        has_playwright = False
    need("Playwright's Python package", has_playwright)
    need("Chromium", chromium_path() is not None)
    need("poppler-utils (pdftotext, pdftoppm)", bool(shutil.which("pdftotext") and shutil.which("pdftoppm")))
    from openpeel.publish.pdf import pdf_printer

    report = build_report(publish_con, "northamptonshire", 2014, load_evidence(2014)["northamptonshire"])
    out = tmp_path_factory.mktemp("pdf") / "northamptonshire-2014.pdf"
    with pdf_printer() as printer:
        printer.print(render(report, "html", print_mode=True), out)
    return out


def pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True)
    return text.stdout.split("\f")


def test_pdf_pages_hold_headings_judgements_and_charts(pdf_file: Path) -> None:
    texts = pages(pdf_file)
    assert len(texts) > 3
    first = " ".join(texts[0].split())
    for heading in (
        "Northamptonshire PEEL 2014",
        "How well the force tackles crime",
        "Summary",
        "Judgements",
    ):
        assert heading in first
    # The judgement table is not split: its three graded questions sit on the page of its caption.
    table = first[first.index("Judgements") :]
    for question in ("reducing crime", "investigating offending?", "tackling anti-social"):
        assert question in table
    # Narrow columns wrap "rubric-2014" at its hyphen, and pdftotext interleaves the cells' lines.
    assert table.count("proposed by rubric-") == 3
    # Beside each, the grade the inspectorate published, with its date and source.
    assert table.count("(12/11/2014,") == 3 and "the inspectorate's published grades" in table
    assert "Page 1 of" in first
    whole = "\n".join(texts)
    for heading in (
        "Questions for Effectiveness",
        "Appendix: how we know",
        "How the grades were reached",
        "Sources of the figures shown",
    ):
        assert heading in whole
    # A chart's caption, axis labels and force label print on one page (charts are not split).
    for caption in ("over four years: all forces", "population (millions, log scale)"):
        page = next(t for t in texts if caption in t)
        assert "Northamptonshire" in page and "England and Wales" in page
    # Headings are kept with what follows: no page ends on a question heading.
    for t in texts:
        tail = [line.strip() for line in t.strip().splitlines() if line.strip() and "Page " not in line]
        if tail:
            assert not tail[-1].startswith("How effective is the force"), tail[-1]


def test_pdf_turns_into_images(pdf_file: Path, tmp_path: Path) -> None:
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "3", str(pdf_file), str(tmp_path / "p")], check=True
    )
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == 3
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 5_000 for p in images)
