"""The inspectorate's published grades as reference data: rows checked against the pages read."""

from __future__ import annotations

import pytest

from openpeel.core.errors import InputError, UnknownNameError
from openpeel.framework.published_grades import (
    COLUMNS,
    conflicts,
    coverage,
    grades_table,
    load_published_grades,
    parse_published_grades,
    published_grade,
    published_grades,
    published_years,
)

# Grades read on the inspectorate's force pages (the source_url of each row).
SAMPLE = [
    ("kent", 2014, "reducing-crime", "good"),
    ("durham", 2014, "investigating-offending", "outstanding"),
    ("durham", 2014, "tackling-asb", "outstanding"),
    ("norfolk", 2014, "reducing-crime", "outstanding"),
    ("gwent", 2014, "tackling-asb", "requires-improvement"),
    ("cleveland", 2014, "tackling-asb", "requires-improvement"),
    ("avon-and-somerset", 2014, "efficiency", "outstanding"),
    ("kent", 2015, "legitimacy", "outstanding"),
    ("humberside", 2015, "efficiency", "inadequate"),
    ("devon-and-cornwall", 2015, "effectiveness", "good"),
    ("bedfordshire", 2016, "effectiveness", "inadequate"),
    ("derbyshire", 2016, "legitimacy", "outstanding"),
    ("durham", 2017, "effectiveness", "outstanding"),
    ("kent", 2017, "understanding-demand", "outstanding"),
    ("cleveland", 2018, "efficiency", "inadequate"),
    ("northamptonshire", 2018, "efficiency", "inadequate"),
    ("dyfed-powys", 2018, "preventing-crime", "requires-improvement"),
]


@pytest.mark.parametrize(("force", "year", "target", "grade"), SAMPLE)
def test_sample_rows_match_the_pages_read(force: str, year: int, target: str, grade: str) -> None:
    row = published_grade(force, year, target)
    assert row is not None and row.grade == grade


def test_every_row_has_a_source_on_a_page() -> None:
    rows = published_grades()
    assert len(rows) > 700
    assert all(r.source_url.startswith(("https://", "http://")) for r in rows)
    inspectorate = [r for r in rows if "justiceinspectorates.gov.uk" in r.source_url]
    # Rows from other pages (a commissioner's office, a republished press release) say so.
    assert all(r.note for r in rows if r not in inspectorate)


def test_coverage_per_cycle() -> None:
    c14 = coverage(2014)
    assert min(c14["reducing-crime"], c14["investigating-offending"], c14["tackling-asb"]) >= 41
    c15 = coverage(2015)
    assert min(c15["effectiveness"], c15["efficiency"], c15["legitimacy"]) == 43
    for year in (2016, 2017, 2018):
        with_pillar_grade = {r.force_id for r in load_published_grades(year) if r.pillar_id}
        assert len(with_pillar_grade) >= 40, year
    assert published_years() == [2014, 2015, 2016, 2017, 2018, 2021, 2023]


def test_2014_gaps_are_absent_rows_not_guesses() -> None:
    rows = load_published_grades(2014)
    assert not [r for r in rows if r.force_id == "hampshire"]
    # Lincolnshire's 2014 reducing-crime grade is stated on its 2015 page; its other two are not found.
    lincolnshire = [r for r in rows if r.force_id == "lincolnshire"]
    assert [(r.question_id, r.grade) for r in lincolnshire] == [("reducing-crime", "good")]
    assert lincolnshire[0].source_url.endswith("/peel-2015/lincolnshire/effectiveness/")


def test_the_cheshire_2014_conflict_is_recorded_with_the_grade_used() -> None:
    found = {(c.force_id, c.year, c.question_id): c for c in conflicts()}
    conflict = found[("cheshire", 2014, "reducing-crime")]
    assert (conflict.grade_used, conflict.other_grade) == ("good", "requires-improvement")
    assert conflict.source_used.endswith("/peel-2014/cheshire/effectiveness")
    assert conflict.other_source.endswith("/peel-2014/cheshire/")
    row = published_grade("cheshire", 2014, "reducing-crime")
    assert row is not None and row.source_url == conflict.source_used


