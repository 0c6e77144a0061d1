"""The published CSV dialect and columns of each file kind, and how each maps to a warehouse column.

Every read passes the dialect and the columns explicitly: DuckDB's auto-detection, run over many
files, mis-parses quoted location names containing commas ("On or near Asda, Thurmaston").
"""

from __future__ import annotations

from dataclasses import dataclass

from openpeel.ingest.police_uk.layout import FileKind


@dataclass(frozen=True)
class SourceColumn:
    header: str
    read_type: str
    """Type the fast path asks the CSV reader for; a value that does not parse fails the row."""
    target: str | None
    """Warehouse column it fills (None: validated, then dropped)."""


DIALECT: dict[str, str | bool] = {
    "delim": ",",
    "quote": '"',
    "escape": '"',
    "header": True,
    "strict_mode": True,
    "null_padding": False,
    "encoding": "utf-8",
    "auto_detect": False,
}
"""RFC 4180 as published: comma, double quote, quotes doubled inside quoted fields, one header line.

Nothing is sniffed (`auto_detect` off): sniffing costs about half a millisecond per file, and a
sniffed line ending would be applied to every file of a read (see load.read_csv_sql). Unsniffed,
DuckDB ends a line at LF or CRLF alike, so the CRLF files of 2014 and later LF files read together."""

# The columns street and outcome files share, in the published order.
_CRIME_AND_PLACE = (
    SourceColumn("Crime ID", "VARCHAR", "crime_id"),
    SourceColumn("Month", "VARCHAR", None),
    SourceColumn("Reported by", "VARCHAR", None),
    SourceColumn("Falls within", "VARCHAR", "falls_within"),
    SourceColumn("Longitude", "DOUBLE", "longitude_deg"),
    SourceColumn("Latitude", "DOUBLE", "latitude_deg"),
    SourceColumn("Location", "VARCHAR", "location"),
    SourceColumn("LSOA code", "VARCHAR", "lsoa_code"),
    SourceColumn("LSOA name", "VARCHAR", "lsoa_name"),
)

_STREET = (
    *_CRIME_AND_PLACE,
    SourceColumn("Crime type", "VARCHAR", "crime_type"),
    SourceColumn("Last outcome category", "VARCHAR", "last_outcome_category"),
    SourceColumn("Context", "VARCHAR", "context"),
)

_OUTCOMES = (*_CRIME_AND_PLACE, SourceColumn("Outcome type", "VARCHAR", "outcome_type"))

_STOP_SEARCH = (
    SourceColumn("Type", "VARCHAR", "search_type"),
    SourceColumn("Date", "TIMESTAMPTZ", None),
    SourceColumn("Part of a policing operation", "BOOLEAN", "is_part_of_policing_operation"),
    SourceColumn("Policing operation", "VARCHAR", "policing_operation"),
    SourceColumn("Latitude", "DOUBLE", "latitude_deg"),
    SourceColumn("Longitude", "DOUBLE", "longitude_deg"),
    SourceColumn("Gender", "VARCHAR", "gender"),
    SourceColumn("Age range", "VARCHAR", "age_range"),
    SourceColumn("Self-defined ethnicity", "VARCHAR", "self_defined_ethnicity"),
    SourceColumn("Officer-defined ethnicity", "VARCHAR", "officer_defined_ethnicity"),
    SourceColumn("Legislation", "VARCHAR", "legislation"),
    SourceColumn("Object of search", "VARCHAR", "object_of_search"),
    SourceColumn("Outcome", "VARCHAR", "outcome"),
    SourceColumn("Outcome linked to object of search", "BOOLEAN", "is_outcome_linked_to_object"),
    SourceColumn(
        "Removal of more than just outer clothing", "BOOLEAN", "has_removal_of_more_than_outer_clothing"
    ),
)

COLUMNS: dict[FileKind, tuple[SourceColumn, ...]] = {
    FileKind.STREET: _STREET,
    FileKind.OUTCOMES: _OUTCOMES,
    FileKind.STOP_SEARCH: _STOP_SEARCH,
}


def _outcome_group(column_sql: str) -> str:
    """The outcome group of a published outcome name, from the code list (null for an empty value).

    A constant MAP lookup: several times cheaper per row than a CASE over every category name.
    """
    from openpeel.core.sql import sql_str
    from openpeel.ingest.police_uk.code_lists import outcome_categories

    pairs = ", ".join(f"{sql_str(c.published_name)}: {sql_str(c.canonical)}" for c in outcome_categories())
    return f"(MAP {{{pairs}}})[{column_sql}]"


DERIVED: dict[FileKind, dict[str, str]] = {
    FileKind.STREET: {"outcome_group": _outcome_group('"Last outcome category"')},
    FileKind.OUTCOMES: {"outcome_group": _outcome_group('"Outcome type"')},
    FileKind.STOP_SEARCH: {"occurred_at_utc": "timezone('UTC', \"Date\")"},
}
"""Warehouse columns computed from source columns (SQL over the typed source columns)."""


def header_line(kind: FileKind) -> str:
    return ",".join(c.header for c in COLUMNS[kind])
