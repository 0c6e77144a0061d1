from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from openpeel.core.errors import UnknownNameError
from openpeel.framework import Framework, available_years, load_framework, mapping_into
from openpeel.framework.loader import _files
from openpeel.indicators import catalogue


def test_2014_has_six_effectiveness_questions_three_graded() -> None:
    fw = load_framework(2014)
    questions = fw.pillar("effectiveness").questions
    assert [q.text for q in questions] == [
        "How effective is the force at reducing crime and preventing offending?",
        "How effective is the force at investigating offending?",
        "How effective is the force at tackling anti-social behaviour?",
        "How effective is the force at protecting those at greatest risk of harm?",
        "How effective is the force at tackling serious, organised and complex crime?",
        "How effective is the force at meeting its commitments under the Strategic Policing Requirement?",
    ]
    assert [q.graded for q in questions] == [True, True, True, False, False, False]
    assert [g.label for g in fw.grade_scale] == ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    assert fw.data_periods["recorded_crime"].period_end.isoformat() == "2014-06-30"
    assert fw.grade("requires-improvement").summary_verb == "requires improvement at"


def test_2015_has_four_graded_questions() -> None:
    fw = load_framework(2015)
    effectiveness = fw.pillar("effectiveness").questions
    assert len(effectiveness) == 4 and all(q.graded for q in effectiveness)
    assert fw.pillar("effectiveness").has_overall_grade


def test_both_years_hold_all_three_pillars() -> None:
    fw14, fw15 = load_framework(2014), load_framework(2015)
    assert [p.id for p in fw14.pillars] == ["effectiveness", "efficiency", "legitimacy"]
    assert [p.id for p in fw15.pillars] == ["effectiveness", "efficiency", "legitimacy"]
    assert fw14.pillar("efficiency").section_title == "How well the force delivers value for money"
    assert all(q.graded for q in fw14.pillar("efficiency").questions)
    assert not any(q.graded for q in fw14.pillar("legitimacy").questions)
    assert all(p.has_overall_grade for p in fw15.pillars)
    # PEEL 2015 graded every question but legitimacy's question on crime recording.
    assert [q.id for q in fw15.questions() if not q.graded] == ["crime-recording"]
    assert [q.text for q in fw15.pillar("efficiency").questions] == [
        "How well does the force use its resources to meet its demand?",
        "How sustainable and affordable is the workforce model?",
        "How sustainable is the force's financial position for the short and long term?",
    ]


def test_2015_question_texts_are_the_inspectorates_2015_list_with_sources() -> None:
    fw15, fw16 = load_framework(2015), load_framework(2016)
    assert fw15.question("preventing-crime").text == (
        "How effective is the force at preventing crime and anti-social behaviour, and keeping people safe?"
    )
    assert fw15.question("investigating-crime").text.endswith("investigating crime and managing offenders?")
    assert [q.id for q in fw15.pillar("legitimacy").questions] == [
        "ethical-culture",
        "crime-recording",
        "fairness-to-public",
        "stop-search-taser",
    ]
    for question in fw15.questions():
        assert question.wording_confirmed and question.wording_note
        assert "justiceinspectorates.gov.uk" in question.wording_note
        # 2015 was asked in its own words, not 2016's.
        if question.id in {q.id for q in fw16.questions()}:
            assert question.text != fw16.question(question.id).text


def test_2014_to_2015_mapping_accounts_for_every_question() -> None:
    mapping = mapping_into(2015)
    assert mapping is not None and mapping.from_year == 2014
    assert {link.to for link in mapping.questions} == {q.id for q in load_framework(2015).questions()}
    assert mapping.relation("preventing-crime") == "merged and split"
    assert mapping.relation("financial-position") == "same"
    assert mapping.relation("fairness-to-public") == "new"
    assert mapping_into(2014) is None


def test_mapping_naming_an_unknown_question_is_rejected() -> None:
    from importlib import resources

    from openpeel.framework.mapping import QuestionMapping

    text = resources.files("openpeel.framework").joinpath("mappings", "peel-2014-to-2015.yaml").read_text()
    data = yaml.safe_load(
        text.replace("from: [reducing-crime, tackling-asb]", "from: [reducing-crme, tackling-asb]")
    )
    with pytest.raises(ValidationError, match=r"unknown 2014 question\(s\): \['reducing-crme'\]"):
        QuestionMapping.model_validate(data)


def test_indicators_named_by_frameworks_exist() -> None:
    ids = {i.id for i in catalogue().indicators}
    for year in available_years():
        for q in load_framework(year).questions():
            assert set(q.primary_indicators + q.supporting_indicators) <= ids


def raw(year: int) -> dict[str, object]:
    from importlib import resources

    text = resources.files("openpeel.framework").joinpath("years", _files()[year]).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def test_unknown_keys_are_rejected() -> None:
    data = raw(2014)
    data["colour"] = "blue"
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Framework.model_validate(data)


def test_a_graded_question_needs_its_summary_phrase() -> None:
    data = raw(2014)
    question = data["pillars"][0]["questions"][0]  # type: ignore[index]
    del question["summary_phrase"]
    with pytest.raises(ValidationError, match="needs a summary_phrase"):
        Framework.model_validate(data)


def test_unknown_inspection_kind_is_rejected() -> None:
    data = raw(2014)
    data["pillars"][0]["questions"][0]["inspection_kinds"] = ["crime-inspektion"]  # type: ignore[index]
    with pytest.raises(ValidationError, match="unknown inspection kind"):
        Framework.model_validate(data)


def test_unknown_year() -> None:
    with pytest.raises(UnknownNameError, match="unknown PEEL year '2013'"):
        load_framework(2013)
