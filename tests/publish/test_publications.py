"""A publication is an immutable, versioned snapshot: what `openpeel publish` wrote is recorded
with its hashes and chain head, a published report does not change when data changes, and a
change made by reopening and republishing is a new version beside the old one."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.assessment.test_audit import NORTHANTS_2014
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.core.cli_support import locations
from openpeel.core.settings import Settings
from openpeel.publish import cycle
from openpeel.publish.model import Report, para
from openpeel.store import open_store
from openpeel.web.app import create_app

# Whole commands or national runs, seconds each: left to the full run (`make test-fast` skips them).
pytestmark = pytest.mark.slow

FORCE = "northamptonshire"
REASON = "Grade revised after the force's evidence on investigation (zq-5512)"


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, result.output + result.stderr
    return result.output + result.stderr


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def home(statistics_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(statistics_db, home / "warehouse.duckdb")
    monkeypatch.setenv("OPENPEEL_HOME", str(home))
    run("evidence", "import", str(NORTHANTS_2014), "--by", "alice")
    for question in ("reducing-crime", "investigating-offending", "tackling-asb"):
        run("judgement", "confirm", FORCE, question, "--by", "bob")
    run("judgement", "moderate", FORCE, "--by", "carol")
    run("judgement", "publish", FORCE, "--by", "dan")
    yield home


def publish(out: Path, *extra: str) -> str:
    return run("publish", "--year", "2014", "--out", str(out), "--by", "pat", *extra)


def publication(number: int) -> dict[str, Any]:
    return dict(json.loads(run("publications", "show", str(number), "--json")))


def test_publishing_twice_with_a_change_keeps_both_versions_and_their_hashes(
    home: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    publish(first)
    report = first / "2014" / f"{FORCE}.html"
    assert "Version 1" in report.read_text() and (first / "2014" / f"{FORCE}.v1.html").exists()

    run("judgement", "reopen", FORCE, "investigating-offending", "--by", "erin", "--reason", REASON)
    run(
        "judgement", "override", FORCE, "investigating-offending", "outstanding",
        "--by", "erin", "--reason", "Exceptional specialist teams",
    )  # fmt: skip
    run("judgement", "moderate", FORCE, "--by", "carol")
    run("judgement", "publish", FORCE, "--by", "dan")
    publish(second)

    new = (second / "2014" / f"{FORCE}.html").read_text()
    assert "Version 2" in new and "zq-5512" in new and f'href="{FORCE}.v1.html"' in new
    assert "Outstanding" in new
    # Credit comes from the audit trail: erin overrode, carol moderated, dan published; the last
    # to touch the row (dan) is not named as having set the grade.
    assert "set by erin over the rubric" in new and "set by dan" not in new
    assert "set by an override as outstanding by erin on" in new and "(Exceptional specialist teams)" in new
    assert "moderated by carol on" in new and "published by dan on" in new
    assert "confirmed as good by bob on" in new  # reducing-crime, never reopened
    # The first version is kept byte for byte, beside the second.
    assert (second / "2014" / f"{FORCE}.v1.html").read_bytes() == report.read_bytes()
    assert (second / "2014" / f"{FORCE}.v2.html").read_text() == new

    exported = tmp_path / "export"
    run("export", "--year", "2014", "--out", str(exported), "--format", "csv")
    for folder in (second / "2014/downloads", exported):
        with (folder / "judgements.csv").open(newline="", encoding="utf-8") as handle:
            rows = {(r["force_id"], r["question_id"]): r for r in csv.DictReader(handle)}
        row = rows[(FORCE, "investigating-offending")]
        assert (row["grade_id"], row["state"], row["current_grade_id"], row["proposed_grade_id"]) == (
            "outstanding", "published", "outstanding", "requires-improvement",
        )  # fmt: skip
        assert (row["is_overridden"], row["rationale"], row["set_by"]) == (
            "true", "Exceptional specialist teams", "erin",
        )  # fmt: skip
        assert (row["moderated_by"], row["published_by"]) == ("carol", "dan") and row["set_at"]
        assert rows[("kent", "investigating-offending")]["state"] == ""

    one, two = publication(1), publication(2)
    path = f"2014/{FORCE}.html"
    assert one["files"][path] == sha(report) != two["files"][path] == sha(second / "2014" / f"{FORCE}.html")
    assert one["files"]["2014/downloads/judgements.csv"] == sha(first / "2014/downloads/judgements.csv")
    assert one["published_by"] == "pat" and one["head_event_id"] < two["head_event_id"]
    assert [v["version"] for v in two["new_versions"]] == [2] and two["new_versions"][0][
        "change_note"
    ] == REASON
    with TestClient(create_app(Settings(home=home))) as client:
        assert client.get(f"/2014/{FORCE}.html").text == new
        assert client.get(f"/2014/{FORCE}.v1.html").content == report.read_bytes()
        assert client.get(f"/2014/{FORCE}.v3.html").status_code == 404
        served = client.get("/2014/downloads/judgements.csv").content
        assert served == (second / "2014/downloads/judgements.csv").read_bytes()
    retrieved = run("publications", "report", FORCE, "--year", "2014", "--version", "1")
    assert retrieved == report.read_text()
    listed = run("publications", "list")
    assert "1" in listed and "2" in listed and "pat" in listed
    assert "audit trail verified" in run("audit", "verify")


def test_a_published_report_does_not_change_when_the_data_does(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(tmp_path / "first")
    built = cycle.build_report

    def changed_data(*args: Any, **kwargs: Any) -> Report:
        report = built(*args, **kwargs)
        report.overview.append(para("DATA CHANGED AFTER PUBLICATION (zq-9914)."))
        return report

    monkeypatch.setattr(cycle, "build_report", changed_data)
    publish(tmp_path / "again")
    again = tmp_path / "again" / "2014"
    assert (again / f"{FORCE}.html").read_bytes() == (tmp_path / "first/2014" / f"{FORCE}.html").read_bytes()
    # A report with no published judgement is a preview, rebuilt from the data each time.
    assert "zq-9914" in (again / "kent.html").read_text()
    assert "new_versions" in publication(2) and publication(2)["new_versions"] == []


def test_asking_for_a_publication_or_version_that_does_not_exist_says_what_there_is(
    home: Path, tmp_path: Path
) -> None:
    assert "nothing published yet" in run("publications", "list")
    publish(tmp_path / "site")
    assert "no publication 9; `openpeel publications list` shows them" in run(
        "publications", "show", "9", code=2
    )
    missing = run("publications", "report", FORCE, "--year", "2014", "--version", "4", code=2)
    assert "no published version 4 of northamptonshire's PEEL 2014 report (versions: 1)" in missing
    assert "versions: none" in run("publications", "report", "kent", "--year", "2014", code=2)


def test_a_reopened_judgement_keeps_the_old_version_until_it_is_published_again(
    home: Path, tmp_path: Path
) -> None:
    publish(tmp_path / "first")
    run("judgement", "reopen", FORCE, "tackling-asb", "--by", "erin", "--reason", "recheck")
    publish(tmp_path / "pending")
    first = (tmp_path / "first/2014" / f"{FORCE}.html").read_bytes()
    assert (tmp_path / "pending/2014" / f"{FORCE}.html").read_bytes() == first


def test_publications_and_their_contents_are_append_only(home: Path, tmp_path: Path) -> None:
    publish(tmp_path / "site")
    store = open_store(locations())
    for sql in (
        "UPDATE pb_publications SET published_by = 'mallory'",
        "DELETE FROM pb_report_versions",
        "UPDATE pb_blobs SET content = 'forged'",
    ):
        with store.write() as ws, pytest.raises(sa.exc.DBAPIError, match="append-only"):
            ws.execute(sa.text(sql))


def test_a_change_note_from_a_reopening_reason_is_shown_as_text(home: Path, tmp_path: Path) -> None:
    publish(tmp_path / "first")
    hostile = "<script>alert('zq-3301')</script> & [link](javascript:alert(1))"
    run("judgement", "reopen", FORCE, "tackling-asb", "--by", "erin", "--reason", hostile)
    # Confirming again at once changes nothing, and says so rather than failing.
    assert "already stands as asked" in run(
        "judgement", "confirm", FORCE, "tackling-asb", "--by", "erin", code=2
    )
    run("judgement", "moderate", FORCE, "--by", "carol")
    run("judgement", "publish", FORCE, "--by", "dan")
    publish(tmp_path / "second")
    folder = tmp_path / "second" / "2014"
    html = (folder / f"{FORCE}.html").read_text()
    assert "Version 2" in html and "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;zq-3301&#39;)&lt;/script&gt; &amp;" in html
    markdown = (folder / f"{FORCE}.md").read_text()
    assert (
        "&lt;script&gt;alert('zq-3301')&lt;/script&gt;" in markdown and "\\[link\\](javascript:" in markdown
    )


def test_who_published_is_printed_as_given_not_as_terminal_markup(home: Path, tmp_path: Path) -> None:
    by = "[bold red]mallory[/] <b>"
    run(
        "publish", "--year", "2014", "--out", str(tmp_path / "site"), "--by", by, "--note", "[link=x]y[/link]"
    )
    listed = run("publications", "list")
    assert by in listed and "[link=x]y[/link]" in listed
    assert publication(1)["published_by"] == by
    assert f"by {by};" in run("publications", "show", "1")


def test_publishing_with_findings_loaded_and_no_judgement_published_says_so(
    statistics_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 24: after the main job's evidence is stored and nothing is published, no public file
    says that no findings are loaded for a force that has them; each says what comes next, and the
    downloads tell the two facts apart."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(statistics_db, home / "warehouse.duckdb")
    monkeypatch.setenv("OPENPEEL_HOME", str(home))
    site = tmp_path / "site"
    publish(site)
    from openpeel.assessment.prepare import load_evidence
    from openpeel.forces import get_force

    loaded = sorted(load_evidence(2014))
    assert FORCE in loaded and len(loaded) >= 10
    for force_id in loaded:
        name = get_force(force_id).name
        for ext in ("html", "md", "txt"):
            text = " ".join((site / "2014" / f"{force_id}.{ext}").read_text().split())
            # Neither the force as a whole nor a question with findings reads as having none.
            assert f"No inspection findings are loaded for {name}" not in text, (force_id, ext)
            assert (
                "no inspection findings are loaded;" not in text.lower()
                and "No inspection findings are loaded for this force" not in text
            )
            assert f"inspection findings are loaded for {name} for PEEL 2014" in text
            assert (
                "Inspection findings are loaded for this question, but its judgement is not yet published"
                in text
            )
            assert "no judgement of openpeel's is published yet" in text and "Next:" in text
        page = (site / "forces" / f"{force_id}.html").read_text()
        assert "Not yet published" in page and "no inspection findings are loaded" not in page.lower()
    overview = (site / "2014" / "index.html").read_text()
    assert "No force has inspection findings loaded" not in overview
    assert f"Inspection findings are loaded for {len(loaded)} forces, but no judgement" in overview
    assert "Not yet published" in overview
    # A force with no findings still says so, plainly (a force the shipped 2014 files leave out).
    from openpeel.forces import territorial_forces

    kent_free = next(f.force_id for f in territorial_forces() if f.force_id not in loaded)
    assert "No inspection findings are loaded" in (site / "2014" / f"{kent_free}.txt").read_text()
    with (site / "2014" / "downloads" / "judgements.csv").open(newline="", encoding="utf-8") as handle:
        rows = {(r["force_id"], r["question_id"]): r for r in csv.DictReader(handle)}
    row = rows[(FORCE, "investigating-offending")]
    assert (row["has_findings"], row["has_published_judgement"]) == ("true", "false")
    assert "confirm" in row["next_step"] and row["grade"] == "Not graded" and row["state"] == ""
    other = rows[(kent_free, "investigating-offending")]
    assert (other["has_findings"], other["has_published_judgement"], other["next_step"]) == (
        "false",
        "false",
        "",
    )
