"""Every PEEL cycle's framework file, the --year parser and the crosswalks between cycles."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from pydantic import ValidationError

from openpeel.core.errors import UnknownNameError
from openpeel.framework import (
    Framework,
    available_years,
    comparable_with_previous,
    load_framework,
    mapping_into,
    parse_year,
)
from openpeel.framework.models import GradeLevel, Question

CYCLES = {
    2014: "PEEL 2014",
    2015: "PEEL 2015",
    2016: "PEEL 2016",
    2017: "PEEL 2017",
    2018: "PEEL 2018/19",
    2021: "PEEL 2021/22",
    2023: "PEEL 2023-25",
    2025: "PEEL 2025-27",
}


def test_every_cycle_has_a_framework_with_its_label() -> None:
    assert available_years() == sorted(CYCLES)
    assert {y: load_framework(y).label for y in available_years()} == CYCLES


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2018", 2018),
        ("2018/19", 2018),
        ("2021", 2021),
        ("2021/22", 2021),
        ("2023", 2023),
        ("2023-25", 2023),
        ("2025", 2025),
        ("2025-27", 2025),
        ("PEEL 2018/19", 2018),
        (" 2023–25 ", 2023),
        ("2014", 2014),
        (2015, 2015),
    ],
)
def test_parse_year_accepts_the_cycle_spellings(text: str | int, year: int) -> None:
    assert parse_year(text) == year


def test_parse_year_lists_the_cycles_for_an_unknown_name() -> None:
    with pytest.raises(UnknownNameError) as caught:
        parse_year("2019/20")
    assert caught.value.suggestions == [
        "2014",
        "2015",
        "2016",
        "2017",
        "2018/19",
        "2021/22",
        "2023-25",
        "2025-27",
    ]
    assert "unknown PEEL cycle '2019/20'" in str(caught.value)


def test_four_tiers_to_2018_and_five_with_adequate_from_2021() -> None:
    for year in available_years():
        ids = [g.id for g in sorted(load_framework(year).grade_scale, key=lambda g: g.rank)]
        if year <= 2018:
            assert ids == ["outstanding", "good", "requires-improvement", "inadequate"]
        else:
            assert ids == ["outstanding", "good", "adequate", "requires-improvement", "inadequate"]
            assert all(g.definition and g.definition_source for g in load_framework(year).grade_scale)
    assert load_framework(2021).grade("adequate").summary_verb == "is adequate at"


def test_effectiveness_comes_first_in_every_cycle() -> None:
    # The force report renders the first pillar and the rubric grades effectiveness by default.
    for year in available_years():
        assert load_framework(year).pillars[0].id == "effectiveness"


def test_2016_to_2018_pillars_and_questions() -> None:
    fw16, fw18 = load_framework(2016), load_framework(2018)
    assert all(p.has_overall_grade for p in fw16.pillars) and all(p.has_overall_grade for p in fw18.pillars)
    assert [q.id for q in fw16.pillar("efficiency").questions] == [
        "understanding-demand",
        "use-of-resources",
        "planning-for-future",
    ]
    assert len(fw18.questions()) == 10  # the inspectorate's 2018/19 table: three pillars, ten questions
    assert not fw18.question("specialist-capabilities").graded
    assert fw18.pillar("efficiency").section_title.startswith("How efficiently does the force operate")


def test_unconfirmed_wording_is_marked_with_a_note() -> None:
    assert load_framework(2016).question("preventing-crime").wording_confirmed
    unconfirmed = load_framework(2016).question("understanding-demand")
    assert not unconfirmed.wording_confirmed and unconfirmed.wording_note
    # PEEL 2025-27 is checked only in part: its first core question's wording is confirmed, the rest
    # are carried forward from 2023-25 and say so.
    fw25 = load_framework(2025)
    assert [q.id for q in fw25.questions() if q.wording_confirmed] == ["leadership-and-management"]
    assert fw25.question("leadership-and-management").source
    assert all(q.wording_note for q in fw25.questions() if not q.wording_confirmed)
    with pytest.raises(ValidationError, match="unconfirmed wording needs a wording_note"):
        Question.model_validate(
            {"id": "x", "text": "?", "graded": False, "inspection_kinds": ["k"], "wording_confirmed": False}
        )


def test_a_grade_definition_needs_its_source() -> None:
    with pytest.raises(ValidationError, match="definition needs its definition_source"):
        GradeLevel.model_validate(
            {
                "id": "good",
                "label": "Good",
                "rank": 2,
                "summary_verb": "is good at",
                "definition": "substantially all",
            }
        )


def test_later_cycles_say_their_data_periods_are_beyond_the_bundled_statistics() -> None:
    for year in (2021, 2023, 2025):
        periods = load_framework(year).data_periods
        assert periods and not any(p.in_bundled_data for p in periods.values())
    assert all(p.in_bundled_data for p in load_framework(2018).data_periods.values())
    assert load_framework(2018).data_periods["recorded_crime"].period_end <= dt.date(2018, 12, 31)


def test_cycle_must_start_with_the_year() -> None:
    data = load_framework(2018).model_dump(mode="json")
    data["cycle"] = "2019/20"
    with pytest.raises(ValidationError, match="must start with the year 2018"):
        Framework.model_validate(data)


def test_every_cycle_after_2014_has_a_complete_crosswalk() -> None:
    years = available_years()
    assert mapping_into(years[0]) is None
    for earlier, later in itertools.pairwise(years):
        mapping = mapping_into(later)
        assert mapping is not None and mapping.from_year == earlier
        assert {link.to for link in mapping.questions} == {q.id for q in load_framework(later).questions()}


def test_relations_are_computed_from_the_crosswalk() -> None:
    m16, m18, m21 = mapping_into(2016), mapping_into(2018), mapping_into(2021)
    assert m16 is not None and m18 is not None and m21 is not None
    # 2016 asked the 2015 effectiveness questions in slightly different words.
    assert m16.relation("preventing-crime") == "reworded"
    assert m16.relation("investigating-crime") == "reworded"
    assert m16.relation("fairness-to-public") == "merged"  # with 2015's stop and search and Taser
    assert [d.id for d in m16.dropped] == ["crime-recording"]
    assert m16.relation("understanding-demand") == "split"
    assert m16.relation("planning-for-future") == "merged"
    assert m16.relation("specialist-capabilities") == "new"
    assert m18.relation("meeting-demand") == "merged"
    assert [d.id for d in m21.dropped] == ["specialist-capabilities"]


def test_comparable_with_previous_cycle() -> None:
    assert comparable_with_previous(2017, "preventing-crime")
    assert comparable_with_previous(2016, "preventing-crime")
    assert not comparable_with_previous(2016, "fairness-to-public")  # 2015 asked two questions
    assert not comparable_with_previous(2016, "ethical-workforce")  # part of 2015's ethical culture
    assert not comparable_with_previous(2016, "understanding-demand")  # partly comparable
    assert not comparable_with_previous(2015, "protecting-vulnerable")  # not graded in 2014
    assert not comparable_with_previous(2017, "specialist-capabilities")  # graded in neither
    # The inspectorate says five-tier grades do not compare with earlier cycles'.
    assert not any(comparable_with_previous(2021, q.id) for q in load_framework(2021).questions())
    assert not any(comparable_with_previous(2023, q.id) for q in load_framework(2023).questions())
    assert not comparable_with_previous(2014, "reducing-crime")


def test_2025_27_replaces_the_victim_service_assessment_with_the_quality_of_service_review() -> None:
    fw25 = load_framework(2025)
    ids = [q.id for q in fw25.questions()]
    assert "victim-service" not in ids and "quality-of-service" in ids
    mapping = mapping_into(2025)
    assert mapping is not None
    link = next(link for link in mapping.questions if link.to == "quality-of-service")
    assert link.from_ == ("victim-service",)


def test_2021_22_areas_graded_only_in_some_reports_are_marked() -> None:
    fw21 = load_framework(2021)
    partial = {q.id for q in fw21.questions() if q.graded and not q.graded_in_every_report}
    assert partial == {"victim-service", "serious-organised-crime", "workforce-corruption", "recording-data"}
    assert fw21.question("victim-service").source
    mapping = mapping_into(2023)
    assert mapping is not None and [d.id for d in mapping.dropped] == ["workforce-corruption"]
