"""The inspectorate's published grades as reference data: rows checked against the pages read."""

from __future__ import annotations

import datetime as dt

import pytest

from openpeel.core.errors import InputError, UnknownNameError
from openpeel.framework.loader import available_years, load_framework
from openpeel.framework.published_coverage import classify, coverage_report, coverage_table, required_areas
from openpeel.framework.published_grades import (
    COLUMNS,
    CONFLICT_COLUMNS,
    PublishedGrade,
    conflicts,
    coverage,
    grades_table,
    load_published_grades,
    parse_conflicts,
    parse_published_grades,
    published_grade,
    published_grades,
    published_years,
)
from openpeel.framework.published_records import (
    COUNT_COLUMNS,
    REVISION_COLUMNS,
    SEARCH_COLUMNS,
    Search,
    parse_grade_counts,
    parse_revisions,
    parse_searches,
    revisions,
    searches,
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


@pytest.mark.slow
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
    # No stored page names Hampshire's 2014 effectiveness grades: those rows are absent. Its
    # efficiency grade comes from local press, which says so.
    hampshire = [r for r in rows if r.force_id == "hampshire"]
    assert [(r.pillar_id, r.grade, r.source_kind) for r in hampshire] == [("efficiency", "good", "press")]
    # Lincolnshire's reducing-crime grade is stated on its 2015 page; the other two by local press.
    lincolnshire = {r.question_id: r for r in rows if r.force_id == "lincolnshire"}
    assert lincolnshire["reducing-crime"].source_url.endswith("/peel-2015/lincolnshire/effectiveness/")
    assert {q: (r.grade, r.source_kind) for q, r in lincolnshire.items() if q != "reducing-crime"} == {
        "investigating-offending": ("requires-improvement", "press"),
        "tackling-asb": ("good", "press"),
    }


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
        (None, "good"),
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
        "kind",
        "source",
    ]
    assert "kent   2015  legitimacy          outstanding" in text
    assert rows[0].as_json()["source_kind"] == "inspectorate"
    assert (
        rows[0].as_json()["source_url"]
        == "https://hmicfrs.justiceinspectorates.gov.uk/peel-assessments/peel-2015/kent/"
    )


HEADER = ",".join(COLUMNS)


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("kentt,2015,effectiveness,,good,,https://x.example/,press,", "force_id", "unknown force 'kentt'"),
        ("kent,2015,effectiveness,,splendid,,https://x.example/,press,", "grade", "no grade 'splendid'"),
        (
            "kent,2015,effectiveness,preventing-crime,good,,https://x.example/,press,",
            "pillar_id",
            "exactly one",
        ),
        (
            "kent,2015,,preventing-crme,good,,https://x.example/,press,",
            "question_id",
            "no question 'preventing-crme'",
        ),
        ("kent,2015,effectiveness,,good,,,press,", "source_url", "Input should be a valid string"),
        ("kent,2015,effectiveness,,good,,www.example.org,press,", "source_url", "should match pattern"),
        ("kent,2015,effectiveness,,good,,https://x.example/,inspectorate,", "source_kind", "exactly when"),
        (
            "kent,2015,effectiveness,,good,,https://www.justiceinspectorates.gov.uk/hmicfrs/x/,press,",
            "source_kind",
            "exactly when",
        ),
        ("kent,2015,effectiveness,,good,,https://x.example/,blog,", "source_kind", "Input should be"),
        ("kent,2014,,,good,,https://x.example/,press,", "year", "row is for 2014"),
        ("kent,2015,effectiveness,,good,2015-13-01,https://x.example/,press,", "published", "valid date"),
    ],
)
def test_errors_name_file_line_and_field(line: str, field: str, message: str) -> None:
    text = f"{HEADER}\nkent,2015,legitimacy,,good,,https://x.example/,press,\n{line}\n"
    with pytest.raises(InputError) as caught:
        parse_published_grades(text, "test.csv", 2015)
    error = caught.value
    assert (error.path, error.line, error.field) == ("test.csv", 3, field)
    assert message in error.reason


def test_a_2014_question_not_graded_and_a_pillar_without_overall_grade_are_rejected() -> None:
    with pytest.raises(InputError, match="is not graded"):
        parse_published_grades(
            f"{HEADER}\nkent,2014,,protecting-vulnerable,good,,https://x.example/,press,\n", "t", 2014
        )
    with pytest.raises(InputError, match="has no overall grade"):
        parse_published_grades(
            f"{HEADER}\nkent,2014,legitimacy,,good,,https://x.example/,press,\n", "t", 2014
        )


def test_duplicates_and_wrong_header_are_rejected() -> None:
    row = "kent,2015,legitimacy,,good,,https://x.example/,press,"
    with pytest.raises(InputError, match="first on line 2"):
        parse_published_grades(f"{HEADER}\n{row}\n{row}\n", "t", 2015)
    with pytest.raises(InputError, match="expected the columns"):
        parse_published_grades("force,year\n", "t", 2015)
    with pytest.raises(InputError, match="more cells than the 9 columns") as caught:
        parse_published_grades(f"{HEADER}\n{row}a note, with a comma,\n", "t", 2015)
    assert (caught.value.line, caught.value.field) == (2, "note")


