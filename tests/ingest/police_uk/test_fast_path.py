"""The fast path's split of DuckDB's rows by file: every row to its file, in order, nothing copied
or lost, whatever order and chunks the rows arrive in."""

from __future__ import annotations

import pyarrow as pa

from openpeel.ingest.police_uk.fast_path import by_file


def test_rows_in_runs_across_chunks_go_to_their_files_in_order() -> None:
    files = [2, 2, 0, 0, 0, 2, 1, 1, 2, 2]
    rows = list(range(len(files)))
    whole = pa.table({"__file": pa.array(files, pa.int32()), "row": rows})
    # Three chunks, the middle one a slice with an offset, a run crossing each boundary.
    table = pa.concat_tables([whole.slice(0, 3), whole.slice(3, 4), whole.slice(7)])
    assert table.column("__file").num_chunks == 3

    split = by_file(table, 4)

    assert split[3] is None  # a file with no good row
    got = {i: t.column("row").to_pylist() for i, t in enumerate(split) if t is not None}
    assert got == {0: [2, 3, 4], 1: [6, 7], 2: [0, 1, 5, 8, 9]}
    assert all(t.column_names == ["row"] for t in split if t is not None)
