"""One cycle per national view: the home page and every overview and scan name exactly one PEEL
cycle in each map, table and count, and the home page shows the latest cycle with published
grades, with its coverage from the coverage data."""

from __future__ import annotations

import duckdb
import pytest
from tests.publish.cycle_regions import one_cycle_problems, regions

from openpeel.framework import available_years, load_framework
from openpeel.framework.published_coverage import cycle_coverage
from openpeel.framework.published_grades import load_published_grades
from openpeel.publish.cycle import Cycle
from openpeel.publish.cycle_coverage import STATUS_LABELS, cycle_coverage_view, latest_graded_year
from openpeel.publish.site import SiteResult, index_page, overview_page, scan_page


def test_the_checker_catches_a_mixed_table_and_an_unnamed_map() -> None:
    page = (
        "<table><caption>Latest grades, PEEL 2018/19 and PEEL 2023-25</caption><tr><td>x</td></tr></table>"
        "<figure><figcaption>The latest grade of each force</figcaption><svg><rect/></svg></figure>"
        '<table><caption>PEEL 2017</caption><tr><td>Good<span class="change">up from good in PEEL 2016</span></td>'
        "<td>PEEL 2018/19</td></tr></table>"
        '<p class="count">43 forces graded</p>'
        '<table data-cycle="2014"><caption>Grades, PEEL 2015</caption></table>'
    )
    problems = one_cycle_problems(page)
    assert len(problems) == 5, problems
    assert "names ['PEEL 2018/19', 'PEEL 2023-25']" in problems[0]
    assert "names no cycle" in problems[1] and "also mentions ['PEEL 2018/19']" in problems[2]
    assert "count" in problems[3] and "data-cycle=2014" in problems[4]


@pytest.mark.slow
def test_the_site_home_page_shows_one_cycle_in_each_map_table_and_count(site: SiteResult) -> None:
    page = (site.out_dir / "index.html").read_text(encoding="utf-8")
    assert one_cycle_problems(page) == []
    found = regions(page)
    assert any(r.kind == "figure" for r in found) and any(r.kind == "table" for r in found)
    latest = load_framework(latest_graded_year())
    # The latest cycle with any named grade is the home page's cycle; a newer one with none yet
    # is listed with its coverage, not mapped.
    assert latest.year == max(y for y in available_years() if load_published_grades(y))
    assert f"{latest.title}: the latest cycle with published grades" in page
    assert cycle_coverage_view(latest.year).sentence() in page
    for year in available_years():
        assert f"Coverage of the published grades: {cycle_coverage_view(year).short()}." in page
    # Links reach the cycles built (2014 here); the others say how to add them.
    assert 'href="2014/index.html"' in page and f'href="{latest.year}/index.html"' not in page
    assert f"openpeel publish --year {latest.cycle}" in page


def test_the_home_map_is_the_latest_cycles_coverage_from_the_coverage_data() -> None:
    year = latest_graded_year()
    view = cycle_coverage_view(year)
    chart = view.map()
    assert view.title in chart.title and chart.kind == "tiles" and len(chart.rows) == 43
    colours = dict(chart.data.categories)  # type: ignore[union-attr]
    for row in cycle_coverage(year):
        assert colours[row.force_id] == STATUS_LABELS[row.status]
    tally = view.tally()
    assert sum(tally.values()) == 43
    assert f"{tally['complete']} complete" in chart.summary or tally["complete"] == 0
    # The table beside the map says each force's coverage in words, with the areas missing.
    words = dict(chart.rows)
    partial = next(r for r in cycle_coverage(year) if r.status == "partial")
    from openpeel.forces import get_force

    assert words[get_force(partial.force_id).name].startswith("Partial:")


@pytest.mark.slow
def test_every_overview_and_scan_names_one_cycle(publish_con: duckdb.DuckDBPyConnection) -> None:
    for year in available_years():
        cycle = Cycle(publish_con, year)
        overview = overview_page(cycle)
        assert one_cycle_problems(overview) == [], year
        # Each overview carries its cycle's coverage, from the coverage data.
        assert cycle_coverage_view(year).sentence() in overview
        assert f'id="chart-map-coverage-{year}"' in overview
        scan = scan_page({}, cycle.framework, cycle.scan)
        assert one_cycle_problems(scan) == [], year


def test_the_overview_table_gives_each_forces_coverage(publish_con: duckdb.DuckDBPyConnection) -> None:
    year = 2023
    page = overview_page(Cycle(publish_con, year))
    table = page[page.index('id="published-table"') :]
    table = table[: table.index("</table>")]
    assert ">Coverage</button>" in table
    northants = table[table.index('href="northamptonshire.html"') :]
    northants = northants[: northants.index("</tr>")]
    status = cycle_coverage_view(year).of("northamptonshire").status
    assert f'data-sort="{status}"' in northants


@pytest.mark.parametrize("year", [2014, 2023])
def test_the_index_page_for_other_builds(year: int) -> None:
    page = index_page([load_framework(year)])
    assert one_cycle_problems(page) == []
    assert f'href="{year}/index.html"' in page