def test_five_tier_grades_are_accepted_from_2021() -> None:
    row = published_grade("merseyside", 2023, "responding-to-public")
    assert row is not None and row.grade == "adequate"
    with pytest.raises(InputError, match="no grade 'adequate'"):
        parse_published_grades(
            f"{HEADER}\nkent,2015,legitimacy,,adequate,,https://x.example/,press,\n", "t", 2015
        )


# Counts, revisions, searches and coverage. Every grade, count, date and force pairing in the texts
# below is INVENTED for the test; none is a published grade.
COUNT_HEADER = ",".join(COUNT_COLUMNS)
REVISION_HEADER = ",".join(REVISION_COLUMNS)
INVENTED_2023 = [
    f"kent,2023,,{q},good,,https://x.example/invented,press,invented"
    for q in (
        "preventing-crime",
        "responding-to-public",
        "investigating-crime",
        "protecting-vulnerable",
        "managing-offenders",
        "positive-workplace",
        "leadership-and-management",
        "public-treatment",
    )
] + ["essex,2023,,preventing-crime,adequate,,https://x.example/invented,press,invented"]


def _invented_table() -> list[PublishedGrade]:
    return parse_published_grades("\n".join([HEADER, *INVENTED_2023]) + "\n", "invented.csv", 2023)


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("kentt,2023,1,4,2,1,0,https://x.example/,press,", "force_id", "unknown force 'kentt'"),
        ("kent,2019,1,4,2,1,0,https://x.example/,press,", "year", "no PEEL cycle starts in 2019"),
        ("kent,2023,one,4,2,1,0,https://x.example/,press,", "outstanding", "valid integer"),
        ("kent,2023,-1,4,2,1,0,https://x.example/,press,", "outstanding", "greater than or equal to 0"),
        ("kent,2023,1,4,,1,0,https://x.example/,press,", "adequate", "must be given"),
        ("kent,2015,1,2,1,0,0,https://x.example/,press,", "adequate", "is not a grade of PEEL 2015"),
        (
            "kent,2023,9,4,2,1,0,https://x.example/,press,",
            "outstanding",
            "add up to 16; PEEL 2023-25 grades at most 10",
        ),
        ("kent,2023,1,4,2,1,0,https://x.example/,inspectorate,", "source_kind", "exactly when"),
        # The invented table names eight good grades for Kent; a source counting four cannot agree.
        ("kent,2023,1,4,2,1,0,https://x.example/,press,", "good", "names 8 good grades"),
    ],
)
def test_bad_count_rows_name_file_line_and_field(line: str, field: str, message: str) -> None:
    text = f"{COUNT_HEADER}\nessex,2023,0,3,4,2,0,https://x.example/,press,invented\n{line}\n"
    with pytest.raises(InputError) as caught:
        parse_grade_counts(text, "grade-counts.csv", {2023: _invented_table()})
    error = caught.value
    assert (error.path, error.line, error.field) == ("grade-counts.csv", 3, field)
    assert message in error.reason


def test_a_revision_must_end_at_the_grade_the_table_holds() -> None:
    table = {2023: _invented_table()}
    good = (
        "kent,2023,,investigating-crime,adequate,2024-01-10,good,2024-03-01,invented,https://x.example/,press"
    )
    assert parse_revisions(f"{REVISION_HEADER}\n{good}\n", "revisions.csv", table)[0].grade_after == "good"
    wrong = (
        "kent,2023,,investigating-crime,good,2024-01-10,adequate,2024-03-01,invented,https://x.example/,press"
    )
    with pytest.raises(InputError, match="the table holds 'good'") as caught:
        parse_revisions(f"{REVISION_HEADER}\n{wrong}\n", "revisions.csv", table)
    assert (caught.value.path, caught.value.line, caught.value.field) == ("revisions.csv", 2, "grade_after")
    absent = "essex,2023,,investigating-crime,good,,adequate,2024-03-01,invented,https://x.example/,press"
    with pytest.raises(InputError, match="holds no grade"):
        parse_revisions(f"{REVISION_HEADER}\n{absent}\n", "revisions.csv", table)
    # Two revisions of one area chain in date order: the second starts where the first ended.
    first = "kent,2023,,investigating-crime,inadequate,,adequate,2024-02-01,invented,https://x.example/,press"
    broken = "kent,2023,,investigating-crime,inadequate,,good,2024-03-01,invented,https://x.example/,press"
    with pytest.raises(InputError, match="the grade before this revision is 'adequate'") as caught:
        parse_revisions(f"{REVISION_HEADER}\n{first}\n{broken}\n", "revisions.csv", table)
    assert (caught.value.line, caught.value.field) == (3, "grade_before")
    same = "kent,2023,,investigating-crime,good,,good,2024-03-01,invented,https://x.example/,press"
    with pytest.raises(InputError, match="changes the grade"):
        parse_revisions(f"{REVISION_HEADER}\n{same}\n", "revisions.csv", table)
    no_date = "kent,2023,,investigating-crime,adequate,,good,,invented,https://x.example/,press"
    with pytest.raises(InputError) as caught:
        parse_revisions(f"{REVISION_HEADER}\n{no_date}\n", "revisions.csv", table)
    assert (caught.value.line, caught.value.field) == (2, "revised_on")


