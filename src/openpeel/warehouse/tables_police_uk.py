"""Warehouse tables for the data.police.uk street, outcome and stop-and-search files.

The record tables keep each row as published (after validation), minus the `Reported by` column,
which validation guarantees names the file's force and which `force_id` therefore replaces. They
are views over the Parquet lake (openpeel.warehouse.lake), one file per kind and month, a row group
per force; which file each force-month came from, with its checksum, is in `meta_police_uk_coverage`, and the
bookkeeping tables stay in DuckDB.
"""

from __future__ import annotations

from openpeel.core.registry import Column, Table, column

_FORCE = column(
    "force_id", "VARCHAR", "data.police.uk force id of the file the row came from", nullable=False
)
_MONTH = column("month", "DATE", "First day of the file's month (the Month column)", nullable=False)


def _place() -> tuple[Column, ...]:
    return (
        column("longitude_deg", "DOUBLE", "Anonymised longitude (WGS84); null when not geocoded", "degrees"),
        column("latitude_deg", "DOUBLE", "Anonymised latitude (WGS84); null when not geocoded", "degrees"),
        column("location", "VARCHAR", "Anonymised location description ('On or near ...')"),
        column("lsoa_code", "VARCHAR", "2011 Lower Layer Super Output Area code (E01/W01)"),
        column("lsoa_name", "VARCHAR", "LSOA name"),
    )


