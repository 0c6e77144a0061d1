"""The inspectorate's crime-recording judgements as reference data, and which one applies to a data period.

Tests on the shipped file check rows against the pages read (each row's source_url). Every other
row here is INVENTED for the test: the forces are real ids, but the grades, figures, dates and the
example.invalid addresses are made up and say so in their notes.
"""

from __future__ import annotations

import datetime as dt

import pytest

from openpeel.core.errors import InputError, UnknownNameError
from openpeel.forces import territorial_forces
from openpeel.framework.recording_grades import (
    COLUMNS,
    RecordingJudgement,
    forces_covered,
    load_recording_grades,
    parse_recording_grades,
    recording_grades,
    recording_judgement_for,
    recording_judgements_within,
)

HEADER = ",".join(COLUMNS)
WHERE = "invented.csv"


def invented(*lines: str) -> list[RecordingJudgement]:
    """Parse INVENTED rows (each line without the trailing note, which is added here)."""
    return parse_recording_grades(
        "\n".join([HEADER, *(f"{line},invented for a test," for line in lines)]), WHERE
    )


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- The shipped file -------------------------------------------------------------------------


def test_the_shipped_file_loads_and_covers_every_force() -> None:
    rows = load_recording_grades()
    assert len(rows) >= 90
    assert forces_covered() == sorted(f.force_id for f in territorial_forces())
    # Rows from a page other than the inspectorate's say what they rest on.
    assert all(r.note for r in rows if r.source_kind != "inspectorate")
    # The rolling programme graded most forces; each graded inspectorate row names its page.
    graded = [r for r in rows if r.kind == "crime-data-integrity" and r.year >= 2016 and r.grade]
    assert len({r.force_id for r in graded}) >= 38


def test_devon_and_cornwall_2016_is_inadequate_with_its_share_unrecorded() -> None:
    [row] = [r for r in recording_grades("devon-and-cornwall") if r.inspection == "crime-data-integrity-2016"]
    assert (row.grade, row.unrecorded_pct, row.published) == ("inadequate", 18.48, "2017-02-09")
    assert (row.period_from, row.period_to) == (day("2015-12-01"), day("2016-05-31"))
    assert row.source_kind == "inspectorate" and row.is_concern
    assert row.source_url.endswith("/devon-and-cornwall-crime-data-integrity-inspection-2016/")
    # The 12 months to June 2016 contain the audited months: this judgement is their context.
    assert recording_judgement_for("devon-and-cornwall", day("2015-07-01"), day("2016-06-30")) == row
    # The 2018 re-inspection found it good: that applies to later data, not to 2016's.
    later = recording_judgement_for("devon-and-cornwall", day("2017-07-01"), day("2018-06-30"))
    assert later is not None and later.grade == "good" and later.kind == "crime-data-integrity-reinspection"


def test_kent_2014_finding_is_kept_ungraded_with_the_inspectorates_words() -> None:
    kent = {r.inspection: r for r in recording_grades("kent")}
    found = kent["crime-data-integrity-2014"]
    assert found.grade is None and found.source_kind == "inspectorate"
    assert found.note is not None and "clean bill of health" in found.note
    # The 2014 national inspection did not grade; the rolling programme's 2017 grade was inadequate.
    assert (kent["crime-data-integrity-2017"].grade, kent["crime-data-integrity-2017"].unrecorded_pct) == (
        "inadequate",
        16.4,
    )
    # For PEEL 2014's data the first finding published after the data began is the interim
    # progress report of January 2014, not the 2017 inspection of later records.
    context = recording_judgement_for("kent", day("2013-07-01"), day("2014-06-30"))
    assert context is not None and context.inspection == "crime-recording-2014"


def test_a_revised_grade_supersedes_the_first_one_published() -> None:
    staffordshire = recording_judgement_for("staffordshire", day("2015-07-01"), day("2016-06-30"))
    assert staffordshire is not None and staffordshire.grade == "good"
    # Before the revision was published, the first grade stood.
    first = recording_judgement_for(
        "staffordshire", day("2015-07-01"), day("2016-06-30"), as_of=day("2016-12-31")
    )
    assert first is not None and first.grade == "requires-improvement"


def test_unknown_force_is_named() -> None:
    with pytest.raises(UnknownNameError):
        recording_grades("atlantis")


# --- Validation (INVENTED rows) ---------------------------------------------------------------


