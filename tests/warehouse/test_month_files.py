"""Month files: a row group per force in force order, parts past the size bound, and a stored
file's other forces kept when some forces are replaced, even from a file written elsewhere."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from openpeel.warehouse import month_files
from openpeel.warehouse.month_files import arrow_schema, write_month


def _rows(force: str, n: int, tag: str = "a") -> pa.Table:
    schema = arrow_schema("outcomes")
    columns = {name: [None] * n for name in schema.names}
    columns["force_id"] = [force] * n
    columns["crime_id"] = [f"{tag}-{force}-{i}" for i in range(n)]
    columns["outcome_type"] = ["Under investigation"] * n
    columns["outcome_group"] = ["under_investigation"] * n
    return pa.table(columns, schema=schema)


def _groups(path: Path) -> list[tuple[str, str, int]]:
    meta = pq.ParquetFile(path).metadata
    column = pq.ParquetFile(path).schema_arrow.get_field_index("force_id")
    out = []
    for i in range(meta.num_row_groups):
        stats = meta.row_group(i).column(column).statistics
        out.append((str(stats.min), str(stats.max), meta.row_group(i).num_rows))
    return out


def test_a_row_group_per_force_in_force_order(tmp_path: Path) -> None:
    written = write_month(
        tmp_path / "m", "outcomes", {f: _rows(f, n) for f, n in [("kent", 3), ("essex", 2)]}
    )
    assert [(p.name, n) for p, n in written] == [("part-0.parquet", 5)]
    assert _groups(written[0][0]) == [("essex", "essex", 2), ("kent", "kent", 3)]


def test_past_the_bound_a_month_takes_more_files_and_never_splits_a_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(month_files, "PART_ROWS", 5)
    forces = {"avon-and-somerset": 3, "btp": 2, "cumbria": 4, "dorset": 1}
    written = write_month(tmp_path / "m", "outcomes", {f: _rows(f, n) for f, n in forces.items()})
    assert [(p.name, n) for p, n in written] == [("part-0.parquet", 5), ("part-1.parquet", 5)]
    assert [g[0] for p, _ in written for g in _groups(p)] == list(forces)


def test_replacing_a_force_keeps_the_others_even_from_a_file_written_elsewhere(tmp_path: Path) -> None:
    # A stored file with one row group holding three forces, and no statistics.
    stored = tmp_path / "stored.parquet"
    mixed = pa.concat_tables([_rows("essex", 2), _rows("kent", 3), _rows("surrey", 1)])
    pq.write_table(mixed, stored, write_statistics=False)
    written = write_month(tmp_path / "m", "outcomes", {"kent": _rows("kent", 1, tag="new")}, [stored])
    table = pq.read_table(written[0][0])
    assert table.column("crime_id").to_pylist() == [
        "a-essex-0",
        "a-essex-1",
        "new-kent-0",
        "a-surrey-0",
    ]
    assert [g[0] for g in _groups(written[0][0])] == ["essex", "kent", "surrey"]


def test_a_force_emptied_leaves_the_month_without_its_rows(tmp_path: Path) -> None:
    first = write_month(tmp_path / "a", "outcomes", {"kent": _rows("kent", 2), "essex": _rows("essex", 1)})
    empty = pa.Table.from_batches([], schema=arrow_schema("outcomes"))
    again = write_month(tmp_path / "b", "outcomes", {"kent": empty}, [p for p, _ in first])
    assert [n for _, n in again] == [1]
    assert write_month(tmp_path / "c", "outcomes", {"essex": empty}, [p for p, _ in again]) == []
