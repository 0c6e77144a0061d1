"""The catalogue as data: questions per PEEL year, new measures, their values against the sources."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from openpeel.core.errors import InputError
from openpeel.framework import available_years, load_framework
from openpeel.indicators import catalogue
from openpeel.indicators.catalogue import Catalogue, check_questions
from openpeel.indicators.query import values_by_indicator

GROUP_INDICATORS = {
    "violence_with_injury": {"Violence with injury"},
    "burglary": {
        "Domestic burglary",
        "Non-domestic burglary",
        "Residential burglary",
        "Non-residential burglary",
    },
    "vehicle_offences": {"Vehicle offences"},
    "criminal_damage": {"Criminal damage and arson"},
    "theft": {"Theft from the person", "Bicycle theft", "Shoplifting", "All other theft offences"},
    "sexual_offences": {"Sexual offences"},
    "robbery": {"Robbery"},
}


def test_every_indicator_declares_what_the_issue_asks() -> None:
    for ind in catalogue().indicators:
        assert ind.title and ind.unit and ind.source_tables and ind.sql and ind.comparability, ind.id


def test_questions_exist_in_their_frameworks_and_frameworks_agree() -> None:
    # Every indicator a framework question lists declares that question, and vice versa exists.
    for year in available_years():
        for question in load_framework(year).questions():
            for ind_id in question.primary_indicators + question.supporting_indicators:
                assert question.id in catalogue().get(ind_id).questions.get(year, ()), (
                    year,
                    question.id,
                    ind_id,
                )


def test_an_unknown_question_is_an_error_naming_the_field() -> None:
    data = catalogue().model_dump()
    data["indicators"][0]["questions"] = {2014: ["reducing-crimes"]}
    with pytest.raises(
        InputError, match=r"indicators\.0\.questions\.2014.*no question 'reducing-crimes'.*reducing-crime"
    ):
        check_questions(Catalogue.model_validate(data))
    data["indicators"][0]["questions"] = {1999: ["reducing-crime"]}
    with pytest.raises(InputError, match="no framework for PEEL 1999"):
        check_questions(Catalogue.model_validate(data))


def test_new_measures_are_in_the_catalogue() -> None:
    ids = {i.id for i in catalogue().indicators}
    for group in [*GROUP_INDICATORS, "victim_based_crime"]:
        assert {f"{group}_rate", f"{group}_change_1y_pct", f"{group}_change_4y_pct"} <= ids
    assert {"asb_rate", "asb_change_1y_pct", "officers_per_1000", "crimes_per_officer"} <= ids
    assert set(catalogue().imported_measures()) == {
        "domestic_abuse_arrests",
        "crime_recording_accuracy",
        "victim_satisfaction",
    }


@pytest.mark.shared_data
def test_offence_group_counts_match_the_ons_file(
    computed_all: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    totals: dict[tuple[str, str], int] = defaultdict(int)
    with (shared_data / "ons" / "recorded-crime-pfa" / "rec-crime-pfa.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["PFA"] == "Northamptonshire" and row["12 months ending"] in ("30-06-2014", "30-06-2010"):
                totals[(row["Offence"], row["12 months ending"])] += int(
                    row["Rolling year total number of offences"]
                )
    values = values_by_indicator(computed_all, load_framework(2014), "northamptonshire")
    for group, offences in GROUP_INDICATORS.items():
        now = sum(totals[(o, "30-06-2014")] for o in offences)
        base = sum(totals[(o, "30-06-2010")] for o in offences)
        assert values[f"{group}_rate"].numerator == now, group
        assert values[f"{group}_change_4y_pct"].numerator == now, group
        assert values[f"{group}_change_4y_pct"].denominator == base, group


def test_history_covers_every_period_of_the_sources(computed_all: duckdb.DuckDBPyConnection) -> None:
    rows = dict(
        computed_all.execute(
            "SELECT indicator_id, min(period_end)::VARCHAR || '..' || max(period_end)::VARCHAR FROM ind_values "
            "WHERE area_id = 'england-and-wales' GROUP BY 1"
        ).fetchall()
    )
    assert rows["recorded_crime_rate"] == "2003-03-31..2018-12-31"
    assert rows["asb_rate"] == "2008-03-31..2019-03-31"
    assert rows["recorded_crime_change_4y_pct"].startswith("2007-03-31")
    assert rows["officers_per_1000"] == "2014-09-30..2019-09-30"
    assert rows["crimes_per_officer"] == "2014-09-30..2018-12-31"