def test_a_valid_invented_row_parses() -> None:
    [row] = invented(
        "kent,crime-data-integrity-2016,2015-01-01,2015-06-30,good,7.5,2016-02,https://example.invalid/a,press"
    )
    assert row.kind == "crime-data-integrity" and row.year == 2016
    assert row.published_on == day("2016-02-01") and row.published_by == day("2016-02-29")
    assert not row.is_concern


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        (
            "atlantis,crime-data-integrity-2016,,,good,,2016-02-01,https://example.invalid/a,press",
            "force_id",
            "force",
        ),
        (
            "kent,crime-data-integrity-2016,,,adequate,,2016-02-01,https://example.invalid/a,press",
            "grade",
            "adequate",
        ),
        ("kent,peel-2019,,,good,,2020-02-01,https://example.invalid/a,press", "inspection", "no framework"),
        ("kent,guesswork-2016,,,good,,2016-02-01,https://example.invalid/a,press", "inspection", "kind"),
        (
            "kent,crime-data-integrity-2016,,,good,,2016-02-01,https://example.invalid/a,blog",
            "source_kind",
            "blog",
        ),
        (
            "kent,crime-data-integrity-2016,,,good,120,2016-02-01,https://example.invalid/a,press",
            "unrecorded_pct",
            "100",
        ),
        (
            "kent,crime-data-integrity-2016,2015-01-01,,good,,2016-02-01,https://example.invalid/a,press",
            "period_from",
            "both",
        ),
        (
            "kent,crime-data-integrity-2016,2015-06-30,2015-01-01,good,,2016-02-01,https://example.invalid/a,press",
            "period_to",
            "ends",
        ),
        (
            "kent,crime-data-integrity-2016,2015-01-01,2016-06-30,good,,2016-02-01,https://example.invalid/a,press",
            "published",
            "before",
        ),
        (
            "kent,crime-data-integrity-2016,,,good,,2016-2-1,https://example.invalid/a,press",
            "published",
            "pattern",
        ),
        (
            "kent,crime-data-integrity-2016,,,good,,2016-02-01,example.invalid/a,press",
            "source_url",
            "pattern",
        ),
    ],
)
def test_errors_name_file_line_and_field(line: str, field: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        invented("kent,crime-data-integrity-2014,,,,,2014-11-18,https://example.invalid/ok,press", line)
    error = caught.value
    assert (error.path, error.line, error.field) == (WHERE, 3, field)
    assert message in str(error)


def test_peel_rows_use_the_cycles_grade_scale() -> None:
    [row] = invented("kent,peel-2021,,,adequate,,2022-06-01,https://example.invalid/a,press")
    assert row.grade == "adequate"


def test_wrong_columns_and_duplicates_are_rejected() -> None:
    with pytest.raises(InputError, match="expected the columns") as caught:
        parse_recording_grades("force_id,grade\nkent,good\n", WHERE)
    assert caught.value.line == 1
    same = "kent,crime-data-integrity-2016,,,good,,2016-02-01,https://example.invalid/a,press"
    with pytest.raises(InputError, match="first on line 2") as caught:
        invented(same, same)
    assert caught.value.line == 3


# --- Which judgement applies (INVENTED rows) --------------------------------------------------

INVENTED_HISTORY = (
    # A first look before the data, an audit of the data period, a later re-inspection, a revised
    # grade of that re-inspection and an undated finding: all INVENTED.
    "kent,crime-data-integrity-2014,,,,,2014-06-01,https://example.invalid/1,press",
    "kent,crime-data-integrity-2016,2015-10-01,2016-03-31,inadequate,18.0,2016-09-01,https://example.invalid/2,press",
    "kent,crime-data-integrity-reinspection-2017,2016-10-01,2017-03-31,requires-improvement,,2017-08-01,https://example.invalid/3,press",
    "kent,crime-data-integrity-reinspection-2017,2016-10-01,2017-03-31,good,,2017-11-01,https://example.invalid/4,press",
    "kent,crime-data-integrity-2019,,,outstanding,,,https://example.invalid/5,press",
)


def applies(start: str, end: str, as_of: str | None = None) -> str | None:
    rows = invented(*INVENTED_HISTORY)
    found = recording_judgement_for(
        "kent", day(start), day(end), as_of=day(as_of) if as_of else None, rows=rows
    )
    return found.source_url.rsplit("/", 1)[1] if found else None


def test_an_audit_of_the_period_applies() -> None:
    assert applies("2015-07-01", "2016-06-30") == "2"


def test_neither_an_earlier_finding_nor_an_audit_of_later_records_applies() -> None:
    # The 2014 finding came out before this data began; the 2016 audit looked at later records.
    assert applies("2014-07-01", "2015-06-30") is None


def test_later_audits_do_not_apply_and_revisions_supersede() -> None:
    # The data of 2016/17 were audited by the re-inspection, whose grade was revised to good.
    assert applies("2016-07-01", "2017-06-30") == "4"
    # Before the revision was published, the first re-inspection grade stood.
    assert applies("2016-07-01", "2017-06-30", as_of="2017-09-30") == "3"
    # Before the re-inspection, the judgement in force was the 2016 one, published after the
    # period began though its audit was of earlier records.
    assert applies("2016-07-01", "2017-06-30", as_of="2017-07-01") == "2"
    assert applies("2016-07-01", "2017-06-30", as_of="2016-08-01") is None


def test_judgements_long_after_the_period_or_undated_never_apply() -> None:
    assert applies("2013-07-01", "2014-05-31") == "1"  # published a day after this period ended
    # Without audited months, 17 months after a period is too late: crime data integrity reports
    # came out 6-10 months after the months they audited, so this one most likely audited later ones.
    assert applies("2012-01-01", "2012-12-31") is None
    assert applies("2018-01-01", "2018-12-31") is None  # only the undated 2019 row is later


def test_an_audit_of_the_period_applies_however_late_it_was_published() -> None:
    late = "kent,crime-data-integrity-2019,2016-01-01,2016-06-30,inadequate,20.0,2019-01-10,https://example.invalid/late,press"
    found = recording_judgement_for("kent", day("2015-07-01"), day("2016-06-30"), rows=invented(late))
    assert found is not None and found.source_url.endswith("/late")


def test_the_rule_on_the_shipped_file_for_2016() -> None:
    """The 12 months to June 2016: the judgements without audited months published more than a
    year later (Thames Valley and Lancashire 2017, published in 2018 and November 2017) describe
    later recording; Devon and Cornwall's audit of December 2015 to May 2016 applies."""
    start, end = day("2015-07-01"), day("2016-06-30")
    assert recording_judgement_for("thames-valley", start, end) is None
    assert recording_judgement_for("lancashire", start, end) is None
    later = recording_judgement_for("thames-valley", day("2016-07-01"), day("2017-06-30"))
    assert later is not None and later.grade == "inadequate"
    found = recording_judgement_for("devon-and-cornwall", start, end)
    assert found is not None and found.found == "under-recording"


def test_what_each_judgement_found() -> None:
    kent = {r.inspection: r for r in recording_grades("kent")}
    assert kent["crime-recording-2013"].found == "under-recording"
    assert kent["crime-recording-2014"].found == "improved"
    assert kent["crime-recording-2014"].source_kind == "inspectorate"
    assert kent["crime-data-integrity-2017"].found == "under-recording"  # graded inadequate
    assert kent["crime-data-integrity-reinspection-2018"].found == "accurate"
    # A 2014 dip-sample share is not a finding on its own; a force inspection's share is.
    avon = {r.inspection: r for r in recording_grades("avon-and-somerset")}
    assert (
        avon["crime-data-integrity-2014"].unrecorded_pct == 33
        and avon["crime-data-integrity-2014"].found is None
    )
    dyfed = {r.inspection: r for r in recording_grades("dyfed-powys")}
    assert dyfed["peel-cause-of-concern-2021"].found == "under-recording"
    # Over the two years a one-year change in PEEL 2014 spans, Kent's 2013 finding and its
    # January 2014 follow-up both apply.
    within = recording_judgements_within("kent", day("2012-07-01"), day("2014-06-30"))
    assert [r.inspection for r in within] == ["crime-recording-2013", "crime-recording-2014"]


def test_an_unknown_finding_is_refused_with_its_field() -> None:
    row = "kent,crime-recording-2014,,,,,2014-01-31,https://example.invalid/x,press,a note,better"
    with pytest.raises(InputError) as caught:
        parse_recording_grades(f"{HEADER}\n{row}\n", WHERE)
    assert caught.value.field == "finding" and caught.value.line == 2


def test_published_grades_recording_lists_and_applies_judgements() -> None:
    import json

    from typer.testing import CliRunner

    from openpeel.cli import app

    runner = CliRunner()
    listed = runner.invoke(app, ["published-grades", "--recording", "--force", "kent"])
    assert listed.exit_code == 0, listed.output
    assert "crime-recording-2014" in listed.stdout and "improved" in listed.stdout
    applied = runner.invoke(app, ["published-grades", "--recording", "--year", "2016", "--json"])
    assert applied.exit_code == 0, applied.output
    rows = {r["force_id"]: r for r in json.loads(applied.stdout)}
    assert (
        rows["devon-and-cornwall"]["grade"] == "inadequate"
        and rows["devon-and-cornwall"]["found"] == "under-recording"
    )
    assert "thames-valley" not in rows  # its 2017 report came out too long after 2016's data
