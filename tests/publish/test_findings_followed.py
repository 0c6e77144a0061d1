"""Findings followed across cycles on the force-across-years page and in the downloads.

The evidence here is INVENTED (not any force's findings), except where the shipped site is read."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import duckdb
import pytest

from openpeel.evidence import EvidenceFile
from openpeel.publish.cycle import Cycle
from openpeel.publish.export import FINDINGS_FOLLOWED, export_year
from openpeel.publish.site import SiteResult, force_years_page


def _invented(year: int, kind: str, question: str, fid: str) -> EvidenceFile:
    inspection = {2014: "crime-inspection", 2015: "peel-effectiveness"}[year]
    return EvidenceFile.model_validate(
        {
            "force": "cumbria",
            "year": year,
            "inspections": [{"id": "inv", "kind": inspection, "title": "Invented", "source": "invented"}],
            "findings": [
                {
                    "id": fid,
                    "inspection": "inv",
                    "question": question,
                    "kind": kind,
                    "topics": ["investigation quality"],
                    "text": f"INVENTED finding {fid} <b>not markup</b>.",
                }
            ],
        }
    )


EARLIER = _invented(2014, "area-for-improvement", "investigating-offending", "inv-afi")
LATER = _invented(2015, "area-for-improvement", "investigating-crime", "inv-again")


@pytest.mark.slow
def test_the_site_page_follows_the_published_findings(site: SiteResult) -> None:
    from tests.publish.conftest import evidence_for

    from openpeel.evidence.followed import follow_findings
    from openpeel.framework import available_years

    html = (site.out_dir / "forces" / "northamptonshire.html").read_text(encoding="utf-8")
    section = html[html.index('<section aria-labelledby="followed-h">') :]
    section = section[: section.index("</section>")]
    assert 'id="findings-followed"' in section and "area for improvement" in section
    # Every area for improvement and cause of concern of the evidence the site was given, in
    # every cycle, with what followed it in the next (shipped files: Northamptonshire 2014's
    # findings are followed into its PEEL 2015 file).
    given = {y: ev for y in available_years() if (ev := evidence_for(y).get("northamptonshire"))}
    followed = follow_findings("northamptonshire", given)
    assert any(f.year == 2014 and f.next_cycle == "PEEL 2015" for f in followed)
    rows = [unescape(r) for r in section.split("<tr>")]
    for item in followed:
        text = " ".join(item.finding.text.split())
        assert [r for r in rows if text in r and item.describe() in r], item.finding.id


def test_the_page_shows_what_the_cycles_may_show_and_no_more(publish_con: duckdb.DuckDBPyConnection) -> None:
    both = [Cycle(publish_con, 2014, {"cumbria": EARLIER}), Cycle(publish_con, 2015, {"cumbria": LATER})]
    html = force_years_page(both, {2014}, 2015, "cumbria")
    assert "a comparable finding recurs in PEEL 2015 (investigating-crime: area for improvement)" in html
    assert "&lt;b&gt;not markup&lt;/b&gt;" in html and "<b>not markup</b>" not in html
    # On a public surface an unpublished next cycle is not given to the page: nothing leaks from it.
    only_earlier = [Cycle(publish_con, 2014, {"cumbria": EARLIER}), Cycle(publish_con, 2015, {})]
    html = force_years_page(only_earlier, {2014}, 2015, "cumbria")
    assert "not known: no evidence for PEEL 2015" in html and "inv-again" not in html


def test_findings_followed_download(publish_con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    export_year(
        Cycle(publish_con, 2014, {"cumbria": EARLIER}), tmp_path, ["csv"], following={"cumbria": LATER}
    )
    con = duckdb.connect(":memory:")
    rows = con.execute(
        f"SELECT force_id, finding_id, next_year, next_questions, followed, recurs, next_finding_ids "
        f"FROM read_csv('{tmp_path / (FINDINGS_FOLLOWED.name + '.csv')}')"
    ).fetchall()
    assert rows == [("cumbria", "inv-afi", 2015, "investigating-crime", "recurs", True, "inv-again")]
