"""The lake's job done in polars: what a user fluent in polars would write to get what `openpeel
ingest` gives, so the lake benchmark can compare like with like (`polars-lake`).

Run as a script: `python -m benchmarks.polars_lake OUT '["FILE", ...]'` (street and outcome files only;
stop-and-search needs time zone rules this sketch leaves out).

It does what the ingest's fast path does to a good file: every column read as text, coordinates
parsed (a value that does not parse fails its row), each row checked as openpeel.ingest.police_uk
.validate checks it (month and force of the file, known labels, 64-hex crime ids, coordinates in
the UK, LSOA codes, code-list members), the outcome group added, and one Parquet file per force
and month (snappy, polars' fastest codec here). It is more lenient than the ingest in one way that
favours it: polars pads a row with too few fields with nulls instead of refusing it, and nothing
here notices; nor does it checksum, count lines, quarantine or record coverage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl

from openpeel.core.months import month_text
from openpeel.forces import all_areas
from openpeel.ingest.police_uk.code_lists import crime_types, outcome_categories
from openpeel.ingest.police_uk.layout import FileKind, SourceFile, discover
from openpeel.ingest.police_uk.load import _batches
from openpeel.ingest.police_uk.schema import COLUMNS
from openpeel.ingest.police_uk.validate import (
    CRIME_ID_LENGTH,
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    NOT_LOWER_HEX,
    force_labels,
)
from openpeel.warehouse.lake import file_columns


def _row_is_good(kind: FileKind, all_labels: list[str], outcome_names: list[str]) -> pl.Expr:
    c = pl.col
    crime_id = c("Crime ID")
    hex_id = (crime_id.str.len_bytes() == CRIME_ID_LENGTH) & ~crime_id.str.contains(NOT_LOWER_HEX)
    falls_within = c("Falls within")
    conditions = [
        c("Month") == c("f_month"),
        c("f_labels").list.contains(c("Reported by")),
        falls_within.is_null() | (falls_within == c("Reported by")) | falls_within.is_in(all_labels),
        (crime_id.is_null() | hex_id) if kind is FileKind.STREET else hex_id,
        c("Longitude").is_null() == c("Latitude").is_null(),
        c("Longitude").is_null() | c("Longitude").is_between(*LONGITUDE_RANGE),
        c("Latitude").is_null() | c("Latitude").is_between(*LATITUDE_RANGE),
        c("Longitude_text").is_null() | c("Longitude").is_not_null(),
        c("Latitude_text").is_null() | c("Latitude").is_not_null(),
        c("LSOA code").is_null() | c("LSOA code").str.contains("^[EW]0[0-9]{7}$"),
    ]
    if kind is FileKind.STREET:
        last = c("Last outcome category")
        conditions += [
            c("Crime type").is_in([t.published_name for t in crime_types()]),
            last.is_null() | last.is_in(outcome_names),
        ]
    else:
        conditions.append(c("Outcome type").is_in(outcome_names))
    return pl.all_horizontal(conditions)


def write_lake(kind: FileKind, sources: list[SourceFile], out: Path) -> int:
    """Every good row of `sources` (one kind) to `out/month=M/force=F/*.parquet`; returns rows written."""
    files = [str(s.container / s.member) for s in sources]
    per_file = pl.DataFrame(
        {
            "path": files,
            "f_month": [month_text(s.month) for s in sources],
            "f_force": [s.force_id for s in sources],
            "f_labels": [force_labels(s.force_id) for s in sources],
        }
    )
    columns = COLUMNS[kind]
    numbers = [col.header for col in columns if col.read_type == "DOUBLE"]
    outcome_groups = {o.published_name: o.canonical for o in outcome_categories()}
    all_labels = sorted({label for a in all_areas() for label in force_labels(a.force_id)})
    frame = (
        pl.scan_csv(files, schema={col.header: pl.String for col in columns}, include_file_paths="path")
        .with_columns([pl.col(h).alias(f"{h}_text") for h in numbers])
        .with_columns([pl.col(h).cast(pl.Float64, strict=False) for h in numbers])
        .join(per_file.lazy(), on="path", how="left")
        .filter(_row_is_good(kind, all_labels, list(outcome_groups)))
    )
    source = {col.target: col.header for col in columns if col.target}
    group_of = "Last outcome category" if kind is FileKind.STREET else "Outcome type"
    picked = [
        pl.col(group_of).replace_strict(outcome_groups, default=None, return_dtype=pl.String).alias(name)
        if name == "outcome_group"
        else pl.col(source[name]).alias(name)
        for name, _ in file_columns(kind.value)
    ]
    good = frame.select(*picked, pl.col("f_month").alias("month"), pl.col("f_force").alias("force"))
    written = good.collect(engine="streaming")
    written.write_parquet(out, partition_by=["month", "force"], compression="snappy")
    return written.height


def main() -> None:
    out, files = Path(sys.argv[1]), list(json.loads(sys.argv[2]))
    found = discover([Path(f) for f in files])
    if any(s.kind not in (FileKind.STREET, FileKind.OUTCOMES) for s in found.files):
        raise SystemExit("polars-lake reads street and outcome files only")
    rows = 0
    # Whole months up to the ingest's batch size, as the ingest takes them: a national year at once
    # would not fit in memory, and a call per small month costs polars more than it saves.
    for batch in _batches(found.files):
        for kind in (FileKind.STREET, FileKind.OUTCOMES):
            mine = [s for s in batch if s.kind is kind]
            if mine:
                rows += write_lake(kind, mine, out / f"kind={kind.value}")
    print(json.dumps({"rows": rows}))


if __name__ == "__main__":
    main()
