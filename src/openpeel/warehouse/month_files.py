"""Writing the lake's month files: rows sorted by force, each row group one force's rows.

A month file is written force by force (pyarrow's ParquetWriter: each `write_table` starts a row
group of its own), so no row group spans two forces and `force_id`'s min/max statistics let a
reader that filters on a force skip every other force's row groups. DuckDB's and polars' Parquet
writers cut row groups at a row count, wherever it falls.

A month stays one file up to PART_ROWS rows; past it, the next force starts `part-1.parquet`,
and so on (a force is never split across files). A month rewritten because some of its forces
changed keeps every other force's rows: they are copied from the stored file's row groups, never
read again from the CSVs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from openpeel.warehouse.lake import file_columns, part_name

ROW_GROUP_ROWS = 1 << 20
"""At most this many rows in a row group: one row group per force-month (the largest in the real
2014-06 street files, West Yorkshire's, has 19,997 rows), so a force filter reads one, two at most."""

PART_ROWS = 4_000_000
"""A month file's size bound, in rows: a force that would take a file past it starts the next
part. A synthetic national street month holds about 475,000 rows (19 MB), so in practice each
kind and month is one file; a bound keeps any one file within what a reader holds comfortably."""

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP": pa.timestamp("us"),
    "DATE": pa.date32(),
}

_NO_DICTIONARY = frozenset({"crime_id", "longitude_deg", "latitude_deg"})
"""Columns of values that barely repeat: a dictionary for them is built, overflows and is thrown
away, for nothing (with statistics on force_id alone, a fifth of the writer's time on the real
street files)."""

COMPRESSION_LEVEL = 1
"""zstd at its fastest level: on a synthetic national street month, files a third smaller than
snappy's (19 MB against 31 MB) for the same time to write and to read back (within the noise of
a shared machine); every lake engine reads zstd (DuckDB, Spark, polars, pyarrow)."""

FORCE = "force_id"


def arrow_schema(kind: str) -> pa.Schema:
    return pa.schema([pa.field(name, _ARROW_TYPES[type_]) for name, type_ in file_columns(kind)])


RowSource = pa.Table | Path | Callable[[], pa.Table]
"""A force's rows for a month file: in memory, in a Parquet file of their own, or read when needed."""


def _conform(rows: pa.Table, schema: pa.Schema) -> pa.Table:
    rows = rows.select(schema.names)
    if rows.schema.types != schema.types:
        return rows.cast(schema)
    # The same types, maybe other field metadata (a file DuckDB wrote): relabelled, not cast (a
    # cast imports pyarrow.compute, a tenth of a second).
    return pa.Table.from_arrays(rows.columns, schema=schema)


@dataclass(frozen=True)
class _Stored:
    """A row group of a stored month file holding rows of a force (only them, if `whole`)."""

    path: Path
    index: int
    whole: bool


def _stored_forces(files: Mapping[Path, pq.ParquetFile]) -> dict[str, list[_Stored]]:
    """Which row groups of a month's files hold which force, from the metadata where it says."""
    found: dict[str, list[_Stored]] = {}
    for path, handle in files.items():
        meta = handle.metadata
        column = handle.schema_arrow.get_field_index(FORCE)
        for index in range(meta.num_row_groups):
            stats = meta.row_group(index).column(column).statistics
            if stats is not None and stats.has_min_max and stats.min == stats.max:
                found.setdefault(str(stats.min), []).append(_Stored(path, index, True))
                continue
            # Not written here (no statistics, or several forces): read which forces it holds.
            forces = handle.read_row_group(index, columns=[FORCE]).column(FORCE).unique()
            for force in forces.to_pylist():
                found.setdefault(str(force), []).append(_Stored(path, index, False))
    return found


def _read_stored(
    files: Mapping[Path, pq.ParquetFile], groups: list[_Stored], force: str, schema: pa.Schema
) -> pa.Table:
    tables = []
    for group in groups:
        rows = files[group.path].read_row_group(group.index)
        if not group.whole:
            import pyarrow.compute as pc  # only for files not written here: see _conform

            rows = rows.filter(pc.equal(rows.column(FORCE), pa.scalar(force)))
        tables.append(_conform(rows, schema))
    return pa.concat_tables(tables)


class _Parts:
    """A month's files in a folder, filled force by force."""

    def __init__(self, folder: Path, schema: pa.Schema) -> None:
        self.folder = folder
        self.schema = schema
        self.written: list[tuple[Path, int]] = []
        self._writer: pq.ParquetWriter | None = None
        self._rows = 0

    def add(self, rows: pa.Table) -> None:
        if rows.num_rows == 0:
            return
        if self._writer is not None and self._rows + rows.num_rows > PART_ROWS:
            self._close_part()
        if self._writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / part_name(len(self.written))
            self._writer = pq.ParquetWriter(
                path,
                self.schema,
                compression="zstd",
                compression_level=COMPRESSION_LEVEL,
                # A list of columns is taken (pyarrow's documentation); the stubs know only a bool.
                use_dictionary=[n for n in self.schema.names if n not in _NO_DICTIONARY],  # type: ignore[arg-type]
                write_statistics=[FORCE],
            )
            self.written.append((path, 0))
        self._writer.write_table(rows, row_group_size=ROW_GROUP_ROWS)
        self._rows += rows.num_rows

    def _close_part(self) -> None:
        assert self._writer is not None
        self._writer.close()
        self._writer = None
        path, _ = self.written[-1]
        self.written[-1] = (path, self._rows)
        self._rows = 0

    def close(self) -> list[tuple[Path, int]]:
        if self._writer is not None:
            self._close_part()
        return self.written

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def write_month(
    folder: Path, kind: str, new: Mapping[str, RowSource], stored: Sequence[Path] = ()
) -> list[tuple[Path, int]]:
    """Write a month's files into `folder`: the forces in `new` with the rows given, every other
    force of the `stored` files with its stored rows, in force order. Returns each file written
    with its rows (none for a month left without rows)."""
    schema = arrow_schema(kind)
    files = {path: pq.ParquetFile(path) for path in stored}
    try:
        kept = _stored_forces(files)
        parts = _Parts(folder, schema)
        try:
            for force in sorted(set(new) | set(kept)):
                given = new.get(force)
                if given is None:
                    rows = _read_stored(files, kept[force], force, schema)
                elif isinstance(given, Path):
                    rows = _conform(pq.read_table(given), schema)
                elif isinstance(given, pa.Table):
                    rows = _conform(given, schema)
                else:
                    rows = _conform(given(), schema)
                parts.add(rows)
        except BaseException:
            parts.abort()
            raise
        return parts.close()
    finally:
        for handle in files.values():
            handle.close()