def test_filter_by_force_and_unknown_force() -> None:
    rows = published_grades(2015, "kent")
    assert [(r.pillar_id, r.grade) for r in rows] == [
        ("effectiveness", "good"),
        ("efficiency", "good"),
        ("legitimacy", "outstanding"),
    ]
    with pytest.raises(UnknownNameError):
        published_grades(2015, "kentt")


def test_table_and_json() -> None:
    rows = published_grades(2015, "kent")
    text = grades_table(rows)
    assert text.splitlines()[0].split() == [
        "force",
        "year",
        "pillar",
        "or",
        "question",
        "grade",
        "published",
        "source",
    ]
    assert "kent   2015  legitimacy          outstanding" in text
    assert (
        rows[0].as_json()["source_url"]
        == "https://hmicfrs.justiceinspectorates.gov.uk/peel-assessments/peel-2015/kent/"
    )


HEADER = ",".join(COLUMNS)


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("kentt,2015,effectiveness,,good,,https://x.example/,", "force_id", "unknown force 'kentt'"),
        ("kent,2015,effectiveness,,splendid,,https://x.example/,", "grade", "no grade 'splendid'"),
        ("kent,2015,effectiveness,preventing-crime,good,,https://x.example/,", "pillar_id", "exactly one"),
        (
            "kent,2015,,preventing-crme,good,,https://x.example/,",
            "question_id",
            "no question 'preventing-crme'",
        ),
        ("kent,2015,effectiveness,,good,,,", "source_url", "Input should be a valid string"),
        ("kent,2015,effectiveness,,good,,www.example.org,", "source_url", "should match pattern"),
        ("kent,2014,,,good,,https://x.example/,", "year", "row is for 2014"),
        ("kent,2015,effectiveness,,good,2015-13-01,https://x.example/,", "published", "valid date"),
    ],
)
def test_errors_name_file_line_and_field(line: str, field: str, message: str) -> None:
    text = f"{HEADER}\nkent,2015,legitimacy,,good,,https://x.example/,\n{line}\n"
    with pytest.raises(InputError) as caught:
        parse_published_grades(text, "test.csv", 2015)
    error = caught.value
    assert (error.path, error.line, error.field) == ("test.csv", 3, field)
    assert message in error.reason


def test_a_2014_question_not_graded_and_a_pillar_without_overall_grade_are_rejected() -> None:
    with pytest.raises(InputError, match="is not graded"):
        parse_published_grades(
            f"{HEADER}\nkent,2014,,protecting-vulnerable,good,,https://x.example/,\n", "t", 2014
        )
    with pytest.raises(InputError, match="has no overall grade"):
        parse_published_grades(f"{HEADER}\nkent,2014,legitimacy,,good,,https://x.example/,\n", "t", 2014)


def test_duplicates_and_wrong_header_are_rejected() -> None:
    row = "kent,2015,legitimacy,,good,,https://x.example/,"
    with pytest.raises(InputError, match="first on line 2"):
        parse_published_grades(f"{HEADER}\n{row}\n{row}\n", "t", 2015)
    with pytest.raises(InputError, match="expected the columns"):
        parse_published_grades("force,year\n", "t", 2015)


def test_five_tier_grades_are_accepted_from_2021() -> None:
    row = published_grade("merseyside", 2023, "responding-to-public")
    assert row is not None and row.grade == "adequate"
    with pytest.raises(InputError, match="no grade 'adequate'"):
        parse_published_grades(f"{HEADER}\nkent,2015,legitimacy,,adequate,,https://x.example/,\n", "t", 2015)


def test_latest_published_is_the_most_recent_cycle_of_each_force() -> None:
    from openpeel.framework.published_grades import latest_published

    latest = latest_published()
    assert len(latest) == 43
    kent = latest["kent"]
    assert (kent.year, kent.text) == (2018, f"Effectiveness: {kent.label} (PEEL 2018/19)")
    # Where the latest cycle grades questions only, the summary counts the most frequent grade.
    northants = latest["northamptonshire"]
    rows = [r for r in published_grades(northants.year) if r.force_id == "northamptonshire"]
    assert northants.year == max(r.year for r in published_grades(force="northamptonshire"))
    assert northants.text.endswith(
        f"of {len(rows)} question{'' if len(rows) == 1 else 's'} graded (PEEL 2023-25)"
    )
