from __future__ import annotations

import csv
from pathlib import Path

import pytest

from openpeel.core.errors import UnknownNameError
from openpeel.forces import all_areas, get_force, lookup, territorial_forces


def test_43_territorial_forces_with_unique_codes() -> None:
    forces = territorial_forces()
    assert len(forces) == 43
    codes = [f.ons_code for f in forces]
    assert all(codes) and len(set(codes)) == 43
    assert {f.country for f in forces} == {"England", "Wales"}
    assert sum(f.country == "Wales" for f in forces) == 4


def test_btp_is_kept_apart() -> None:
    btp = get_force("btp")
    assert btp.kind == "special" and not btp.is_territorial
    assert btp not in territorial_forces()


@pytest.mark.parametrize(
    ("name", "force_id"),
    [
        ("northamptonshire", "northamptonshire"),
        ("Northamptonshire Police", "northamptonshire"),
        ("E23000022", "northamptonshire"),
        ("City of London10", "city-of-london"),
        ("Avon & Somerset Constabulary", "avon-and-somerset"),
        ("Metropolitan Police", "metropolitan"),
        ("Dyfed Powys Police", "dyfed-powys"),
        ("  devon AND cornwall ", "devon-and-cornwall"),
        ("Fraud: Action Fraud", "action-fraud"),
    ],
)
def test_lookup_by_any_name(name: str, force_id: str) -> None:
    assert lookup(name).force_id == force_id


def test_unknown_name_suggests_closest() -> None:
    with pytest.raises(UnknownNameError) as info:
        lookup("Northamptonshre")
    assert info.value.suggestions[0] == "northamptonshire"
    assert "did you mean 'northamptonshire'" in str(info.value)


def test_a_short_start_of_a_name_suggests_the_force() -> None:
    with pytest.raises(UnknownNameError) as info:
        lookup("met")
    assert info.value.suggestions[0] == "metropolitan"
    assert str(info.value) == "unknown force 'met'; did you mean 'metropolitan'?"


@pytest.mark.parametrize(
    "name", ["Northants Police", "northants constabulary", "Northants police force", "NORTHANTS"]
)
def test_an_added_police_or_constabulary_resolves_like_the_alias(name: str) -> None:
    assert lookup(name) == lookup("northants")


def test_a_name_made_only_of_organisation_words_is_still_unknown() -> None:
    with pytest.raises(UnknownNameError):
        lookup("police")


def test_national_fraud_bodies_are_not_forces() -> None:
    fraud = [a for a in all_areas() if a.kind == "national_fraud"]
    assert {a.force_id for a in fraud} == {"action-fraud", "cifas", "uk-finance"}


@pytest.mark.shared_data
def test_ids_and_labels_match_data_police_uk(shared_data: Path) -> None:
    with (shared_data / "police-uk-forces" / "forces.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        area = lookup(row["Label"])
        assert area.force_id == row["id"], row
    assert {r["id"] for r in rows} >= {f.force_id for f in territorial_forces()}


@pytest.mark.shared_data
def test_codes_and_regions_match_ons_population_table(shared_data: Path) -> None:
    with (shared_data / "ons" / "population" / "population_data.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["code"].startswith(("E23", "W15"))]
    assert len(rows) == 43
    for row in rows:
        force = lookup(row["code"])
        assert force.ons_name == row["name"]