def test_searches_name_their_queries_once_per_force_and_cycle() -> None:
    header = ",".join(SEARCH_COLUMNS)
    rows = parse_searches(f"{header}\nkent,2023,not-found,kent peel | kent grades,invented\n", "s.csv")
    assert rows[0].queries == ["kent peel", "kent grades"]
    for line, field in [
        ("kent,2023,lost,kent peel,", "outcome"),
        ("kent,2023,not-found, | ,", "searched"),
        ("kent,2020,not-found,kent peel,", "year"),
    ]:
        with pytest.raises(InputError) as caught:
            parse_searches(f"{header}\n{line}\n", "s.csv")
        assert (caught.value.path, caught.value.line, caught.value.field) == ("s.csv", 2, field)
    twice = "kent,2023,not-found,kent peel,"
    with pytest.raises(InputError, match="first on line 2"):
        parse_searches(f"{header}\n{twice}\n{twice}\n", "s.csv")


def test_coverage_classifies_an_invented_table() -> None:
    framework = load_framework(2023)
    table = _invented_table()
    counts = parse_grade_counts(
        f"{COUNT_HEADER}\ndurham,2023,1,4,3,1,0,https://x.example/,press,invented\n", "c.csv", {2023: table}
    )
    # Kent: every area graded in every report; the regional and crime-recording areas are not required.
    kent = classify(framework, "kent", table, counts)
    assert (kent.status, kent.missing, kent.source_kinds) == ("complete", (), ("press",))
    essex = classify(framework, "essex", table, counts)
    assert essex.status == "partial" and essex.graded == ("preventing-crime",)
    assert "responding-to-public" in essex.missing and "serious-organised-crime" not in essex.missing
    durham = classify(framework, "durham", table, counts)
    assert durham.status == "counts-only" and durham.counts[0].counts()["good"] == 4
    assert classify(framework, "dorset", table, counts).status == "not-found"
    assert "serious-organised-crime" not in required_areas(framework)
    assert "leadership-and-management" in required_areas(framework)


def test_shipped_coverage_lists_every_force_for_every_cycle() -> None:
    rows = coverage_report()
    for year in available_years():
        assert len([r for r in rows if r.year == year]) == 43, year
    text = coverage_table(rows)
    assert "PEEL 2023-25: " in text and "PEEL 2025-27: " in text
    # Every gap in the recent cycles says what was searched.
    recorded = {(s.force_id, s.year) for s in searches()}
    for r in rows:
        if r.year >= 2021 and r.status != "complete":
            assert (r.force_id, r.year) in recorded, (r.force_id, r.year)


def test_a_search_must_agree_with_the_tables() -> None:
    from openpeel.framework import published_coverage

    wrong = Search(force_id="merseyside", year=2023, outcome="not-found", searched="invented query")
    original = published_coverage.searches
    published_coverage.searches = lambda: (wrong,)  # type: ignore[assignment]
    try:
        with pytest.raises(InputError, match="the tables show 'complete'"):
            published_coverage.cycle_coverage(2023)
    finally:
        published_coverage.searches = original  # type: ignore[assignment]


def test_northamptonshire_2023_keeps_both_responding_grades() -> None:
    (revision,) = [r for r in revisions() if r.force_id == "northamptonshire" and r.year == 2023]
    assert (revision.question_id, revision.grade_before, revision.grade_after) == (
        "responding-to-public",
        "adequate",
        "requires-improvement",
    )
    assert revision.revised_on == dt.date(2024, 8, 8)
    current = published_grade("northamptonshire", 2023, "responding-to-public")
    assert current is not None and current.grade == revision.grade_after


def test_a_conflict_keeping_another_kind_over_the_inspectorate_is_refused() -> None:
    header = ",".join(CONFLICT_COLUMNS)
    used = published_grade("merseyside", 2023, "investigating-crime")
    assert used is not None
    line = (
        f"merseyside,2023,,investigating-crime,{used.grade},{used.source_url},commissioner,good,"
        "https://hmicfrs.justiceinspectorates.gov.uk/invented/,inspectorate,invented"
    )
    with pytest.raises(InputError, match="inspectorate's own page comes first") as caught:
        parse_conflicts(f"{header}\n{line}\n", "conflicts.csv")
    assert (caught.value.path, caught.value.line, caught.value.field) == (
        "conflicts.csv",
        2,
        "source_kind_used",
    )
