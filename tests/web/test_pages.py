from __future__ import annotations

import html

import pytest
from fastapi.testclient import TestClient
from tests.publish.cycle_regions import one_cycle_problems

from openpeel.framework import available_years
from openpeel.publish.cycle_coverage import STATUS_LABELS, cycle_coverage_view, latest_graded_year


def _force_rows(page: str) -> int:
    """Rows of the force list (the map after it has a table of its own)."""
    table = page[page.index('id="latest-forces"') :]
    return table[: table.index("</table>")].count('<th scope="row">')


def test_home_lists_and_searches_forces(client: TestClient) -> None:
    all_forces = client.get("/")
    assert all_forces.status_code == 200 and _force_rows(all_forces.text) == 43
    # Below the list, the latest cycle's coverage map, with its table.
    assert 'class="chart chart-tiles"' in all_forces.text
    region = client.get("/", params={"q": "East Midlands"})
    assert _force_rows(region.text) == 5
    by_name = client.get("/", params={"q": "northants"})
    assert _force_rows(by_name.text) == 1 and "Northamptonshire Police" in by_name.text
    script = client.get("/", params={"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in script.text and "&lt;script&gt;" in script.text


def test_home_links_read_as_force_names_with_the_latest_cycles_grades(client: TestClient) -> None:
    page = client.get("/", params={"q": "Kent"}).text
    row = page[page.index('<th scope="row">') :]
    row = row[: row.index("</tr>")]
    # The link is the force's name, to its page across cycles; beside it, the latest cycle's
    # coverage and named grades, and openpeel's report of that cycle.
    assert '<th scope="row"><a href="/forces/kent.html">Kent Police</a></th>' in row
    year = latest_graded_year()
    view = cycle_coverage_view(year)
    assert f"<td>{STATUS_LABELS[view.of('kent').status]}</td>" in row
    tally = view.summaries()["kent"]
    assert (html.escape(tally, quote=False) if tally else "none named") in row
    assert f'href="/{year}/kent.html"' in row
    assert ">Report<" not in page


@pytest.mark.slow
def test_home_and_every_served_overview_name_one_cycle(client: TestClient) -> None:
    home = client.get("/").text
    assert one_cycle_problems(home) == []
    year = latest_graded_year()
    assert f"{view_title(year)}: the latest cycle with published grades" in home
    assert cycle_coverage_view(year).sentence() in home
    # The live app serves every cycle, so every cycle's overview is linked from the home page.
    for y in available_years():
        assert f'href="/{y}/index.html"' in home
        for path in (f"/{y}/index.html", f"/{y}/scan.html"):
            page = client.get(path)
            assert page.status_code == 200 and one_cycle_problems(page.text) == [], path
    assert one_cycle_problems(client.get("/index.html").text) == []


def view_title(year: int) -> str:
    return cycle_coverage_view(year).title


def test_report_page_is_the_public_report(client: TestClient) -> None:
    page = client.get("/2014/northamptonshire.html")
    assert page.status_code == 200
    assert "<h1>Northamptonshire PEEL 2014</h1>" in page.text
    # The shipped evidence and the rubric's proposals are drafts until an inspector publishes
    # them: the public page shows neither (public means published), only the grades the
    # inspectorate itself published, as such.
    # Findings are loaded and nothing is published: the page says so, and what comes next.
    assert "No inspection findings are loaded for Northamptonshire Police" not in page.text
    assert "inspection findings are loaded for Northamptonshire Police for PEEL 2014" in page.text
    assert "no judgement of openpeel's is published yet" in page.text and "Next:" in page.text
    assert "the inspectorate found that Northamptonshire Police is good at" in page.text
    assert (
        "Inspection findings are loaded for this question, but its judgement is not yet published"
        in page.text
    )
    again = client.get("/2014/northamptonshire.html")
    assert again.text == page.text


def test_report_names_redirect_and_errors(client: TestClient) -> None:
    moved = client.get("/2014/Northamptonshire%20Police.html", follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == "/2014/northamptonshire.html"
    old = client.get("/reports/2014/northamptonshire", follow_redirects=False)
    assert old.status_code == 308 and old.headers["location"] == "/2014/northamptonshire.html"
    missing = client.get("/2014/nowhereshire.html")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert client.get("/1999/kent.html").status_code == 404
    assert client.get("/2014/btp.html").status_code == 404


@pytest.mark.slow
def test_site_pages_are_served_at_the_static_sites_paths(client: TestClient) -> None:
    from html.parser import HTMLParser
    from urllib.parse import urljoin

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.hrefs: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            href = dict(attrs).get("href")
            if tag == "a" and href and not href.startswith(("#", "http", "mailto:")):
                self.hrefs.append(href)

    for path in (
        "/index.html",
        "/2014/index.html",
        "/2014/scan.html",
        "/2014/downloads.html",
        "/methodology.html",
        "/data-dictionary.html",
        "/forces/northamptonshire.html",
        "/2014/northamptonshire.html",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        links = Links()
        links.feed(page.text)
        for href in set(links.hrefs):
            target = urljoin(f"http://testserver{path}", href).split("#")[0]
            if target.endswith((".md", ".txt", ".pdf")):
                continue  # the static site also carries these formats; the app serves HTML
            assert client.get(target).status_code == 200, (path, href)
    overview = client.get("/2014/index.html").text
    assert "Northamptonshire Police" in overview and "Requires improvement" in overview
    csv_file = client.get("/2014/downloads/indicators.csv")
    assert csv_file.status_code == 200 and csv_file.text.splitlines()[0].count(",") > 3


@pytest.mark.slow
def test_served_pages_carry_the_published_grades(client: TestClient) -> None:
    from openpeel.framework.published_grades import published_grades

    overview = client.get("/2017/index.html").text
    assert 'id="published-table"' in overview and "up from inadequate in PEEL 2016" in overview
    across = client.get("/forces/kent.html").text
    table = across[
        across.index('id="published-grades"') : across.index(
            "</table>", across.index('id="published-grades"')
        )
    ]
    counted = sum(len(cycle_coverage_view(y).of("kent").counts) for y in available_years())
    assert table.count('<a href="http') == len(published_grades(force="kent")) + counted
    rows = client.get("/2014/downloads/published-grades.csv").text.splitlines()
    assert rows[0].startswith("year,cycle,force_id") and len(rows) - 1 == len(published_grades(2014))