POLICE_UK_TABLES: tuple[Table, ...] = (
    Table(
        name="raw_police_uk_street",
        is_view=True,
        description="View over the Parquet lake: data.police.uk street-level crimes and anti-social behaviour, one row per published row.",
        columns=(
            _FORCE,
            _MONTH,
            column("crime_id", "VARCHAR", "Persistent crime id (64 hex); null for anti-social behaviour"),
            column("falls_within", "VARCHAR", "Force area the crime falls within, as published"),
            *_place(),
            column(
                "crime_type",
                "VARCHAR",
                "Crime type as published (code_lists/crime_types.csv)",
                nullable=False,
            ),
            column(
                "last_outcome_category",
                "VARCHAR",
                "Latest outcome when the file was published (code_lists/outcome_categories.csv); null for ASB",
            ),
            column("context", "VARCHAR", "Free-text context, as published"),
            column(
                "outcome_group",
                "VARCHAR",
                "Outcome group of last_outcome_category (indicators); null for ASB",
            ),
        ),
    ),
    Table(
        name="raw_police_uk_outcomes",
        is_view=True,
        description="View over the Parquet lake: data.police.uk outcomes: one row per outcome recorded in the month, joined to crimes by crime_id.",
        columns=(
            _FORCE,
            column("month", "DATE", "First day of the month the outcome was recorded", nullable=False),
            column(
                "crime_id", "VARCHAR", "Persistent id of the crime the outcome belongs to", nullable=False
            ),
            column("falls_within", "VARCHAR", "Force area, as published"),
            *_place(),
            column(
                "outcome_type",
                "VARCHAR",
                "Outcome as published (code_lists/outcome_categories.csv)",
                nullable=False,
            ),
            column("outcome_group", "VARCHAR", "Outcome group of outcome_type (indicators)", nullable=False),
        ),
    ),
    Table(
        name="raw_police_uk_stop_search",
        is_view=True,
        description="View over the Parquet lake: data.police.uk stop and search records, one row per published row.",
        columns=(
            _FORCE,
            _MONTH,
            column("search_type", "VARCHAR", "Person, vehicle, or person and vehicle search", nullable=False),
            column("occurred_at_utc", "TIMESTAMP", "When the search happened (UTC)", nullable=False),
            column(
                "is_part_of_policing_operation", "BOOLEAN", "Part of a policing operation; null if unknown"
            ),
            column("policing_operation", "VARCHAR", "Name of the operation"),
            column("latitude_deg", "DOUBLE", "Anonymised latitude (WGS84)", "degrees"),
            column("longitude_deg", "DOUBLE", "Anonymised longitude (WGS84)", "degrees"),
            column("gender", "VARCHAR", "Gender of the person searched"),
            column("age_range", "VARCHAR", "Age range of the person searched"),
            column("self_defined_ethnicity", "VARCHAR", "Self-defined ethnicity, as published"),
            column("officer_defined_ethnicity", "VARCHAR", "Officer-defined ethnicity, as published"),
            column("legislation", "VARCHAR", "Power used"),
            column("object_of_search", "VARCHAR", "What was searched for"),
            column("outcome", "VARCHAR", "Outcome as published (code_lists/stop_search_outcomes.csv)"),
            column("is_outcome_linked_to_object", "BOOLEAN", "Outcome linked to the object of search"),
            column("has_removal_of_more_than_outer_clothing", "BOOLEAN", "More than outer clothing removed"),
        ),
    ),
    Table(
        name="meta_police_uk_coverage",
        description="Which force-months of which data.police.uk file kind are in the warehouse, from which file.",
        columns=(
            column("force_id", "VARCHAR", "data.police.uk force id", nullable=False),
            column("month", "DATE", "First day of the month", nullable=False),
            column("file_kind", "VARCHAR", "street, outcomes or stop-and-search", nullable=False),
            column("source_id", "VARCHAR", "meta_source_files.source_id of the file", nullable=False),
            column(
                "source_path",
                "VARCHAR",
                "Archive or folder and member the file was read from",
                nullable=False,
            ),
            column("edition", "VARCHAR", "Archive edition (YYYY-MM of the archive zip) when known"),
            column("sha256", "VARCHAR", "SHA-256 of the file's bytes", nullable=False),
            column("bytes", "BIGINT", "File size", "bytes", nullable=False),
            column(
                "rows_in_file",
                "BIGINT",
                "Data lines in the file (lines minus header)",
                "rows",
                nullable=False,
            ),
            column("rows_stored", "BIGINT", "Rows stored in the raw table", "rows", nullable=False),
            column("rows_quarantined", "BIGINT", "Rows sent to meta_quarantine", "rows", nullable=False),
            column("ingested_at", "TIMESTAMP", "When it was ingested (UTC)", nullable=False),
        ),
        primary_key=("force_id", "month", "file_kind"),
    ),
    Table(
        name="meta_police_uk_refusals",
        description="Files refused for their force-month: not stored, and whatever was stored for that "
        "force-month kept. One row per force-month and kind, the latest refusal; removed when a file is "
        "accepted for it.",
        columns=(
            column("force_id", "VARCHAR", "data.police.uk force id", nullable=False),
            column("month", "DATE", "First day of the month", nullable=False),
            column("file_kind", "VARCHAR", "street, outcomes or stop-and-search", nullable=False),
            column(
                "source_path", "VARCHAR", "Archive or folder and member of the refused file", nullable=False
            ),
            column("edition", "VARCHAR", "Archive edition (YYYY-MM of the archive zip) when known"),
            column("sha256", "VARCHAR", "SHA-256 of the refused file's bytes", nullable=False),
            column("bytes", "BIGINT", "File size", "bytes", nullable=False),
            column("rows_in_file", "BIGINT", "Data lines in the refused file", "rows", nullable=False),
            column("rows_valid", "BIGINT", "Its rows that passed validation", "rows", nullable=False),
            column(
                "rows_quarantined",
                "BIGINT",
                "Its rows that failed validation (at least this many when reading stopped early)",
                "rows",
                nullable=False,
            ),
            column(
                "rows_kept",
                "BIGINT",
                "Rows stored for the force-month before, and kept",
                "rows",
                nullable=False,
            ),
            column("reason", "VARCHAR", "Why it was refused", nullable=False),
            column("refused_at", "TIMESTAMP", "When (UTC)", nullable=False),
        ),
        primary_key=("force_id", "month", "file_kind"),
    ),
    Table(
        name="meta_quarantine",
        description="Rows that failed validation, with where and why; they are never counted in any indicator.",
        columns=(
            column("dataset", "VARCHAR", "Source dataset (e.g. police-uk-street)", nullable=False),
            column("source_id", "VARCHAR", "meta_source_files.source_id of the file", nullable=False),
            column(
                "source_path",
                "VARCHAR",
                "Archive or folder and member the file was read from",
                nullable=False,
            ),
            column("line", "BIGINT", "Line number in the file (the header is line 1)", nullable=False),
            column("field", "VARCHAR", "Column that failed (first failing check)", nullable=False),
            column("reason", "VARCHAR", "What is wrong and what was expected", nullable=False),
            column("raw_text", "VARCHAR", "The row as read, fields joined with commas"),
            column("quarantined_at", "TIMESTAMP", "When (UTC)", nullable=False),
            column(
                "raw_bytes",
                "BLOB",
                "The row's original bytes, exactly as in the file (invalid UTF-8 included), "
                "without its final line ending",
            ),
        ),
    ),
)
