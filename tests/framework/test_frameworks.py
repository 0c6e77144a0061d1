from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from openpeel.errors import UnknownNameError
from openpeel.framework import Framework, available_years, load_framework
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
    assert len(fw.questions()) == 4 and all(q.graded for q in fw.questions())
    assert fw.pillar("effectiveness").has_overall_grade


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
