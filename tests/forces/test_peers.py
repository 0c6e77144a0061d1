"""Peer groups: the shipped regional groups and an imported most-similar-groups file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from openpeel.core.errors import InputError
from openpeel.forces.peers import (
    check_regional_groups,
    import_most_similar,
    parse_most_similar,
    peers_of,
    regional_groups,
)
from openpeel.framework import load_framework
from openpeel.indicators.compute import compute_indicators
from openpeel.indicators.query import values_by_indicator
from openpeel.ingest.official_statistics import load_official_statistics
from openpeel.warehouse import connect


def test_regional_groups_cover_the_43_forces_once() -> None:
    check_regional_groups()
    groups = regional_groups()
    assert set(groups["Wales"]) == {"dyfed-powys", "gwent", "north-wales", "south-wales"}
    assert len(groups) == 10
    assert sum(len(m) for m in groups.values()) == 43


def test_most_similar_file_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "msg.csv"
    path.write_text(
        "force,peer\nNorthamptonshire,Bedfordshire\nNorthamptonshire,Northants\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"msg.csv, line 3, field 'peer': a force cannot be its own peer"):
        parse_most_similar(path)
    path.write_text("force,peer\nNorthamptonshire,Bedfordshir\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2, field 'peer': unknown force 'Bedfordshir'.*bedfordshire"):
        parse_most_similar(path)
    path.write_text("force,peers\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1: missing column\(s\) peer"):
        parse_most_similar(path)


@pytest.mark.slow
def test_an_imported_set_is_preferred_and_reruns_the_comparison(tmp_path: Path) -> None:
    con: duckdb.DuckDBPyConnection = connect(":memory:")
    load_official_statistics(con, None)
    compute_indicators(con, ["recorded_crime_rate"])
    path = tmp_path / "msg.csv"
    peers = ["Bedfordshire", "Cambridgeshire", "Leicestershire", "Nottinghamshire", "Staffordshire"]
    path.write_text("force,peer\n" + "".join(f"Northamptonshire,{p}\n" for p in peers), encoding="utf-8")
    assert import_most_similar(con, path) == 5
    assert peers_of(con, "northamptonshire", "most-similar") == (
        "bedfordshire",
        "cambridgeshire",
        "leicestershire",
        "nottinghamshire",
        "staffordshire",
    )
    compute_indicators(con, ["recorded_crime_rate"])
    value = values_by_indicator(con, load_framework(2014), "northamptonshire")["recorded_crime_rate"]
    assert value.peer_set == "most-similar" and value.peer_count == 5
    assert value.peer_group == "most similar to Northamptonshire"
    # Kent has no most-similar group in the file: its regional peers stay in use.
    kent = values_by_indicator(con, load_framework(2014), "kent")["recorded_crime_rate"]
    assert kent.peer_set == "region"
    with pytest.raises(InputError, match="reserved"):
        import_most_similar(con, path, peer_set="region")
