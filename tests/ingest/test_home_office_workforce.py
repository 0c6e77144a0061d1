"""Home Office police workforce tables: officers (FTE) by force, from the .ods editions."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from openpeel.core.errors import InputError
from openpeel.ingest import bundled
from openpeel.ingest.home_office_workforce import FOLDER, parse_edition, parse_workforce
from openpeel.ingest.official_statistics import load_official_statistics, write_bundle_from


@pytest.mark.shared_data
def test_every_edition_gives_43_forces_and_btp_at_three_dates(shared_data: Path) -> None:
    rows, editions = parse_workforce(shared_data)
    assert len(editions) == 5
    for edition in editions:
        assert len(edition.rows) == 44 * 3, edition.path.name
    assert len(rows) == 44 * 11
    northants = {r.as_at: r.officers_fte for r in rows if r.area_id == "northamptonshire"}
    assert northants[dt.date(2014, 9, 30)] == pytest.approx(1247.0)
    assert northants[dt.date(2019, 9, 30)] == pytest.approx(1254.68)


@pytest.mark.shared_data
def test_the_latest_edition_holding_a_date_wins(shared_data: Path) -> None:
    rows, _ = parse_workforce(shared_data)
    met = next(r for r in rows if r.area_id == "metropolitan" and r.as_at == dt.date(2015, 9, 30))
    # The September 2015 edition said 31,792.89; the September 2016 edition revised it to 32,182.68.
    older = parse_edition(shared_data / FOLDER / "police-workforce-tabs-30sep15.ods")
    first = next(r for r in older.rows if r.area_id == "metropolitan" and r.as_at == dt.date(2015, 9, 30))
    assert met.source_id == "home-office-workforce-tables-sep16"
    assert first.officers_fte == pytest.approx(31792.89)
    assert met.officers_fte == pytest.approx(32182.68)
    assert "sheet 'Table_1'" in met.source_ref


@pytest.mark.shared_data
def test_west_midlands_force_is_not_taken_for_the_region(shared_data: Path) -> None:
    rows, _ = parse_workforce(shared_data)
    wm = next(r for r in rows if r.area_id == "west-midlands" and r.as_at == dt.date(2017, 9, 30))
    assert wm.officers_fte == pytest.approx(6534.5, abs=0.01)


@pytest.mark.slow
@pytest.mark.shared_data
def test_bundled_workforce_equals_the_originals(
    shared_data: Path, warehouse: duckdb.DuckDBPyConnection
) -> None:
    load_official_statistics(warehouse, shared_data)
    query = "SELECT area_id, as_at, officers_fte, source_id FROM core_workforce ORDER BY ALL"
    originals = warehouse.execute(query).fetchall()
    load_official_statistics(warehouse, None)
    assert warehouse.execute(query).fetchall() == originals
    assert len(originals) == 484


@pytest.mark.slow
@pytest.mark.shared_data
def test_shipped_workforce_bundle_is_what_the_command_writes(shared_data: Path, tmp_path: Path) -> None:
    write_bundle_from(shared_data, tmp_path)
    for name in (bundled.WORKFORCE, bundled.MANIFEST):
        assert (tmp_path / name).read_text(encoding="utf-8") == bundled.bundle_files().joinpath(
            name
        ).read_text(encoding="utf-8"), name


@pytest.mark.shared_data
def test_a_total_that_does_not_add_up_is_an_error(shared_data: Path, tmp_path: Path) -> None:
    # Rewrite one edition with a force's figure changed: the 43-force total check must catch it.
    import zipfile

    source = shared_data / FOLDER / "police-workforce-tables-sep16.ods"
    target = tmp_path / "edited.ods"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "content.xml":
                data = data.replace(b'office:value="1238.05', b'office:value="2238.05', 1)
            zout.writestr(item, data)
    with pytest.raises(InputError, match="the 43 forces sum to"):
        parse_edition(target)


def test_a_folder_without_editions_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no Home Office police workforce tables"):
        parse_workforce(tmp_path)
    shutil.rmtree(tmp_path)
