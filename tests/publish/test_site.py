from __future__ import annotations

import csv
import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest
from typer.testing import CliRunner

from openpeel.core.errors import OpenpeelError
from openpeel.forces import territorial_forces
from openpeel.framework.published_grades import load_published_grades, published_grades
from openpeel.publish.export import DOWNLOADS, downloads_dictionary_markdown
from openpeel.publish.site import SiteResult, markdown_html, publish_site

from .conftest import evidence_for


class Page(HTMLParser):
    """Links, ids, external references and table rows of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.external: list[str] = []
        self.source_links: list[str] = []
        self.rows: list[list[str]] = []
        self.tables = 0
        self.h1: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        for attr in ("href", "src"):
            if attr in a:
                value = a[attr]
                if re.match(r"^(https?:)?//", value):
                    # A link out is no request; only the sources of published grades may be one.
                    (self.source_links if tag == "a" else self.external).append(value)
                elif tag == "a":
                    self.links.append(value)
        if tag == "link" or (tag == "script" and "src" in a):
            self.external.append(f"<{tag}>")
        if tag == "table":
            self.tables += 1
        if tag == "tr":
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []
        if tag == "h1":
            self._in_h1 = True

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_h1:
            self.h1.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        if tag == "h1":
            self._in_h1 = False


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_site_has_every_page(site: SiteResult) -> None:
    root = site.out_dir
    for name in (
        "index.html",
        "methodology.html",
        "data-dictionary.html",
        "2014/index.html",
        "2014/scan.html",
    ):
        assert (root / name).is_file(), name
    for force in territorial_forces():
        for ext in ("html", "md", "txt"):
            assert (root / "2014" / f"{force.force_id}.{ext}").is_file()
        assert (root / "forces" / f"{force.force_id}.html").is_file()
    assert not list(root.parent.glob(".openpeel-site-*")), "staging folder left behind"


@pytest.mark.slow
def test_pages_are_self_contained_and_links_resolve(site: SiteResult) -> None:
    html_pages = sorted(site.out_dir.rglob("*.html"))
    assert len(html_pages) > 43 * 2
    from openpeel.framework.published_records import grade_counts, revisions

    published_sources = {r.source_url for r in [*published_grades(), *grade_counts(), *revisions()]}
    parsed = {p: parse(p) for p in html_pages}
    for path, page in parsed.items():
        assert not page.external, f"{path}: external reference {page.external}"
        assert set(page.source_links) <= published_sources, f"{path}: link out {page.source_links}"
        for link in page.links:
            parts = urlsplit(link)
            assert not parts.scheme, f"{path}: {link}"
            target = (path.parent / parts.path).resolve() if parts.path else path
            assert target.exists(), f"{path}: broken link {link}"
            if parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else parse(target).ids
                assert parts.fragment in ids, f"{path}: missing anchor {link}"


def test_overview_lists_every_force_with_text_grades(site: SiteResult) -> None:
    page = parse(site.out_dir / "2014" / "index.html")
    html = (site.out_dir / "2014" / "index.html").read_text(encoding="utf-8")
    names = {f.name for f in territorial_forces()}
    body_rows = [r for r in page.rows if r and r[0] in names and len(r) > 2]
    # The cycle's coverage map, one tile map per published pillar or question, and one of the
    # headline figure's band, each with its table of force and category.
    map_rows = [r for r in page.rows if r and r[0] in names and len(r) == 2]
    assert len(map_rows) == 6 * 43 and html.count('class="chart chart-tiles"') == 6
    assert 'id="chart-map-coverage-2014"' in html
    assert 'id="chart-map-band-recorded_crime_change_4y_pct"' in html
    # Published grades, then openpeel's: each once in an A-Z table and once in a by-region table.
    assert len(body_rows) == 4 * 43
    published_az, openpeel_az = body_rows[:43], body_rows[2 * 43 : 3 * 43]
    northants = next(r for r in openpeel_az if r[0] == "Northamptonshire Police")
    assert northants[2:5] == ["Good", "Requires improvement", "Good"]
    # The published table: efficiency as a whole, then the three graded questions, as the table says.
    held = {(r.force_id, r.target): r.grade for r in load_published_grades(2014)}
    targets = ("efficiency", "reducing-crime", "investigating-offending", "tackling-asb")
    labels = {"outstanding": "Outstanding", "good": "Good", "requires-improvement": "Requires improvement"}
    by_name = {f.name: f.force_id for f in territorial_forces()}
    for row in published_az:
        expected = [
            labels[g] if (g := held.get((by_name[row[0]], t))) else "No published grade" for t in targets
        ]
        assert row[2:6] == expected, row[0]
    assert next(r for r in published_az if r[0] == "Northamptonshire Police")[3:6] == northants[2:5]
    assert "No published grade" not in next(r for r in published_az if r[0] == "Kent Police")
    # Colour is never the only signal: every coloured grade cell states its grade in words.
    for cls, label in re.findall(r'class="grade-cell grade-bg-([a-z-]+)"[^>]*>([^<]+)<', html):
        assert cls == label.lower().replace(" ", "-")
    regions = [r[0] for r in page.rows if r and r[0].endswith("forces)")]
    # Two by-region tables (published grades, openpeel's), each covering the 43 forces once.
    assert len(regions) >= 18 and sum(int(re.search(r"\((\d+) forces\)", r)[1]) for r in regions) == 2 * 43  # type: ignore[index]
    counts = [r for r in page.rows if r and r[0].startswith("How effective")][:3]
    assert len(counts) == 3 and all(sum(int(c) for c in r[1:]) == 43 for r in counts)
    assert page.h1 == ["National overview"]


def test_overview_sorting_script_is_only_an_enhancement(site: SiteResult) -> None:
    html = (site.out_dir / "2014" / "index.html").read_text(encoding="utf-8")
    table = html[
        html.index('id="overview-table"') : html.index("</table>", html.index('id="overview-table"'))
    ]
    order = re.findall(r'<th scope="row" data-sort="([^"]+)"', table)
    assert order == sorted(order) and len(order) == 43
    report = (site.out_dir / "2014" / "northamptonshire.html").read_text(encoding="utf-8")
    assert "<script" not in report


def test_report_in_site_has_charts_with_text_and_tables(site: SiteResult) -> None:
    html = (site.out_dir / "2014" / "northamptonshire.html").read_text(encoding="utf-8")
    figures = re.findall(
        r'<figure class="chart-figure" id="(chart-[a-z]+-[a-z0-9_]+)">(.*?)</figure>', html, re.S
    )
    kinds = {cid.split("-")[1] for cid, _ in figures}
    assert kinds == {"trend", "funnel", "ranked"}
    for cid, body in figures:
        assert f'aria-labelledby="{cid}-t {cid}-d"' in body
        assert f'<title id="{cid}-t">' in body and f'<desc id="{cid}-d">' in body
        assert ("<table>" in body and '<tr class="highlight">' in body) or "trend" in cid


def test_scan_page_matches_national_scan(site: SiteResult, publish_con: duckdb.DuckDBPyConnection) -> None:
    from openpeel.framework import load_framework
    from openpeel.indicators.scan import TRIAGE_LIMIT, national_scan, triage

    rows = national_scan(publish_con, load_framework(2014))
    html = (site.out_dir / "2014" / "scan.html").read_text(encoding="utf-8")
    page = parse(site.out_dir / "2014" / "scan.html")
    data_rows = [r for r in page.rows if r and r[-3] in ("Worse", "Better", "Unclear")]
    # Each force's few largest differences first, then (one click away) every difference.
    top = triage(rows)
    assert 0 < len(top) < len(rows)
    assert all(sum(r.force_id == f for r in top) <= TRIAGE_LIMIT for f in {r.force_id for r in rows})
    forces = {r.force_id for r in rows}
    top_of = {f: sum(r.force_id == f for r in top) for f in forces}
    all_of = {f: sum(r.force_id == f for r in rows) for f in forces}
    longer = [f for f in forces if all_of[f] > top_of[f]]
    assert len(data_rows) == len(top) + sum(all_of[f] for f in longer)
    assert html.count('<details class="scan-all">') == len(longer)


def test_downloads_csv_and_parquet_agree_with_their_dictionary(site: SiteResult) -> None:
    ddir = site.out_dir / "2014" / "downloads"
    con = duckdb.connect(":memory:")
    for d in DOWNLOADS:
        with (ddir / f"{d.name}.csv").open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert header == [f.name for f in d.fields]
        parquet = con.execute(
            f"SELECT count(*) FROM read_parquet('{ddir / (d.name + '.parquet')}')"
        ).fetchone()
        csv_rows = con.execute(f"SELECT count(*) FROM read_csv('{ddir / (d.name + '.csv')}')").fetchone()
        assert parquet == csv_rows and parquet is not None and parquet[0] > 0
        assert f"## `{d.name}`" in downloads_dictionary_markdown()
    judged = con.execute(
        f"SELECT question_id, grade FROM read_parquet('{ddir / 'judgements.parquet'}') "
        "WHERE force_id = 'northamptonshire' AND grade <> 'Not graded' ORDER BY question_id"
    ).fetchall()
    assert judged == [
        ("investigating-offending", "Requires improvement"),
        ("reducing-crime", "Good"),
        ("tackling-asb", "Good"),
    ]
    ew = con.execute(
        f"SELECT count(*) FROM read_parquet('{ddir / 'indicators.parquet'}') WHERE area_id = 'england-and-wales'"
    ).fetchone()
    assert ew is not None and ew[0] > 0
    proposed_and_published = con.execute(
        f"SELECT question_id, grade_id, published_grade_id, agrees_with_published FROM read_parquet('{ddir / 'judgements.parquet'}') "
        "WHERE force_id = 'northamptonshire' AND grade_id <> '' ORDER BY question_id"
    ).fetchall()
    assert proposed_and_published == [
        ("investigating-offending", "requires-improvement", "requires-improvement", True),
        ("reducing-crime", "good", "good", True),
        ("tackling-asb", "good", "good", True),
    ]
    published = con.execute(
        f"SELECT force_id, question_id, grade, published, source_url FROM read_parquet('{ddir / 'published-grades.parquet'}') "
        "WHERE force_id = 'northamptonshire' AND question_id IS NOT NULL ORDER BY question_id"
    ).fetchall()
    source = "https://hmicfrs.justiceinspectorates.gov.uk/peel-assessments/peel-2014/northamptonshire/effectiveness/"
    assert published == [
        (
            "northamptonshire",
            "investigating-offending",
            "Requires improvement",
            dt.date(2014, 11, 12),
            source,
        ),
        ("northamptonshire", "reducing-crime", "Good", dt.date(2014, 11, 12), source),
        ("northamptonshire", "tackling-asb", "Good", dt.date(2014, 11, 12), source),
    ]
    count = con.execute(f"SELECT count(*) FROM read_csv('{ddir / 'published-grades.csv'}')").fetchone()
    assert count is not None and count[0] == len(load_published_grades(2014))
    dictionary = (site.out_dir / "data-dictionary.html").read_text(encoding="utf-8")
    assert 'id="downloads"' in dictionary and "<code>rules_fired</code>" in dictionary
    assert "<code>agrees_with_published</code>" in dictionary


def test_methodology_page_renders_markdown_without_raw_html(site: SiteResult) -> None:
    html = (site.out_dir / "methodology.html").read_text(encoding="utf-8")
    assert "<h1>Methodology</h1>" in html and "<table>" in html
    assert "&lt;script&gt;" in markdown_html("Text <script>alert(1)</script>")


def test_force_across_years_page(site: SiteResult) -> None:
    html = (site.out_dir / "forces" / "northamptonshire.html").read_text(encoding="utf-8")
    # The grade tables come before the findings followed across cycles (tests/publish/test_findings_followed.py).
    page = Page()
    page.feed(html[: html.index('<section aria-labelledby="followed-h">')])
    years = [r[0] for r in page.rows if r and r[0].startswith("PEEL")]
    from openpeel.framework import available_years, load_framework

    # First the grades the inspectorate published, one column per cycle (tests/publish/test_force_cycles.py) ...
    mine = published_grades(force="northamptonshire")
    titles = [load_framework(y).title for y in available_years()]
    table = html[
        html.index('id="published-grades"') : html.index("</table>", html.index('id="published-grades"'))
    ]
    assert all(f">{t}</th>" in table for t in titles)
    assert table.count("<strong>Requires improvement</strong>") == sum(
        r.grade == "requires-improvement" for r in mine
    )
    # ... then openpeel's, for every cycle openpeel knows.
    assert years == titles
    assert any("Good" in r for r in page.rows)
    assert any(
        r[0].startswith("Recorded crime")
        for r in parse(site.out_dir / "forces" / "northamptonshire.html").rows
    )


def test_publish_refuses_a_folder_that_is_not_a_site(
    publish_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    (tmp_path / "precious.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(OpenpeelError, match="not an openpeel site"):
        publish_site(publish_con, [2014], tmp_path, evidence_for)
    assert (tmp_path / "precious.txt").read_text(encoding="utf-8") == "keep me"


@pytest.mark.slow
def test_export_command_writes_csv(tmp_path: Path) -> None:
    from openpeel.cli import app

    db = tmp_path / "w.duckdb"
    result = CliRunner().invoke(
        app, ["export", "--year", "2014", "--format", "csv", "--out", str(tmp_path / "dl"), "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "dl").iterdir()) == [
        "findings-followed.csv",
        "findings.csv",
        "indicators.csv",
        "judgements.csv",
        "published-grades.csv",
    ]
    bad = CliRunner().invoke(app, ["export", "--format", "xlsx", "--db", str(db)])
    assert bad.exit_code == 2 and "xlsx" in bad.output


@pytest.mark.slow
def test_openpeels_grade_chart_draws_the_forces_it_graded(site: SiteResult) -> None:
    html = (site.out_dir / "2014" / "index.html").read_text(encoding="utf-8")
    at = html.index('id="chart-grades"')
    chart = html[at : html.index("</figure>", at)].replace("&#39;", "'")
    graded = len(evidence_for(2014))
    assert f"openpeel's, for the {graded} of 43 forces with findings loaded" in chart
    # Forces without findings are counted in the table above, not drawn as grey bars.
    assert "not graded" not in chart.lower()


def test_with_no_force_graded_the_overview_draws_no_empty_grade_chart(
    publish_con: duckdb.DuckDBPyConnection,
) -> None:
    from openpeel.framework import load_framework
    from openpeel.publish.document import build_report
    from openpeel.publish.overview import build_overview

    reports = [build_report(publish_con, f, 2014, None) for f in ("kent", "essex")]
    assert build_overview(load_framework(2014), reports, []).chart is None
